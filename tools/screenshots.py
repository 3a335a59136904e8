"""Take the README's screenshots of the demo episode page, light and dark.

Usage: ``.venv/bin/python -m tools.screenshots`` (needs the test extra and Debian's chromium).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.browser import launch, serve
from tests.golden import ROOT, build_demo

PAGE = "episodes/02-the-ladder-ledger/#t=22"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "out"
        build_demo(output)
        with serve(output, "/borrowed-hammer/") as url, launch() as (_, browser):
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    color_scheme=scheme, viewport={"width": 1100, "height": 1000}
                )
                page = context.new_page()
                page.goto(url + PAGE)
                page.wait_for_timeout(800)
                target = ROOT / "docs" / f"episode-{scheme}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target}")
                context.close()


if __name__ == "__main__":
    main()
