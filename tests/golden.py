"""Golden files: the demo site's built output and the broken inputs' exact messages.

``make golden`` (``python -m tests.golden``) rewrites them on purpose after a deliberate change;
review the result with ``git diff tests/`` before committing.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from pathlib import Path

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "demo"
BROKEN = Path(__file__).resolve().parent / "broken"
DEFAULT_SITE_YAML = "title: Test Show\nbase_url: https://example.test/show/\n"
# Files copied unchanged from static/ (large binaries) are compared with their source, not kept.
COPIED = ("audio/", "images/")


def build_demo(output: Path) -> None:
    """Build the repository's demo site into ``output``."""
    code = main(["build", "--site", str(ROOT), "--output", str(output)])
    if code != 0:
        raise SystemExit(f"the demo site did not build (exit {code})")


def generated_files(output: Path) -> dict[str, bytes]:
    """The built files that the golden copy keeps, by relative path."""
    return {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and not path.relative_to(output).as_posix().startswith(COPIED)
    }


def run_case(case: Path, work: Path) -> tuple[int, str]:
    """Build a copy of the broken case ``case`` in ``work``; return exit code and stderr."""
    site = work / case.name
    shutil.copytree(case, site, ignore=shutil.ignore_patterns("expected.txt"))
    if not (site / "site.yaml").exists():
        (site / "site.yaml").write_text(DEFAULT_SITE_YAML)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["build", "--site", str(site)])
    report = stderr.getvalue().replace(str(site), "SITE")
    return code, re.sub(r" in \d+\.\d+ s\.", " in N s.", report)


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out"
        build_demo(output)
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for relative, data in generated_files(output).items():
            target = GOLDEN / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for case in sorted(p for p in BROKEN.iterdir() if p.is_dir()):
            code, stderr = run_case(case, Path(folder))
            (case / "expected.txt").write_text(f"exit {code}\n{stderr}")
    print(f"wrote {GOLDEN} and {BROKEN}/*/expected.txt; review them with git diff")


if __name__ == "__main__":
    regenerate()
