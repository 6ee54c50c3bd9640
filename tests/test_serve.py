"""``digest serve``: base-path serving, safety, debounced rebuilds, error page, live reload."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import spy

from digest import publish
from digest.cli import main
from digest.publish import PREVIEW_LOCK, try_hold
from digest.serve import PreviewServer, inject, live_snippet, resolve

ARTICLES = {
    "world/2026-03-01-harbour-wall.md": """\
        ---
        title: "Harbour wall repairs begin in Port Ellis"
        date: 2026-03-01
        tags: [harbour]
        ---
        Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked the old stone.

        The council said the repairs would cost £2.4m and take about eight months to finish.
        """,
    "science/2026-03-03-moth-survey.md": """\
        ---
        title: "Volunteers count a record number of moths"
        date: 2026-03-03
        ---
        Volunteers in the Ellis valley counted more moths this year than in any survey since records began.

        The survey found 312 species, up from 280 two years ago.
        """,
}

ARTICLE = "world/2026-03-01-harbour-wall.md"


def make_site(root: Path, base_url: str = "https://user.github.io/repo/") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(f'title: "Serve Test"\nbase_url: "{base_url}"\n')
    for rel, text in ARTICLES.items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


class Running:
    def __init__(self, server: PreviewServer, log: list[str]) -> None:
        self.server, self.log = server, log

    @property
    def port(self) -> int:
        return self.server.port

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            conn.endheaders()
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, bytes]:
        status, _, body = self.request(path)
        return status, body

    @property
    def rebuilds(self) -> int:
        return self.server.preview.rebuilds

    def wait(self, cond: Callable[[], bool], timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if cond():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out; log: {self.log}")


@contextmanager
def serving(site: Path, **kw) -> Iterator[Running]:
    log: list[str] = []
    server = PreviewServer(site / "site.yaml", port=0, log=log.append, **kw)
    server.start()
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield Running(server, log)
    finally:
        server.stop()
        t.join(timeout=10)
        assert not t.is_alive()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def srv(site: Path) -> Iterator[Running]:
    with serving(site) as r:
        yield r


# ---------------------------------------------------------------- serving


def test_serves_under_base_path_with_redirects(srv: Running):
    status, headers, _ = srv.request("/")
    assert status in (301, 302) and headers["location"] == "/repo/"
    status, headers, _ = srv.request("/repo")
    assert status in (301, 302) and headers["location"] == "/repo/"
    status, body = srv.get("/repo/")  # the front page: the latest edition (front.days 1)
    assert status == 200 and b"Volunteers count a record number of moths" in body
    status, headers, _ = srv.request("/repo/world")
    assert status in (301, 302) and headers["location"] == "/repo/world/"
    status, headers, body = srv.request("/repo/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert b"livereload" not in body


def test_html_gets_live_reload_snippet(srv: Running):
    status, headers, body = srv.request("/repo/world/harbour-wall/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    head = body.split(b"</head>")[0]
    assert b"/livereload.js" in head
    status, _, js = srv.request("/livereload.js")
    assert status == 200 and b"LiveReload" in js
    status, build_id = srv.get("/__digest__/build")
    assert status == 200 and build_id.decode() in head.decode()


def test_missing_paths_get_the_404_page(srv: Running):
    for path in ("/repo/no-such-page/", "/elsewhere/", "/repo/world/nope.css"):
        status, body = srv.get(path)
        assert status == 404, path
        assert b"Page not found" in body and b"/livereload.js" in body
    status, headers, body = srv.request("/repo/missing/", method="HEAD")
    assert status == 404 and body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/repo/../site.yaml",
        "/repo/%2e%2e/site.yaml",
        "/repo/%2E%2E%2Fsite.yaml",
        "/repo/world/..%2f..%2fsite.yaml",
        "/repo//etc/passwd",
        "/repo/%2fetc%2fpasswd",
        "//etc/passwd",
        "/repo/.digest-output",
        "/repo/%00",
        "/repo/world%5c..%5c..%5csite.yaml",
        "/repo/%ff%fe",
    ],
)
def test_nothing_outside_the_site_is_served(srv: Running, path: str):
    status, body = srv.get(path)
    assert status == 404, path
    assert b"base_url" not in body and b"root:" not in body


def test_symlinks_are_not_followed(site: Path, srv: Running, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    root = srv.server.builder.state.root
    (root / "leak.txt").symlink_to(secret)
    (root / "leakdir").symlink_to(tmp_path)
    assert srv.get("/repo/leak.txt")[0] == 404
    assert srv.get("/repo/leakdir/secret.txt")[0] == 404


def test_resolve_unit(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.html").write_text("x")
    assert resolve(tmp_path, "a/b.html") == (tmp_path / "a" / "b.html").resolve()
    assert resolve(tmp_path, "a/") == (tmp_path / "a").resolve()
    for bad in ("../x", "a/../../x", "/etc/passwd", "a//b.html", ".hidden", "a\\b", "c:x", "\0"):
        assert resolve(tmp_path, bad) is None, bad


def test_inject_places_snippet_in_head():
    page = b"<html><HEAD><title>x</title></HEAD><body></body></html>"
    out = inject(page, live_snippet("abc"))
    assert out.index(b"livereload") < out.index(b"</HEAD>")
    assert inject(b"plain", "<script></script>").endswith(b"<script></script>")


def test_client_disconnecting_mid_response(site: Path):
    (site / "static").mkdir()
    (site / "static" / "big.bin").write_bytes(b"\0" * (8 * 1024 * 1024))
    with serving(site) as srv:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /repo/static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(1000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            s.close()  # RST mid-body
        status, headers, body = srv.request("/repo/static/big.bin")
        assert status == 200 and len(body) == 8 * 1024 * 1024
        assert srv.get("/repo/")[0] == 200


def test_preview_does_not_write_public(site: Path, srv: Running):
    assert srv.get("/repo/")[0] == 200
    assert not (site / "public").exists()  # the build cache (.digest-cache/) may be used


def test_warns_when_binding_all_interfaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["serve", "--host", "0.0.0.0", "--config", str(tmp_path / "none.yaml")]) == 1
    err = capsys.readouterr().err
    assert "warning" in err and "network" in err
    assert "configuration file not found" in err


def test_port_in_use_is_an_error(site: Path, capsys: pytest.CaptureFixture[str]):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        argv = ["serve", "--config", str(site / "site.yaml"), "--port", str(port)]
        assert main(argv) == 1
    assert "cannot listen" in capsys.readouterr().err


# ---------------------------------------------------------------- rebuilding


def _edit(site: Path, old: str, new: str, rel: str = ARTICLE) -> None:
    p = site / "content" / rel
    p.write_text(p.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_burst_of_changes_gives_one_rebuild(site: Path, srv: Running):
    before = srv.rebuilds
    for i in range(30):  # like `git checkout`: many files within a few ms
        p = site / "content" / "world" / f"2026-02-{(i % 28) + 1:02d}-burst-{i}.md"
        p.write_text(
            f"---\ntitle: Burst {i}\ndate: 2026-02-01\n---\nBurst article {i} text here.\n"
        )
        time.sleep(0.005)
    _edit(site, "Monday", "Tuesday")
    srv.wait(lambda: srv.rebuilds > before)
    time.sleep(0.8)  # a storm would show up here
    assert srv.rebuilds == before + 1, srv.log
    assert b"Burst 29" in srv.get("/repo/world/")[1] or b"page" in srv.get("/repo/world/")[1]
    assert srv.get("/repo/world/burst-29/")[0] == 200


def test_editor_save_pattern_gives_one_rebuild(site: Path, srv: Running):
    before = srv.rebuilds
    p = site / "content" / ARTICLE
    text = p.read_text()
    backup = p.with_name(p.name + "~")
    swap = p.with_name("." + p.name + ".swp")
    swap.write_text("swap")  # ignored
    backup.write_text(text)  # ignored
    p.unlink()
    time.sleep(0.03)
    p.write_text(text.replace("Monday", "Wednesday"))
    backup.unlink()
    swap.unlink()
    srv.wait(lambda: srv.rebuilds > before)
    time.sleep(0.6)
    assert srv.rebuilds == before + 1, srv.log
    assert b"Wednesday" in srv.get("/repo/world/harbour-wall/")[1]


def test_site_yaml_change_is_picked_up(site: Path, srv: Running):
    before = srv.rebuilds
    (site / "site.yaml").write_text('title: "Renamed Digest"\nbase_url: "/news/"\n')
    srv.wait(lambda: srv.rebuilds > before)
    status, headers, _ = srv.request("/")
    assert headers["location"] == "/news/"
    status, body = srv.get("/news/")
    assert status == 200 and b"Renamed Digest" in body
    assert srv.get("/repo/")[0] == 404


def test_failed_build_shows_error_keeps_assets_and_recovers(site: Path, srv: Running):
    before = srv.rebuilds
    p = site / "content" / ARTICLE
    good = p.read_text()
    p.write_text(good.replace("date: 2026-03-01", "date: [unclosed"))
    srv.wait(lambda: srv.rebuilds > before)
    for path in ("/repo/", "/repo/world/harbour-wall/", "/repo/science/", "/repo/missing/"):
        status, body = srv.get(path)
        assert status == 500, path
        text = body.decode()
        assert "Build failed" in text
        assert "2026-03-01-harbour-wall.md:" in text  # file:line
        assert "/livereload.js" in text  # the error page live-reloads too
    line = [ln for ln in body.decode().splitlines() if "harbour-wall.md:" in ln][0]
    assert line.split("harbour-wall.md:")[1].split(":")[0].isdigit()
    assert srv.get("/repo/static/style.css")[0] == 200  # last good site kept
    p.write_text(good)
    srv.wait(lambda: srv.rebuilds > before + 1)
    status, body = srv.get("/repo/world/harbour-wall/")
    assert status == 200 and b"Harbour wall repairs" in body


def test_template_error_names_template_and_line(site: Path, srv: Running):
    before = srv.rebuilds
    (site / "templates").mkdir()
    (site / "templates" / "_entry.html").write_text("<p>\n{{ entry.article.title }\n</p>\n")
    srv.wait(lambda: srv.rebuilds > before)
    status, body = srv.get("/repo/")
    assert status == 500
    assert "_entry.html:2" in body.decode(), body.decode()
    (site / "templates" / "_entry.html").unlink()
    srv.wait(lambda: srv.rebuilds > before + 1)
    assert srv.get("/repo/")[0] == 200


def test_first_build_failing_still_serves_error(tmp_path: Path):
    site = make_site(tmp_path / "site")
    (site / "site.yaml").write_text("title: [broken\n")
    with serving(site) as srv:
        status, body = srv.get("/")
        assert status == 500 and b"site.yaml:" in body
        (site / "site.yaml").write_text('title: "Fixed"\n')
        srv.wait(lambda: srv.rebuilds >= 2)
        status, body = srv.get("/")
        assert status == 200 and b"Fixed" in body


async def _reload_after_edit(port: int, edit: Callable[[], None]) -> tuple[dict, float]:
    from tornado.websocket import websocket_connect

    ws = await asyncio.wait_for(
        websocket_connect(
            f"ws://127.0.0.1:{port}/livereload",
            on_message_callback=None,
        ),
        10,
    )
    await ws.write_message(json.dumps({"command": "hello", "protocols": []}))
    hello = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert hello["command"] == "hello"
    await ws.write_message(json.dumps({"command": "info", "url": "http://x/", "plugins": {}}))
    await asyncio.sleep(0.1)
    t0 = time.monotonic()
    edit()
    msg = json.loads(await asyncio.wait_for(ws.read_message(), 15))
    ws.close()
    return msg, time.monotonic() - t0


def test_browser_reload_is_sent_after_the_rebuild(site: Path, srv: Running):
    # Same-origin check: the websocket handshake needs Origin == Host (tornado's default
    # client sends none, which tornado accepts); a foreign Origin is refused.
    msg, secs = asyncio.run(_reload_after_edit(srv.port, lambda: _edit(site, "Monday", "Thursday")))
    assert msg["command"] == "reload"
    # the moment the reload arrives, the new page is already there
    assert b"Thursday" in srv.get("/repo/world/harbour-wall/")[1]
    print(f"edit-to-reload-message: {secs * 1000:.0f} ms")
    assert secs < 5


def test_foreign_origin_websocket_is_refused(srv: Running):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(
        b"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n" % srv.port
    )
    reply = s.recv(200)
    s.close()
    assert reply.startswith(b"HTTP/1.1 403")


# ---------------------------------------------------------------- issue 18: hosts, names, signals


def _request_as(port: int, host: str, path: str = "/repo/") -> tuple[int, bytes]:
    """GET with a Host header of our choosing, as a DNS-rebinding page's browser sends."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_foreign_host_is_refused(srv: Running):
    paths = ["/repo/", "/repo/world/harbour-wall/", "/", "/__digest__/build", "/livereload.js"]
    for host in ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}"]:
        for path in paths:
            status, body = _request_as(srv.port, host.format(port=srv.port), path)
            assert status == 403, (host, path)
            assert body.startswith(b"403 forbidden: this digest preview answers only for 127.0.")
            assert b"Harbour" not in body and b"<" not in body


def test_local_host_names_are_answered(srv: Running):
    for host in ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LocalHost:{port}", "[::1]:{port}"]:
        status, body = _request_as(
            srv.port, host.format(port=srv.port), "/repo/world/harbour-wall/"
        )
        assert status == 200 and b"Harbour wall" in body, host


def test_hosts_allowed_for_the_bound_address():
    from digest.serve import Hosts

    named = Hosts("preview.lan")
    assert named.allows("preview.lan:8000") and named.allows("PREVIEW.LAN")
    assert named.allows("localhost:8000") and named.allows("[::1]")
    assert not named.allows("evil.example") and not named.allows("preview.lan.evil.example")
    assert not named.allows("192.168.1.5:8000") and not named.allows("")
    assert Hosts("::1").allows("[::1]:8000") and not Hosts("::1").allows("[::2]:8000")
    everywhere = Hosts("0.0.0.0")  # reachable on the network: by address, not by any name
    assert everywhere.allows("192.168.1.5:8000") and everywhere.allows("[fe80::1]:8000")
    assert not everywhere.allows("evil.example:8000")


def _handshake(port: int, host: str, origin: str) -> bytes:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(
            f"GET /livereload HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n".encode()
        )
        return s.recv(200)
    finally:
        s.close()


def test_websocket_with_origin_equal_to_a_foreign_host_is_refused(srv: Running):
    reply = _handshake(srv.port, f"evil.example:{srv.port}", f"http://evil.example:{srv.port}")
    assert reply.startswith(b"HTTP/1.1 403")
    reply = _handshake(srv.port, f"localhost:{srv.port}", f"http://localhost:{srv.port}")
    assert reply.startswith(b"HTTP/1.1 101")  # the preview's own page still connects


@pytest.mark.parametrize(
    "path", ["/repo/" + "a" * 256, "/repo/" + "b" * 300 + "/index.html", "/repo/" + "c/" * 3000]
)
def test_too_long_names_are_404_not_500(srv: Running, path: str, caplog: pytest.LogCaptureFixture):
    status, body = srv.get(path)
    assert status == 404 and b"404" in body
    assert "Uncaught exception" not in caplog.text and "OSError" not in caplog.text


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_signal_stops_serve_and_leaves_its_preview_folder_for_the_next(tmp_path: Path, sig: str):
    import re
    import signal
    import subprocess
    import sys

    site = make_site(tmp_path / "site")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--port", "0", "--config", "site.yaml"],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.match(r"Serving http://127\.0\.0\.1:\d+/repo/", line), line
        assert list(tmp.iterdir()) == []  # (no temporary folder: the kept preview folder)
        assert try_hold(site / ".digest-cache/preview" / PREVIEW_LOCK) is None  # (its own)
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
    assert list(tmp.iterdir()) == []
    assert (site / ".digest-cache/preview/site/world/harbour-wall/index.html").is_file()
    held = try_hold(site / ".digest-cache/preview" / PREVIEW_LOCK)  # (let go of)
    assert held is not None
    os.close(held)


def test_the_next_preview_starts_from_the_pages_the_last_one_left(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(site) as first:
        assert first.get("/repo/world/harbour-wall/")[0] == 200
    written: list[str] = []
    spy(monkeypatch, publish, "_put", lambda top, rel, *args: written.append(rel))
    with serving(site) as second:
        status, body = second.get("/repo/world/harbour-wall/")
        assert status == 200 and b"Harbour wall" in body
    assert written == []  # (every page was there already)


def test_a_symlink_in_the_place_of_the_preview_folder_is_never_followed(
    site: Path, tmp_path: Path
) -> None:
    from digest.serve import preview_folder

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / ".digest-cache/preview").mkdir(parents=True)
    (site / ".digest-cache/preview/site").symlink_to(elsewhere)
    assert preview_folder(site / "site.yaml") is None  # (a temporary folder instead)
    with serving(site) as running:
        assert running.get("/repo/world/harbour-wall/")[0] == 200
        assert running.server.builder.output != site / ".digest-cache/preview/site"
    assert list(elsewhere.iterdir()) == []


def test_a_second_preview_of_one_site_builds_into_a_temporary_folder(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    with serving(site) as first, serving(site) as second:
        assert list(tmp.iterdir()) != []  # (the second's: the first holds the kept one)
        for running in (first, second):
            status, body = running.get("/repo/world/harbour-wall/")
            assert status == 200 and b"Harbour wall" in body
        first_out = first.server.builder.output
        assert first_out == site / ".digest-cache/preview/site"
        assert second.server.builder.output.parent.parent == tmp
    assert list(tmp.iterdir()) == []  # (the temporary folder goes when it stops)


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child: SIGINT as a terminal's Ctrl+C finds it.  A test run started in the
    background of a non-interactive shell (``pytest &``) passes on SIGINT ignored, and a
    Python started so never turns it into KeyboardInterrupt."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
