"""``digest build --watch``: build, then rebuild into the output folder on every change."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import write_site

from digest.watch import build_and_watch, watch_paths

ROOT = Path(__file__).parents[1]
ARTICLE = "world/2026-03-01-harbour-wall.md"


def _wait(predicate, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class _Lines:
    """A process's stdout and stderr lines, read by threads as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        for stream in (proc.stdout, proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))


@pytest.mark.parametrize("poll", [[], ["--poll"]], ids=["notified", "polled"])
def test_watch_rebuilds_public_on_change_and_stops_on_ctrl_c(tmp_path: Path, poll: list[str]):
    site = write_site(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "--watch", "--jobs", "1", *poll],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    out = _Lines(proc)
    page = site / "public" / "world" / "harbour-wall" / "index.html"
    try:
        assert _wait(lambda: out.count("built 4 articles") == 1), out.lines
        pages = list((site / "public").rglob("*.html"))
        assert page in pages, pages
        src = site / "content" / ARTICLE
        src.write_text(
            src.read_text().replace("Work to repair", "Masons began to repair"), encoding="utf-8"
        )
        assert _wait(lambda: out.count("built 4 articles") == 2), out.lines
        assert "Masons began to repair" in page.read_text()
        # a broken article: the problem is reported, the last good site stays, watching goes on
        src.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
        assert _wait(lambda: out.count("build failed") == 1), out.lines
        assert "Masons began to repair" in page.read_text()
        (site / "content" / "world" / "2026-03-09-new.md").write_text(
            "---\ntitle: A new quay opens\ndate: 2026-03-09\n---\nThe new quay opened today.\n"
        )
        src.write_text("---\ntitle: Harbour wall\ndate: 2026-03-01\n---\nMasons at work.\n")
        assert _wait(lambda: out.count("built 5 articles") == 1), out.lines
        assert (site / "public" / "world" / "new" / "index.html").is_file()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0, out.lines
    assert out.count("stopped") == 1 and out.count("Traceback") == 0, out.lines


def test_one_burst_of_changes_gives_one_rebuild(tmp_path: Path):
    """An editor's save (several writes in a row) or a `git checkout` is one rebuild."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: x\n")
    builds: list[float] = []
    stop = threading.Event()
    paths = watch_paths(root / "site.yaml")
    t = threading.Thread(
        target=build_and_watch,
        args=(lambda: builds.append(time.monotonic()), lambda: paths),
        kwargs={"debounce": 0.3, "stop": stop},
        daemon=True,
    )
    t.start()
    try:
        assert _wait(lambda: len(builds) == 1)
        for i in range(5):
            (root / "content" / f"a{i}.md").write_text(f"text {i}\n")
            time.sleep(0.05)
        assert _wait(lambda: len(builds) == 2)
        time.sleep(0.8)
        assert len(builds) == 2
    finally:
        stop.set()
        t.join(timeout=10)
    assert not t.is_alive()


def test_watch_is_in_the_help():
    r = subprocess.run(
        [sys.executable, "-m", "digest", "build", "--help"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert "--watch" in r.stdout and "--poll" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "digest", "serve", "--help"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert "--poll" in r.stdout


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child: SIGINT as a terminal's Ctrl+C finds it.  A test run started in the
    background of a non-interactive shell (``pytest &``) passes on SIGINT ignored, and a
    Python started so never turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
