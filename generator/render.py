"""The only Jinja room: layouts to HTML, with errors that name the template file and line.

A site's own ``layouts/NAME`` overrides the default theme's template of that name. Autoescaping
is on for everything, and an undefined variable is an error, not an empty string. Layouts are the
site owner's code; content (titles, summaries, transcripts) only ever fills their variables and
is never compiled as a template. A layout that is a link to a file outside the site is refused.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
import re
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import network as network_module
from generator import people
from generator.errors import TemplateError
from generator.models import Site, Transcript
from generator.paths import link_problem
from generator.timecodes import clock, seconds_text
from generator.transcripts.page import HEADING, PARAGRAPH, SegmentMarkup
from generator.transcripts.page import TEMPLATE as SEGMENT

_OBJECT = re.compile(r"'[\w.]+\.(\w+) object'")
DEFAULT_LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"


def default_layouts() -> Path:
    """The packaged default theme: ``layouts/`` beside the package (installed as package data)."""
    installed = Path(__file__).resolve().parent / "layouts"
    return installed if installed.is_dir() else DEFAULT_LAYOUTS


class Renderer:
    """Renders the templates of one site."""

    def __init__(
        self,
        site: Site,
        site_dir: Path,
        compiled: Path | None = None,
        network: Site | None = None,
        shows: Sequence[Site] = (),
    ) -> None:
        """``compiled``: a folder to keep compiled templates in between builds (Jinja checks
        each against its source), which saves compiling the layouts on every rebuild.
        In a network of shows, ``site`` is one show's settings (or the network's own, for its
        pages), ``network`` the network's and ``shows`` every show's (for the network's own
        pages): layouts see them as ``network`` (none on a one-show site) and ``shows`` (by
        address)."""
        self.site = site
        self.site_dir = site_dir
        self.search_path = [site_dir / "layouts", default_layouts()]
        self.env = jinja2.Environment(
            loader=_Loader(self.search_path, [site_dir, default_layouts()]),
            bytecode_cache=(
                None if compiled is None else jinja2.FileSystemBytecodeCache(str(compiled))
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(
            site=site,
            url=self.url,
            absolute_url=self.absolute_url,
            person_url=lambda name: self.url(people.person_path(site, name)),
            tag_url=lambda tag: self.url(people.tag_path(tag)),
            category_url=network_module.category_path,
            network=network,
            shows={show.show: show for show in shows},
        )
        self.env.filters.update(
            clock=clock, date_text=date_text, tojson_script=tojson_script, anchor_at=anchor_at
        )

    def layouts_digest(self) -> str:
        """A digest of every layout file, the site's and the default theme's."""
        parts = []
        for folder in self.search_path:
            inside = folder.is_dir() and folder.resolve().is_relative_to(folder.parent.resolve())
            for file in sorted(folder.rglob("*")) if inside else []:
                if file.is_file() and file.resolve().is_relative_to(folder.parent.resolve()):
                    parts += [file.relative_to(folder).as_posix().encode(), file.read_bytes()]
        return hashlib.blake2b(b"\0".join(parts), digest_size=16).hexdigest()

    def preload(self, name: str) -> None:
        """Compile template ``name`` now, so that processes forked later share it; a broken
        template is left for :meth:`render` to report."""
        try:
            self.env.get_template(name)
        except Exception:  # noqa: BLE001, S110 - render() reports it with file and line
            pass

    @functools.cached_property
    def segments(self) -> SegmentMarkup:
        """The episode page's transcript markup, from the site's ``layouts/_segment.html``,
        ``_chapter_heading.html`` and ``_paragraph.html`` (see
        :mod:`generator.transcripts.page`); made once, before the episodes' processes
        fork."""
        try:
            assert self.env.loader is not None
            tree = self.env.parse(self.env.loader.get_source(self.env, SEGMENT)[0])
        except jinja2.TemplateError:  # rendering reports it, at its line
            tree = None
        return SegmentMarkup(
            functools.partial(self.render, SEGMENT),
            tree,
            functools.partial(self.render, HEADING),
            functools.partial(self.render, PARAGRAPH),
        )

    def url(self, path: str = "") -> str:
        """A link to ``path`` (relative to the site root) that works under the site's sub-path."""
        return self.site.path + path

    def absolute_url(self, path: str = "") -> str:
        return self.site.base_url + path

    def render(self, name: str, **context: Any) -> str:
        """Render the template ``name``; any failure becomes a :class:`TemplateError`."""
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                self._shown(exc.filename, name), exc.lineno, exc.message or "syntax error"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"layouts/{exc.name}", None, "template not found") from None
        except TemplateError:
            raise
        except Exception as exc:  # noqa: BLE001 - a layout may raise anything; report it at its line
            filename, line = _template_frame(exc)
            if isinstance(exc, jinja2.UndefinedError):
                message = _OBJECT.sub(r"\1", exc.message or "undefined") + " (check the spelling)"
            else:
                what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if isinstance(exc, RecursionError):  # its wording varies with the stack's depth
                    what = "RecursionError: a macro or include calls itself without end"
                message = f"{what} (raised while rendering)"
            raise TemplateError(self._shown(filename, name), line, message) from None

    def _shown(self, filename: str | None, name: str) -> str:
        """A template's path as the user knows it."""
        if filename:
            path = Path(filename)
            if path.is_relative_to(self.site_dir):
                return path.relative_to(self.site_dir).as_posix()
            return f"layouts/{path.name} (default theme)"
        return f"layouts/{name}"


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader, refusing a template that resolves outside its root (the site, or
    the default theme) before reading it."""

    def __init__(self, folders: list[Path], roots: list[Path]) -> None:
        super().__init__([str(folder) for folder in folders])
        self.folders = list(zip(folders, [root.resolve() for root in roots], strict=True))

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder, root in self.folders:
            candidate = folder.joinpath(*pieces)
            if candidate.is_file():
                problem = link_problem(candidate, root)
                if problem:
                    raise TemplateError(
                        candidate.relative_to(folder.parent).as_posix(), None, problem
                    )
                break
        return super().get_source(environment, template)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in ``exc``'s traceback (Jinja maps them for us)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (frame.filename, frame.lineno)
    return found


def anchor_at(transcript: Transcript | None, ms: int) -> str:
    """The id to link for time ``ms``: the first segment starting at or after it (where a
    chapter heading is placed), else a plain ``t=`` time for the page's script to resolve."""
    if transcript is not None:
        segments = transcript.segments
        index = bisect.bisect_left(segments, ms, key=lambda s: s.start_ms)
        if index < len(segments):
            return segments[index].anchor
    return "t=" + seconds_text(ms)


def date_text(value: dt.date) -> str:
    """``2026-03-04`` -> ``4 March 2026``: unambiguous in every country."""
    return f"{value.day} {value:%B} {value.year}"


def tojson_script(value: Any) -> Markup:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` escaped so ``</script>`` cannot end it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
