"""The default theme in a real browser, on the example site: axe-core finds no
violations (light and dark), no horizontal scroll at 320 px, tap targets at least
24 x 24 px on a phone, and a front page under 40 KB that reads without JavaScript.

Needs headless Chromium and Playwright (see tests/test_browser.py) and, for the axe
checks, the npm package axe-core: .ci/run installs it into ~/.cache/digest-ci-tools
(or set AXE_CORE_JS to its axe.min.js).  Each check skips with the reason when absent.
"""

from __future__ import annotations

import functools
import http.server
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM_ARGS, _chromium

REPO = Path(__file__).resolve().parent.parent
PAGES = {
    "front": "",
    "story": "stories/kestrel-bridge-closed-cracks/",
    "edition": "editions/2026-11-27/",
    "article": "world/northwind-rail-valley-towns-react/",
    "article-summary": "uk-news/larkmoor-sandbags/",
    "section": "world/",
    "section-page-2": "world/page/2/",
    "tag": "tags/kestrel-bridge/",
    "archive": "archive/",
}


def _axe_js() -> Path | None:
    env = os.environ.get("AXE_CORE_JS")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    for c in (env, cache / "digest-ci-tools" / "node_modules" / "axe-core" / "axe.min.js"):
        if c and Path(c).is_file():
            return Path(c)
    return None


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("example") / "public"
    subprocess.run(
        [sys.executable, "-m", "digest", "build", "--output", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python not installed: pip install playwright"
    )
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium not found on PATH: .ci/run installs it, or set DIGEST_CHROMIUM")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, timeout=20_000)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_violations(browser, served, kind: str, scheme: str) -> None:
    axe = _axe_js()
    if axe is None:
        pytest.skip(
            "axe-core not found: npm install --prefix ~/.cache/digest-ci-tools axe-core "
            "(as .ci/run does), or set AXE_CORE_JS to axe.min.js"
        )
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = ctx.new_page()
        page.goto(served + PAGES[kind])
        page.add_script_tag(content=axe.read_text(encoding="utf-8"))
        got = page.evaluate(
            "async () => (await axe.run(document)).violations"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
    finally:
        ctx.close()
    assert got == [], f"{kind} ({scheme}): {got}"


@pytest.mark.parametrize("kind", list(PAGES))
def test_phone_no_horizontal_scroll_and_tap_targets(browser, served, kind: str) -> None:
    ctx = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = ctx.new_page()
        page.goto(served + PAGES[kind])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{kind}: horizontal scroll ({width} px wide at 320 px)"
        page.set_viewport_size({"width": 390, "height": 800})
        small = page.evaluate(
            """() => [...document.querySelectorAll('a[href], button')].filter(e => {
                const r = e.getBoundingClientRect();
                if (r.right <= 0 || r.bottom <= 0 || getComputedStyle(e).visibility === 'hidden')
                    return false;  /* the skip link, off screen until focused */
                return r.width < 24 || r.height < 24;
            }).map(e => e.textContent.trim().slice(0, 40) + ' ' + JSON.stringify(
                [Math.round(e.getBoundingClientRect().width),
                 Math.round(e.getBoundingClientRect().height)]))"""
        )
    finally:
        ctx.close()
    assert small == [], f"{kind}: tap targets under 24 x 24 px: {small}"


def test_front_page_small_and_readable_without_javascript(browser, served) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        sizes: list[int] = []
        page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
        page.goto(served)
        page.wait_for_load_state("load")
        text = page.inner_text("main")
        leads = page.locator(".lead-story .entry-title").count()
    finally:
        ctx.close()
    assert leads == 1
    assert len(text.split()) > 200, "the front page shows its stories without JavaScript"
    assert sum(sizes) <= 40_000, f"front page HTML + CSS + favicon: {sum(sizes)} bytes"
