"""The command line: exit codes, --version, --help, messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import digest
from digest.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"digest {digest.__version__}"


def test_help_lists_build_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    out = capsys.readouterr().out
    for opt in [
        "--config",
        "--output",
        "--base-url",
        "--drafts",
        "--strict",
        "--quiet",
        "--verbose",
    ]:
        assert opt in out


def test_wrong_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["build", "--no-such-flag"])
    assert exc.value.code == 2
    assert main([]) == 2


def test_bad_content_exits_1_with_file_and_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "content/world/bad.md").write_text("---\ntitle: Bad\ndate: yesterday\n---\nText.\n")
    (site / "content/world/worse.md").write_text("---\ndate: 2026-01-01\n---\nText.\n")
    assert main(["build", "--config", str(site / "site.yaml")]) == 1
    err = capsys.readouterr().err
    assert "content/world/bad.md:3: front matter: 'date' is not a date (got 'yesterday'" in err
    assert "content/world/worse.md" in err and "'title' is missing" in err  # both reported
    assert "Traceback" not in err


def test_closing_line_reports_articles_pages_seconds(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--config", str(site / "site.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("built 4 articles (4 processed), ")
    assert " files (" in out and " changed) in " in out and " s -> " in out


def test_verbose_prints_stage_times(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--config", str(site / "site.yaml"), "-v"]) == 0
    err = capsys.readouterr().err
    from digest.build import STAGES

    timed = [line.split()[0] for line in err.splitlines() if line.rstrip().endswith(" s")]
    assert timed == list(STAGES)  # every stage of the pipeline, in order


def test_console_script_runs_as_module(site: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-q"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert (site / "public/index.html").is_file()
