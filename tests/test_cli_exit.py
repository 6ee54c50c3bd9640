"""A one-shot ``digest build`` run as the program ends without the interpreter's teardown
(commands.build._end_now): the user still gets every message, exit status 0 and the
site; a test or script calling digest.cli.main() in-process gets control back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_build, write_site


def test_as_a_program_every_message_arrives_through_pipes(tmp_path: Path) -> None:
    # base_url '/' is not absolute: a warning on stderr, then the closing line on stdout
    site = write_site(tmp_path / "site", config="title: T\nbase_url: /\n")
    r = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-v"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("built ") and r.stdout.endswith(" -> public\n")
    assert "warning: site.yaml: base_url" in r.stderr
    assert "  publish " in r.stderr  # -v: the stage times, all of them
    assert (site / "public/index.html").is_file()
    assert not list(tmp_path.glob("site/.digest-new-*"))  # nothing left half-made


def test_a_failed_build_as_a_program_exits_1(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", articles={"bad.md": "---\ntitle: [\n---\nText.\n"})
    r = subprocess.run(
        [sys.executable, "-m", "digest", "build"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    assert "content/bad.md" in r.stderr and "build failed" in r.stderr


def test_in_process_main_returns(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _err = run_build(site, capsys)
    assert rc == 0  # (still running: the teardown is skipped only by the program itself)
    assert (site / "public/index.html").is_file()


def test_leftovers_hold_the_build_and_change_nothing(tmp_path: Path) -> None:
    """build(leftovers=...) (what the program passes before it ends) makes the same site."""
    from digest.build import BuildOptions, build
    from digest.config import load_config

    sites = []
    for name, held in (("a", None), ("b", [])):
        site = write_site(tmp_path / name)
        result = build(load_config(site / "site.yaml"), BuildOptions(), leftovers=held)
        assert result.articles > 0
        files = sorted(p for p in (site / "public").rglob("*") if p.is_file())
        sites.append({p.relative_to(site).as_posix(): p.read_bytes() for p in files})
        if held is not None:
            assert held  # (kept alive by the caller, not freed as build returned)
    assert sites[0] == sites[1]
