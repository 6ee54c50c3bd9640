"""``digest fetch`` against a local HTTP server (127.0.0.1, port 0) serving fixture feeds
and pages: good RSS, Atom and JSON feeds, and slow, huge, malformed, redirecting and
robots-forbidden ones. Nothing here touches the internet."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from digest.build import BuildOptions, build
from digest.cli import main
from digest.config import load_config
from digest.fetch import USER_AGENT, Client, FetchError, Limits, fetch, markdown_text

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Herald</title><link>{base}/</link>
<item><title>Harbour wall repairs begin in Port Ellis</title><link>{base}/a/harbour</link>
<guid>herald-1</guid><pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked it.&lt;/p&gt;&lt;p&gt;The council said the repairs would cost 2.4 million and take about eight months to finish.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Volunteers count a *record* number of moths</title><link>{base}/a/moths</link>
<guid>herald-2</guid><pubDate>Tue, 03 Mar 2026 09:30:00 GMT</pubDate>
<description>Volunteers in the Ellis valley counted more moths this year than in any survey since records began. # Not a heading &lt;b&gt;bold&lt;/b&gt;</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Valley Post</title><id>urn:valley</id>
<updated>2026-03-04T10:00:00Z</updated>
<entry><title>New ferry timetable for the Skerra crossing</title><id>urn:valley:1</id>
<link href="{base}/p/ferry"/><updated>2026-03-04T10:00:00Z</updated>
<content type="html">&lt;p&gt;The Skerra ferry will run every forty minutes from April, the operator said on Wednesday.&lt;/p&gt;</content></entry>
</feed>"""

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Comet Watch",
    "items": [
        {
            "id": "cw-1",
            "url": "{base}/c/1",
            "title": "Comet Halvorsen brightens",
            "content_text": "Amateur astronomers saw the comet brighten sharply on Thursday night.\n\nIt may be visible to the naked eye next week.",
            "date_published": "2026-03-05T21:00:00Z",
            "tags": ["space"],
        }
    ],
}

PAGE = """<!doctype html><html><head><title>Harbour wall repairs begin | Herald</title>
<link rel="canonical" href="{base}/a/harbour">
<meta property="article:published_time" content="2026-03-02T08:00:00Z"></head>
<body><article><h1>Harbour wall repairs begin</h1>
<p>Work to repair the harbour wall in Port Ellis began on Monday after winter storms cracked it badly.</p>
<p>The council said the repairs would cost 2.4 million pounds and take about eight months to finish.</p>
<p>Fishermen welcomed the news but said the delay had cost them a season of work in the harbour.</p>
</article></body></html>"""

ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass
class Fixture:
    """What the server serves, and what it saw."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    active: int = 0
    most_active: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""


def _handler(fx: Fixture) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            with fx.lock:
                fx.requests.append((self.path, self.headers.get("User-Agent", "")))
                fx.active += 1
                fx.most_active = max(fx.most_active, fx.active)
            try:
                self._serve()
            finally:
                with fx.lock:
                    fx.active -= 1

        def _serve(self) -> None:
            path = self.path
            if path == "/slow.xml":  # a byte every 0.3 s, forever (well, 60 s)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(200):
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.3)
                return
            if path == "/stall.xml":  # headers, then nothing
                self.send_response(200)
                self.send_header("Content-Length", "10")
                self.end_headers()
                time.sleep(5)
                return
            if path == "/huge.xml":  # no Content-Length, just more and more bytes
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<!-- " + b"x" * 65536 + b" -->"
                try:
                    for _ in range(200):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                self.close_connection = True
                return
            if path == "/gzip-bomb.xml":
                body = gzip.compress(b" " * (8 * 1024 * 1024))
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            status, headers, body = fx.routes.get(path, (404, {}, b"not found"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v.replace("{base}", fx.base))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def server() -> Iterator[Fixture]:
    with serve_fixtures() as fx:
        yield fx


@contextmanager
def serve_fixtures() -> Iterator[Fixture]:
    """The fixture server, running on 127.0.0.1 at a free port (``fx.base``)."""
    fx = Fixture()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(fx))
    httpd.daemon_threads = True
    fx.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    b = fx.base

    def text(body: str, ctype: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": ctype}, body.replace("{base}", b).encode()

    fx.routes.update(
        {
            "/robots.txt": text(ROBOTS, "text/plain"),
            "/rss.xml": text(RSS, "application/rss+xml"),
            "/atom.xml": text(ATOM, "application/atom+xml"),
            "/feed.json": text(json.dumps(JSON_FEED), "application/feed+json"),
            "/a/harbour": text(PAGE, "text/html; charset=utf-8"),
            "/a/moths": text(PAGE.replace("Harbour wall", "Moths"), "text/html"),
            "/malformed.xml": text("<rss><channel><title>x</title><item><title>a", "text/xml"),
            "/not-a-feed.xml": text("<html><body>hello</body></html>", "text/html"),
            "/error.xml": (500, {"Content-Type": "text/plain"}, b"boom"),
            "/private/feed.xml": text(RSS, "application/rss+xml"),
            "/moved.xml": (301, {"Location": "/rss.xml"}, b""),
            "/to-ftp.xml": (302, {"Location": "ftp://127.0.0.1/feed.xml"}, b""),
            "/to-file.xml": (302, {"Location": "file:///etc/passwd"}, b""),
            "/loop.xml": (302, {"Location": "/loop.xml"}, b""),
        }
    )
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield fx
    finally:
        httpd.shutdown()
        httpd.server_close()


FAST = Limits(delay=0.0, connect_timeout=2, read_timeout=1.0, deadline=3.0, max_bytes=1_000_000)


def _site(root: Path, base: str, feeds: dict[str, dict]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    data = {"title": "T", "base_url": "https://example.org/", "feeds": feeds}
    (root / "site.yaml").write_text(yaml.safe_dump(data))
    return root


def _front(path: Path) -> dict:
    _, fm, _ = path.read_text().split("---\n", 2)
    return yaml.safe_load(fm)


def test_rss_atom_and_json_items_become_files_that_build(server: Fixture, tmp_path: Path):
    b = server.base
    root = _site(
        tmp_path / "site",
        b,
        {
            "news/herald": {"url": f"{b}/rss.xml", "section": "World", "tags": ["harbour"]},
            "news/valley": {"url": f"{b}/atom.xml", "source": "The Valley Post"},
            "space": {"url": f"{b}/feed.json"},
        },
    )
    cfg = load_config(root).fetch
    assert cfg is not None
    result = fetch(cfg, FAST)
    assert (result.new, result.skipped, result.failed) == (4, 0, 0), result
    assert result.closing_line() == "fetched 3 feeds: 4 new items, 0 skipped, 0 failed"
    herald = sorted((root / "content/news/herald").glob("*.md"))
    assert [p.name for p in herald] == [
        "2026-03-02-harbour-wall-repairs-begin-in-port-ellis.md",
        "2026-03-03-volunteers-count-a-record-number-of-moths.md",
    ]
    fm = _front(herald[0])
    assert fm == {
        "title": "Harbour wall repairs begin in Port Ellis",
        "date": "2026-03-02T08:00:00+00:00",
        "source": "Harbour Herald",
        "source_url": f"{b}/a/harbour",
        "section": "World",
        "tags": ["harbour"],
    }
    text = herald[0].read_text()
    assert "alert(1)" not in text and "<script" not in text
    moths = herald[1].read_text()
    assert "\\*record\\*" in _front(herald[1])["title"] or "*record*" in _front(herald[1])["title"]
    assert "\\# Not a heading" in moths and "<b>" not in moths
    assert _front(next((root / "content/news/valley").glob("*.md")))["source"] == "The Valley Post"
    comet = next((root / "content/space").glob("*.md"))
    assert _front(comet)["date"] == "2026-03-05T21:00:00+00:00"
    assert "naked eye" in comet.read_text()
    state = json.loads((root / "content/news/herald/_fetched.json").read_text())
    assert set(state["items"]) == {"herald-1", "herald-2"}
    # every request named digest and its URL; robots.txt was asked once per host
    assert {ua for _, ua in server.requests} == {USER_AGENT}
    assert "digest" in USER_AGENT and "http" in USER_AGENT
    assert [p for p, _ in server.requests].count("/robots.txt") == 1
    # the fetched items build (strictly: no unknown front-matter key, nothing guessed)
    built = build(load_config(root), BuildOptions(strict=True, output=tmp_path / "out"))
    assert built.articles == 4
    page = (tmp_path / "out/world/harbour-wall-repairs-begin-in-port-ellis/index.html").read_text()
    assert "Port Ellis" in page


def test_second_run_skips_everything_and_writes_nothing(server: Fixture, tmp_path: Path):
    b = server.base
    root = _site(tmp_path / "s", b, {"herald": {"url": f"{b}/rss.xml"}})
    cfg = load_config(root).fetch
    assert cfg is not None
    assert fetch(cfg, FAST).new == 2
    before = {p: p.stat().st_mtime_ns for p in (root / "content").rglob("*")}
    again = fetch(cfg, FAST)
    assert (again.new, again.skipped, again.failed) == (0, 2, 0)
    assert {p: p.stat().st_mtime_ns for p in (root / "content").rglob("*")} == before


def test_resumes_after_an_interruption(server: Fixture, tmp_path: Path):
    """A run that wrote one item (and its state) then died: the next writes only the rest;
    a file written but not yet recorded is never duplicated (its slug is taken)."""
    b = server.base
    root = _site(tmp_path / "s", b, {"herald": {"url": f"{b}/rss.xml"}})
    cfg = load_config(root).fetch
    assert cfg is not None
    fetch(cfg, FAST)
    folder = root / "content/herald"
    state = json.loads((folder / "_fetched.json").read_text())
    del state["items"]["herald-2"]
    (folder / "_fetched.json").write_text(json.dumps(state))
    (folder / "2026-03-03-volunteers-count-a-record-number-of-moths.md").unlink()
    # and a temporary file left by a killed write is not an article
    (folder / ".2026-03-03-x.md.123.tmp").write_text("half")
    again = fetch(cfg, FAST)
    assert (again.new, again.skipped) == (1, 1)
    assert len(list(folder.glob("*.md"))) == 2
    assert build(load_config(root), BuildOptions(strict=True, output=tmp_path / "o")).articles == 2


def test_same_title_twice_gets_distinct_slugs(server: Fixture, tmp_path: Path):
    b = server.base
    root = _site(
        tmp_path / "s", b, {"one": {"url": f"{b}/rss.xml"}, "two": {"url": f"{b}/moved.xml"}}
    )
    cfg = load_config(root).fetch
    assert cfg is not None
    assert fetch(cfg, FAST).new == 4
    # two feeds with the same items: the URLs (slugs) never collide
    assert build(load_config(root), BuildOptions(output=tmp_path / "o")).articles == 4


def test_fetch_pages_stores_html_read_like_a_saved_page(server: Fixture, tmp_path: Path):
    b = server.base
    root = _site(
        tmp_path / "s",
        b,
        {"herald": {"url": f"{b}/rss.xml", "fetch_pages": True, "section": "World"}},
    )
    cfg = load_config(root).fetch
    assert cfg is not None
    result = fetch(cfg, FAST)
    assert (result.new, result.failed) == (2, 0)
    pages = sorted((root / "content/herald").glob("*.html"))
    assert len(pages) == 2 and pages[0].read_text().startswith("<!doctype html>")
    defaults = yaml.safe_load((root / "content/herald/_source.yaml").read_text())
    assert defaults == {"source": "Harbour Herald", "section": "World"}
    out = tmp_path / "o"
    assert build(load_config(root), BuildOptions(output=out)).articles == 2
    data = json.loads((out / "articles.json").read_text())
    assert {a["section"] for a in data["articles"]} == {"World"}
    assert any(a["source_url"] == f"{b}/a/harbour" for a in data["articles"])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/malformed.xml", "malformed feed"),
        ("/not-a-feed.xml", "not a feed"),
        ("/error.xml", "HTTP 500"),
        ("/missing.xml", "HTTP 404"),
        ("/private/feed.xml", "robots.txt"),
        ("/to-ftp.xml", "not http(s)"),
        ("/to-file.xml", "not http(s)"),
        ("/loop.xml", "redirects"),
        ("/huge.xml", "over 1,000,000 bytes"),
        ("/gzip-bomb.xml", "over 1,000,000 bytes"),
        ("/slow.xml", "longer than 3 s"),
        ("/stall.xml", "timed out"),
    ],
)
def test_a_bad_feed_is_reported_and_the_others_still_fetched(
    server: Fixture, tmp_path: Path, path: str, message: str
):
    b = server.base
    root = _site(tmp_path / "s", b, {"bad": {"url": b + path}, "good": {"url": f"{b}/atom.xml"}})
    cfg = load_config(root).fetch
    assert cfg is not None
    started = time.monotonic()
    result = fetch(cfg, FAST)
    assert time.monotonic() - started < 15
    bad, good = result.reports
    assert bad.error and message in bad.error, bad.error
    assert (good.new, good.error) == (1, None)
    assert result.failed == 1
    assert not (root / "content/bad").exists() or not list((root / "content/bad").iterdir())


def test_redirect_is_followed_to_http(server: Fixture, tmp_path: Path):
    root = _site(tmp_path / "s", server.base, {"moved": {"url": f"{server.base}/moved.xml"}})
    cfg = load_config(root).fetch
    assert cfg is not None
    assert fetch(cfg, FAST).new == 2


def test_robots_forbidden_page_is_an_item_failure(server: Fixture, tmp_path: Path):
    b = server.base
    rss = RSS.replace("{base}/a/moths", "{base}/private/moths").replace("{base}", b)
    server.routes["/mixed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss.encode())
    root = _site(tmp_path / "s", b, {"mixed": {"url": f"{b}/mixed.xml", "fetch_pages": True}})
    cfg = load_config(root).fetch
    assert cfg is not None
    result = fetch(cfg, FAST)
    (report,) = result.reports
    assert (report.new, report.failed) == (1, 1)
    assert "robots.txt" in report.item_errors[0]
    assert "/private/moths" not in [p for p, _ in server.requests]
    # the failed item is not recorded: the next run tries it again
    state = json.loads((root / "content/mixed/_fetched.json").read_text())
    assert list(state["items"]) == ["herald-1"]


def test_politeness_two_connections_per_host_and_a_delay(server: Fixture):
    client = Client(Limits(delay=0.2, per_host=2))
    b = server.base
    threads = [threading.Thread(target=client.get, args=(f"{b}/rss.xml",)) for _ in range(6)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # robots.txt plus six feeds, each start at least 0.2 s after the one before
    assert time.monotonic() - started >= 6 * 0.2
    assert server.most_active <= 2
    with pytest.raises(FetchError, match="robots.txt"):
        client.get(f"{b}/private/feed.xml")


def test_markdown_text_escapes_markup():
    md = markdown_text(
        "<p>1. Not a list</p><p>- nor this</p><p>a <b>b</b> [c](javascript:x) &lt;img&gt; `d`</p>"
    )
    assert md.split("\n\n") == [
        "1\\. Not a list",
        "\\- nor this",
        "a b \\[c\\](javascript:x) &lt;img&gt; \\`d\\`",
    ]


def test_command_reports_per_feed_and_exit_status(
    server: Fixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    import digest.fetch

    monkeypatch.setattr(digest.fetch, "Limits", lambda: FAST)
    b = server.base
    root = _site(
        tmp_path / "s", b, {"good": {"url": f"{b}/rss.xml"}, "bad": {"url": f"{b}/malformed.xml"}}
    )
    assert main(["fetch", "--config", str(root / "site.yaml")]) == 1
    out, err = capsys.readouterr()
    assert "ok good: 2 new, 0 skipped" in out
    assert "FAILED bad: malformed feed" in err
    assert out.strip().splitlines()[-1] == "fetched 2 feeds: 2 new items, 0 skipped, 1 failed"
    assert main(["fetch", "--config", str(root / "site.yaml"), "--feed", "good"]) == 0
    assert "fetched 1 feed: 0 new items, 2 skipped, 0 failed" in capsys.readouterr().out
    assert main(["fetch", "--config", str(root / "site.yaml"), "--feed", "nope"]) == 2


def test_feeds_config_is_checked(tmp_path: Path, capsys):
    (tmp_path / "site.yaml").write_text(
        "feeds:\n  a: {section: X}\n  b: {url: /relative}\n  ../up: {url: 'https://e.org/f'}\n"
    )
    assert main(["fetch", "--config", str(tmp_path / "site.yaml")]) == 1
    err = capsys.readouterr().err
    assert "feeds.a.url: is required" in err
    assert "feeds.b.url: '/relative' is not an http(s) URL" in err
    assert "feeds.../up:" in err
