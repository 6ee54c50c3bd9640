"""The email edition: email.html follows the rules mail clients need; email.txt is plain."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from storysite import story_site

from digest.build import BuildOptions, build
from digest.config import load_config


class _Email(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.widths: list[int] = []
        self.bad: list[str] = []
        self.styled = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if tag in ("script", "style", "iframe", "form", "object"):
            self.bad.append(tag)
        if tag == "link" and "stylesheet" in a.get("rel", ""):
            self.bad.append("stylesheet link")
        if "class" in a:
            self.bad.append(f"class on {tag} (no stylesheet to give it meaning)")
        if any(k.startswith("on") for k in a):
            self.bad.append(f"event handler on {tag}")
        for k in ("href", "src"):
            if k in a:
                self.urls.append(a[k])
        if "width" in a and a["width"].isdigit():
            self.widths.append(int(a["width"]))
        style = a.get("style", "")
        if style:
            self.styled += 1
        for px in re.findall(r"(?:^|;)\s*(?:max-)?width:\s*(\d+)px", style):
            self.widths.append(int(px))


def built(tmp_path: Path) -> Path:
    root = story_site(tmp_path / "s")
    build(load_config(root / "site.yaml"), BuildOptions())
    return root / "public/editions/2026-11-25"


def test_email_html_is_mail_ready(tmp_path: Path) -> None:
    html = (built(tmp_path) / "email.html").read_text(encoding="utf-8")
    p = _Email()
    p.feed(html)
    assert p.bad == []
    assert "table" in p.tags and "div" not in p.tags  # table layout
    assert p.widths and max(p.widths) <= 640
    assert p.styled >= 10  # inline CSS
    assert p.urls and all(u.startswith("https://news.example.org/") for u in p.urls), p.urls
    assert "Kestrel Bridge" in html and "Full coverage" in html
    assert "https://news.example.org/stories/bridge-closed/" in p.urls
    assert "https://news.example.org/editions/2026-11-25/" in p.urls  # read on the web
    assert len(html.encode()) < 20_000


def test_email_txt_is_plain_text(tmp_path: Path) -> None:
    text = (built(tmp_path) / "email.txt").read_text(encoding="utf-8")
    assert text.startswith("Story Test\nWednesday, 25 November 2026\n")
    assert "<" not in text and "&amp;" not in text
    for line in text.splitlines():
        assert len(line) <= 72 or re.search(r"https://\S+$", line), line
    assert "1. Kestrel Bridge" in text or "1. Hauliers" in text  # the story leads
    assert "Full coverage: https://news.example.org/stories/bridge-closed/" in text
    assert "https://news.example.org/science/moths/" in text
    assert text.endswith("All editions: https://news.example.org/editions/\n")


def test_plain_text_lines_are_wrapped_as_textwrap_wraps_them() -> None:
    """The quick wrap of plain headlines gives textwrap's lines, whatever the text."""
    import random
    import textwrap

    from digest.newsletter import WIDTH, _wrap

    rng = random.Random(5)
    pieces = ["a", "Minister", "re-election", "£3.2bn", "naïve", "x" * 69, "y" * 72, "z" * 80]
    pieces += ["", " ", "  ", "\t", "\n", "\u00a0", "word\u00a0joined", "—", "..."]
    for _ in range(3000):
        words = rng.choices(pieces[:5], k=rng.randint(0, 40))
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), rng.choice(pieces[5:]))
        text = " ".join(words)
        for indent in ("", "   "):
            want = textwrap.wrap(
                text,
                WIDTH,
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            ) or [indent.rstrip()]
            assert _wrap(text, indent) == want, (text, indent)
