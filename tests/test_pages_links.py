"""GitHub Pages: a site built for https://user.github.io/repo/ and served under /repo/
has no broken internal link or asset (href, src, CSS url(), feeds, sitemap)."""

from __future__ import annotations

import http.client
import re
import textwrap
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from digest.serve import PreviewServer

BASE = "https://user.github.io/repo/"

SITE_YAML = """\
    title: "Links Test"
    description: "Every link must work under /repo/"
    base_url: "https://user.github.io/repo/"
    cname: null
    pagination:
      size: 2
    related:
      min_score: 0.01
    """

ARTICLES = {
    "world/2026-03-01-harbour-wall.md": """\
        ---
        title: "Harbour wall repairs begin in Port Ellis"
        date: 2026-03-01
        tags: [harbour, repairs, "Port Ellis"]
        source: "Ellis Gazette (test)"
        source_url: "https://example.com/harbour-wall"
        image: /static/harbour.png
        ---
        Work to repair the harbour wall in Port Ellis began on Monday after storms cracked the stone.

        See the [science desk](/science/) and the [moth survey](/science/moth-survey/), and this
        [map](/static/harbour.png "map").

        ![The harbour](/static/harbour.png)

        The council said the repairs would cost £2.4m and take about eight months to finish.
        """,
    "world/2026-03-05-harbour-funding.md": """\
        ---
        title: "Port Ellis harbour wall gets extra funding"
        date: 2026-03-05
        tags: [harbour, funding]
        ---
        The national government has added £600,000 to the budget for the harbour wall repairs.

        Council leaders said the extra money would pay for a stronger concrete core in the wall.
        """,
    "science/2026-03-03-moth-survey.md": """\
        ---
        title: "Volunteers count a record number of moths"
        date: 2026-03-03
        tags: [wildlife, volunteers]
        ---
        Volunteers in the Ellis valley counted more moths this year than in any survey since records.

        The survey found 312 species, up from 280 two years ago, near the harbour wall.
        """,
    "science/2026-03-07-moth-followup.md": """\
        ---
        title: "Moth survey volunteers plan a second count"
        date: 2026-03-07
        tags: [wildlife, volunteers]
        ---
        After the record moth survey, the volunteers will repeat the count in the autumn.

        The organisers want more gardens with light traps and are asking for new volunteers.
        """,
    "culture-and-arts/2026-02-20-harbour-festival.md": """\
        ---
        title: "Harbour festival returns with boats & bands"
        date: 2026-02-20
        tags: [harbour, "music & arts"]
        ---
        The harbour festival returns to Port Ellis this summer with boat races and bands.

        Organisers said the festival would avoid the part of the harbour wall under repair.
        """,
}

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def make_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(textwrap.dedent(SITE_YAML), encoding="utf-8")
    for rel, text in ARTICLES.items():
        p = root / "content" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "static").mkdir()
    (root / "static" / "harbour.png").write_bytes(PNG)
    (root / "static" / "extra.css").write_text(
        "body { background: url('harbour.png'); }\n@import url(\"/repo/static/harbour.png\");\n"
    )
    return root


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.canonical: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name):
                self.links.append(a[name])
        if a.get("srcset"):
            self.links += [part.strip().split()[0] for part in a["srcset"].split(",")]
        if tag == "meta" and a.get("property") in ("og:url", "og:image") and a.get("content"):
            self.links.append(a["content"])
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"] or "")


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    site = make_site(tmp_path_factory.mktemp("pages") / "site")
    srv = PreviewServer(site / "site.yaml", port=0, log=lambda m: None)
    state = srv.start()
    assert not state.failed, state.problems
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.stop()
    t.join(timeout=10)


def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type") or "", r.read()
    finally:
        conn.close()


def local_path(url: str, page: str) -> str | None:
    """The server path of an internal link (None for external ones)."""
    url, _ = urldefrag(url)
    if not url or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    if url.startswith(BASE):
        url = "/repo/" + url[len(BASE) :]
    parts = urlsplit(urljoin("http://preview" + page, url))
    if parts.netloc != "preview":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_internal_link_and_asset_resolves(server: PreviewServer):
    port = server.port
    start = ["/repo/", "/repo/404.html", "/repo/sitemap.xml", "/repo/feed.xml", "/repo/rss.xml"]
    start.append("/repo/static/extra.css")  # a site stylesheet with url() references
    queue, seen, broken = list(start), set(start), []
    pages = 0
    while queue:
        path = queue.pop()
        status, ctype, body = fetch(port, path)
        if status != 200:
            broken.append((path, status))
            continue
        found: list[str] = []
        if ctype.startswith("text/html"):
            pages += 1
            parser = Links()
            parser.feed(body.decode("utf-8"))
            found = parser.links
            if not path.endswith(("404.html", "/email.html")):  # email: no canonical
                assert parser.canonical and parser.canonical[0].startswith(BASE), path
                assert local_path(parser.canonical[0], path) in (path, unquote(path)), path
        elif ctype.startswith("text/css"):
            found = _CSS_URL.findall(body.decode("utf-8"))
        elif path.endswith(".xml"):
            root = ET.fromstring(body)
            for el in root.iter():
                if el.tag.endswith("}loc") or el.tag in ("link",):
                    found.append(el.text or el.get("href") or "")
                elif el.tag.endswith("}link") and el.get("rel") != "via":
                    found.append(el.get("href") or "")
        for link in found:
            target = local_path(link, path)
            if target is None or target.startswith(("/livereload", "/__digest__")):
                continue
            assert target.startswith("/repo/"), f"{path} links outside the base path: {link}"
            if target not in seen:
                seen.add(target)
                queue.append(target)
    print(f"crawled {len(seen)} URLs, {pages} HTML pages")
    assert not broken, broken
    assert pages >= 15, pages  # home + 2 pages, articles, sections, tags, archive, 404
    assert "/repo/static/style.css" in seen
    assert "/repo/static/harbour.png" in seen
    assert "/repo/editions/" in seen  # the front page shows editions (no /page/2/)
    assert any(p.startswith("/repo/editions/20") for p in seen)
    assert "/repo/world/feed.xml" in seen  # section feed discovery
    assert "/repo/culture-and-arts/" in seen


def test_missing_page_is_404_page_with_working_links(server: PreviewServer):
    status, ctype, body = fetch(server.port, "/repo/no/such/page/")
    assert status == 404 and ctype.startswith("text/html")
    parser = Links()
    parser.feed(body.decode())
    for link in parser.links:
        target = local_path(link, "/repo/no/such/page/")
        if target and not target.startswith(("/livereload", "/__digest__")):
            assert fetch(server.port, target)[0] == 200, link


def test_github_pages_files_are_there(server: PreviewServer):
    root = server.builder.state.root
    assert root is not None and (root / ".nojekyll").is_file()
    assert (root / "404.html").is_file()
    assert not (root / "CNAME").exists()
