"""A real browser on `digest serve`: edits show up without a manual reload.

Needs headless Chromium (``apt-get install -y chromium``) and Playwright for
Python (``pip install playwright``; its own browser download is not used).
Skips with the reason when either is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTICLE = "world/2026-03-01-harbour-wall.md"
TEXT = """\
    ---
    title: "Harbour wall repairs begin in Port Ellis"
    date: 2026-03-01
    tags: [harbour]
    ---
    Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked it.

    The council said the repairs would cost £2.4m and take about eight months to finish.
    """
OTHER = """\
    ---
    title: "Volunteers count a record number of moths"
    date: 2026-03-03
    ---
    Volunteers in the Ellis valley counted more moths this year than in any survey since records.
    """

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium() -> str | None:
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    for c in (os.environ.get("DIGEST_CHROMIUM"), *map(shutil.which, names)):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python not installed: pip install playwright"
    )
    exe = _chromium()
    if exe is None:
        pytest.skip(
            "Chromium not found on PATH (chromium, chromium-browser, google-chrome): "
            ".ci/run installs it (apt-get install -y chromium), or set DIGEST_CHROMIUM"
        )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, timeout=20_000)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content" / "world").mkdir(parents=True)
    (root / "content" / "science").mkdir(parents=True)
    (root / "site.yaml").write_text(
        'title: "Browser Test"\nbase_url: "https://u.github.io/repo/"\n'
    )
    (root / "content" / ARTICLE).write_text(textwrap.dedent(TEXT))
    (root / "content" / "science" / "2026-03-03-moths.md").write_text(textwrap.dedent(OTHER))
    return root


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """`digest serve --port 0` in a subprocess; yields the URL it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", "0", "--config", "site.yaml"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"Serving (http://\S+)", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        ready.wait(timeout=25)
        assert found, "digest serve did not start:\n" + "".join(lines)
        yield found[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=5)


def _wait_connected(page) -> None:
    page.wait_for_function(
        "() => window.LiveReload && window.LiveReload.connector"
        " && window.LiveReload.connector.protocol > 0",
        timeout=10_000,
    )
    time.sleep(0.1)  # the 'info' message that registers the page follows the handshake


def test_edit_reloads_page_and_errors_show_in_browser(browser, site: Path, served: str):
    page = browser.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(served + "world/harbour-wall/", wait_until="load")
        assert "Harbour wall repairs" in page.inner_text("h1")
        _wait_connected(page)

        # 1. edit the article: the page shows the new text by itself
        article = site / "content" / ARTICLE
        good = article.read_text().replace("began on Monday", "began on Saturday")
        t0 = time.monotonic()
        article.write_text(good)
        page.wait_for_function(
            "() => document.body && document.body.innerText.includes('began on Saturday')"
        )
        latency = time.monotonic() - t0
        print(f"\nedit-to-reload latency: {latency * 1000:.0f} ms")
        assert latency < 10
        _wait_connected(page)

        # 2. break the front matter: the page shows the error with file and line
        article.write_text(good.replace("date: 2026-03-01", "date: [2026-03-01"))
        page.wait_for_function(
            "() => document.body && document.body.innerText.includes('Build failed')"
        )
        text = page.inner_text("body")
        assert re.search(r"2026-03-01-harbour-wall\.md:\d+:", text), text
        _wait_connected(page)  # the error page live-reloads too

        # 3. fix it: the site comes back without a manual reload
        article.write_text(good)
        page.wait_for_function(
            "() => document.body && document.body.innerText.includes('began on Saturday')"
            " && !document.body.innerText.includes('Build failed')"
        )
        assert "Harbour wall repairs" in page.inner_text("h1")
    finally:
        page.close()
