"""The cuepress command: exit codes, help, version, and what it prints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from generator import __version__
from generator.cli import main
from tests.conftest import MakeSite, record


class TestCommand:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version."""
        with pytest.raises(SystemExit) as info:
            main(["--version"])
        assert info.value.code == 0
        assert capsys.readouterr().out == f"cuepress {__version__}\n"

    @pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
    def test_help(self, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        """Every command has --help."""
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0
        assert "usage: cuepress" in capsys.readouterr().out

    def test_usage_error_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error."""
        with pytest.raises(SystemExit) as info:
            main(["build", "--bogus"])
        assert info.value.code == 2
        assert "unrecognized arguments: --bogus" in capsys.readouterr().err

    def test_no_command_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Plain `cuepress` shows help and exits 2."""
        assert main([]) == 2

    def test_success_and_content_error(
        self, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """0 on success; 1 with path:line messages on content errors."""
        site = make_site({"content/episodes/a.md": record()})
        assert main(["build", "--site", str(site)]) == 0
        assert "Built 1 episode (" in capsys.readouterr().err
        (site / "content/episodes/b.md").write_text("---\ntitle: B\ndate: 2026-02-31\n---\n")
        assert main(["build", "--site", str(site)]) == 1
        assert capsys.readouterr().err == (
            "content/episodes/b.md:3: 'date' is not a real date: '2026-02-31' "
            "(check the day and month)\n"
            "Build failed: 1 error; the output was not changed.\n"
        )

    def test_a_site_folder_relative_to_the_working_folder(
        self, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``--site shows/mine`` from another folder builds, static files and all, twice (the
        second time from the cache)."""
        site = make_site({"content/episodes/a.md": record(), "static/images/cover.png": b"PNG"})
        monkeypatch.chdir(site.parent.parent)
        relative = f"{site.parent.name}/{site.name}"
        for _ in range(2):
            assert main(["build", "--site", relative]) == 0
            assert (site / "output/images/cover.png").read_bytes() == b"PNG"

    def test_python_m_generator_and_console_script(self, make_site: MakeSite) -> None:
        """`python -m generator` runs the same command in a real process."""
        site = make_site({"content/episodes/a.md": record()})
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--site", str(site)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert (site / "output/episodes/a/index.html").is_file()
