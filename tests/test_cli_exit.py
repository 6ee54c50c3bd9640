"""A one-shot ``digest build`` run as the program ends without the interpreter's teardown
(commands.build._end_now): the user still gets every message, exit status 0 and the
site; a test or script calling digest.cli.main() in-process gets control back."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from digest import pool
from tests.conftest import run_build, write_site


def _program(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """python ARGS run in the site, as a user runs the program."""
    return subprocess.run(
        [sys.executable, *args], cwd=site, capture_output=True, text=True, timeout=120
    )


def test_a_tool_wrapping_the_program_still_gets_its_exit_handlers_run(tmp_path: Path) -> None:
    """coverage and profilers run digest as __main__ and save their data at exit: the
    program's quick ending (no interpreter teardown) still runs exit handlers."""
    site = write_site(tmp_path / "site")
    wrapper = (
        "import atexit, pathlib, runpy, sys\n"
        "atexit.register(lambda: pathlib.Path('saved.txt').write_text('saved'))\n"
        "sys.argv = ['digest', 'build', '-q']\n"
        "runpy.run_module('digest', run_name='__main__', alter_sys=True)\n"
        "print('not reached: digest ends the process')\n"
    )
    r = _program(site, "-c", wrapper)
    assert r.returncode == 0, r.stderr
    assert (site / "saved.txt").read_text() == "saved"
    assert "not reached" not in r.stdout  # (the quick ending was taken)
    assert (site / "public/index.html").is_file()


def test_as_a_program_every_message_arrives_through_pipes(tmp_path: Path) -> None:
    # base_url '/' is not absolute: a warning on stderr, then the closing line on stdout
    site = write_site(tmp_path / "site", config="title: T\nbase_url: /\n")
    r = _program(site, "-m", "digest", "build", "-v")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("built ") and r.stdout.endswith(" -> public\n")
    assert "warning: site.yaml: base_url" in r.stderr
    assert "  publish " in r.stderr  # -v: the stage times, all of them
    assert (site / "public/index.html").is_file()
    assert not list(tmp_path.glob("site/.digest-new-*"))  # nothing left half-made


def test_a_failed_build_as_a_program_exits_1(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", articles={"bad.md": "---\ntitle: [\n---\nText.\n"})
    r = _program(site, "-m", "digest", "build")
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


def _collecting(_: object) -> bool:
    return gc.isenabled()


def test_workers_collect_their_garbage_when_the_program_does_not() -> None:
    """The program's one-shot build runs without the cyclic collector; its worker
    processes (forked from it) must still collect theirs, or a cold build of a large
    site would grow in each worker until it ended."""
    was = gc.isenabled()
    gc.disable()
    try:
        assert list(pool.ordered_map(_collecting, range(6), 2)) == [True] * 6
    finally:
        if was:
            gc.enable()


def test_the_program_with_workers_builds_the_site_a_test_process_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Enough articles for worker processes (the program's own, without the cyclic
    collector in the parent) give the same bytes as an in-process build."""
    words = "harbour council budget river school station market festival bridge ferry"
    articles = {
        f"a{i:02d}.md": (
            f"---\ntitle: Story {i}\ndate: 2024-03-{1 + i % 28:02d}\n---\n"
            + " ".join(
                f"The {w} plan number {i} was discussed by the town on day {j}."
                for j, w in enumerate(words.split()[i % 5 :])
            )
            + "\n"
        )
        for i in range(pool.ARTICLES + 12)
    }
    site = write_site(tmp_path / "site", articles=articles)
    r = _program(site, "-m", "digest", "build", "--output", "program", "--no-cache")
    assert r.returncode == 0, r.stderr
    rc, err = run_build(site, capsys, "--output", str(site / "inprocess"), "--no-cache")
    assert rc == 0, err
    program = {
        p.relative_to(site / "program"): p.read_bytes()
        for p in (site / "program").rglob("*")
        if p.is_file()
    }
    inprocess = {
        p.relative_to(site / "inprocess"): p.read_bytes()
        for p in (site / "inprocess").rglob("*")
        if p.is_file()
    }
    assert len(program) > pool.ARTICLES and program == inprocess
