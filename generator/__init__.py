"""Cuepress: a static site generator for podcast transcripts."""

__version__ = "0.1.0"
