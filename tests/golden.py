"""Golden files: the demo site's built output and the broken inputs' exact messages.

``make golden`` (``python -m tests.golden``) rewrites them on purpose after a deliberate change;
review the result with ``git diff tests/`` before committing.

A broken case is a folder of site files and ``expected.txt`` (``exit N`` and the exact stderr).
Inputs that cannot sit in git as they are (20 MB, UTF-16, links to files outside the site) are
made from the case's ``recipe.json``::

    {"about": "why the case exists",
     "files": {"content/episodes/ep.txt": {"parts": [["0:00 ", 1], ["word ", 4000000]]},
               "content/episodes/ep.vtt": {"text": "...", "encoding": "utf-16-le"}},
     "links": {"content/episodes/ep.srt": "OUTSIDE/secret.srt"}}

``OUTSIDE`` (in link targets, and as ``{OUTSIDE}`` in texts) is a folder beside the site that
holds files marked ``SECRET``; messages show it as ``OUTSIDE``, and no build may read from it.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.cli import main
from generator.render import default_layouts

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "demo"
# A small network of three shows (tests/network/) and its built output.
NETWORK = Path(__file__).resolve().parent / "network"
GOLDEN_NETWORK = Path(__file__).resolve().parent / "golden" / "network"
BROKEN = Path(__file__).resolve().parent / "broken"
DEFAULT_SITE_YAML = "title: Test Show\nbase_url: https://example.test/show/\n"
# Files copied unchanged, from static/ (large binaries) and from the theme's layouts/assets/, are
# compared with their source (copied_files), not kept a second time.
COPIED = ("audio/", "images/", "assets/")
# The search index (Pagefind's binary, hash-named bundle) is not kept either: it is tested on its
# own in tests/test_search.py.
SEARCH_INDEX = ("pagefind/",)


def build_demo(output: Path, site: Path = ROOT) -> None:
    """Build the repository's demo site (or the demo network, ``site=NETWORK``) into
    ``output``."""
    code = main(["build", "--site", str(site), "--output", str(output)])
    if code != 0:
        raise SystemExit(f"the demo site {site} did not build (exit {code})")


def generated_files(output: Path) -> dict[str, bytes]:
    """The built files that the golden copy keeps, by relative path. The marker keeps its first
    line only: the digest on its second names the build's inputs, which include the versions
    of Python and the libraries that render pages, so it differs between machines."""
    files = {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file()
        and not path.relative_to(output).as_posix().startswith(COPIED + SEARCH_INDEX)
    }
    if ".cuepress" in files:
        files[".cuepress"] = files[".cuepress"].split(b"\n")[0] + b"\n"
    return files


def copied_files(site: Path) -> dict[str, bytes]:
    """What a build of ``site`` copies as it is: the theme's assets (under ``assets/``), then
    the site's ``static/`` (which may replace one), by relative path."""
    files: dict[str, bytes] = {}
    for folder, prefix in ((default_layouts() / "assets", "assets/"), (site / "static", "")):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files[prefix + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def golden_differences(output: Path, golden: Path, site: Path) -> str:
    """How the build in ``output`` of ``site`` differs from its golden copy: the files the
    golden copy keeps, as a unified diff of each that changed, and the files copied as they
    are, by name; "" when it does not."""
    built, kept = generated_files(output), generated_files(golden)
    if sorted(built) != sorted(kept):
        return f"files: {sorted(built.keys() ^ kept.keys())} are in only one of the two"
    for name in kept:
        if built[name] != kept[name]:
            lines = difflib.unified_diff(
                kept[name].decode().splitlines(),
                built[name].decode().splitlines(),
                f"{golden.name}/{name}",
                f"built/{name}",
                lineterm="",
            )
            return "\n".join(lines)
    copies = {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.relative_to(output).as_posix().startswith(COPIED)
    }
    sources = copied_files(site)
    if copies == sources:
        return ""
    changed = sorted(
        name for name in sources.keys() | copies.keys() if copies.get(name) != sources.get(name)
    )
    return f"copied files that are not their source as it is: {changed}"


SECRET = "SECRET-OUTSIDE-THE-SITE"
OUTSIDE_FILES = {
    "secret.vtt": f"WEBVTT\n\n00:00.000 --> 00:01.000\n{SECRET}\n",
    "secret.srt": f"1\n00:00:00,000 --> 00:00:01,000\n{SECRET}\n",
    "secret.md": f"---\ntitle: {SECRET}\ndate: 2026-01-01\n---\n{SECRET}\n",
    "secret.yaml": f"title: {SECRET}\nbase_url: https://secret.test/\n",
    "secret.html": f"<p>{SECRET}</p>\n",
    "secret.txt": f"0:00 {SECRET}\n",
    "secret.mp3": f"ID3 {SECRET}",
    "folder/ep.md": f"---\ntitle: {SECRET}\ndate: 2026-01-01\n---\n",
    "folder/secret.txt": f"{SECRET}\n",
}


def make_outside(work: Path) -> Path:
    """The folder beside every case's site whose files no build may read."""
    outside = work / "outside"
    for name, text in OUTSIDE_FILES.items():
        (outside / name).parent.mkdir(parents=True, exist_ok=True)
        (outside / name).write_text(text)
    return outside


def prepare_case(case: Path, work: Path) -> Path:
    """Copy the broken case ``case`` into ``work`` and apply its recipe; returns the site."""
    site = work / case.name
    outside = make_outside(work)
    shutil.copytree(case, site, ignore=shutil.ignore_patterns("expected.txt", "recipe.json"))
    recipe: dict[str, Any] = {}
    if (case / "recipe.json").exists():
        recipe = json.loads((case / "recipe.json").read_text())
    for name, spec in recipe.get("files", {}).items():
        if "parts" in spec:
            text = "".join(part * count for part, count in spec["parts"])
        else:
            text = spec["text"].replace("{OUTSIDE}", str(outside))
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(text.encode(spec.get("encoding", "utf-8")))
    for name, target in recipe.get("links", {}).items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).symlink_to(target.replace("OUTSIDE", str(outside)))
    if not (site / "site.yaml").is_file() and not (site / "site.yaml").is_symlink():
        (site / "site.yaml").write_text(DEFAULT_SITE_YAML)
    return site


def run_case(case: Path, work: Path) -> tuple[int, str]:
    """Build a copy of the broken case ``case`` in ``work``; return exit code and stderr."""
    return build_case(prepare_case(case, work), work)


def build_case(site: Path, work: Path) -> tuple[int, str]:
    """Build a prepared case; return exit code and stderr with the folders' paths replaced."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["build", "--site", str(site)])
    report = stderr.getvalue().replace(str(site), "SITE").replace(str(work / "outside"), "OUTSIDE")
    return code, re.sub(r" in \d+\.\d+ s\.", " in N s.", report)


_WATCHED: list[tuple[str, list[str]]] = []
_HOOKED: list[bool] = []  # the audit hook is added once per process (it cannot be removed)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Note every file opened and folder listed under the watched folder (with links resolved)."""
    if not _WATCHED or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0] if args else None
    if isinstance(path, str | bytes | os.PathLike):
        real = os.path.realpath(os.fsdecode(path))
        root, seen = _WATCHED[-1]
        if real == root or real.startswith(root + os.sep):
            seen.append(f"{event} {real}")


@contextlib.contextmanager
def reads_under(folder: Path) -> Iterator[list[str]]:
    """Record what this process opens or lists under ``folder`` while the block runs."""
    if not _HOOKED:
        sys.addaudithook(_audit)  # idle outside these blocks
        _HOOKED.append(True)
    seen: list[str] = []
    _WATCHED.append((os.path.realpath(folder), seen))
    try:
        yield seen
    finally:
        _WATCHED.pop()


def regenerate(cases: list[str]) -> None:
    """Rewrite the golden demo site and every case's ``expected.txt``; with ``cases``, only
    those cases' ``expected.txt``."""
    with tempfile.TemporaryDirectory() as folder:
        for site, golden in ((ROOT, GOLDEN), (NETWORK, GOLDEN_NETWORK)) if not cases else ():
            output = Path(folder) / golden.name
            build_demo(output, site)
            shutil.rmtree(golden, ignore_errors=True)
            for relative, data in generated_files(output).items():
                target = golden / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        for case in sorted(p for p in BROKEN.iterdir() if p.is_dir()):
            if cases and case.name not in cases:
                continue
            code, stderr = run_case(case, Path(folder) / case.name)
            (case / "expected.txt").write_text(f"exit {code}\n{stderr}")
    wrote = "" if cases else f"{GOLDEN}, {GOLDEN_NETWORK} and "
    print(f"wrote {wrote}{BROKEN}/*/expected.txt; review with git diff")


if __name__ == "__main__":
    regenerate(sys.argv[1:])
