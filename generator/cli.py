"""The ``cuepress`` command: argument parsing and exit codes, nothing else.

Exit codes: 0 success, 1 the content has errors, 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from generator import __version__
from generator.build import build
from generator.errors import BuildFailed, Problem


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args))


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cuepress",
        description="Build a static website from podcast episode records and transcripts.",
    )
    parser.add_argument("--version", action="version", version=f"cuepress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser(
        "build", help="build the site into a folder", description="Build the site."
    )
    add_site_option(build_cmd)
    build_cmd.add_argument(
        "--output", type=Path, help="where to write the site (default: SITE/output)"
    )
    build_cmd.add_argument("--strict", action="store_true", help="treat every warning as an error")
    build_cmd.add_argument("--drafts", action="store_true", help="include episodes marked draft")
    build_cmd.add_argument(
        "--base-url", help="the site's public URL, overriding base_url in site.yaml"
    )
    build_cmd.set_defaults(run=run_build)

    serve_cmd = commands.add_parser(
        "serve",
        help="preview the site, rebuilding and reloading the browser on every save",
        description="Serve a live-reloading preview under the path of base_url.",
    )
    add_site_option(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve_cmd.add_argument("--open", action="store_true", help="open the preview in a browser")
    serve_cmd.add_argument("--drafts", action="store_true", help="include episodes marked draft")
    serve_cmd.set_defaults(run=run_serve)
    return parser


def add_site_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--site",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the site folder holding site.yaml (default: the current folder)",
    )


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        result = build(
            args.site,
            args.output,
            strict=args.strict,
            drafts=args.drafts,
            base_url=args.base_url,
        )
    except BuildFailed as failed:
        report(failed.warnings, "warning: ")
        report(failed.errors, "")
        print(
            f"Build failed: {plural(len(failed.errors), 'error')}; the output was not changed.",
            file=sys.stderr,
        )
        return 1
    report(result.warnings, "warning: ")
    seconds = time.perf_counter() - started
    print(
        f"Built {plural(len(result.episodes), 'episode')} ({plural(result.files, 'file')}) "
        f"into {result.output} "
        f"in {seconds:.2f} s.",
        file=sys.stderr,
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve  # the server's libraries load only when serving

    return serve(
        args.site, host=args.host, port=args.port, open_browser=args.open, drafts=args.drafts
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report(problems: Iterable[Problem], kind: str) -> None:
    """Print ``path:line: [warning: ]message`` lines, the form editors can jump to."""
    for problem in problems:
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        print(f"{where}: {kind}{problem.message}", file=sys.stderr)
