"""Shortcodes from Hugo (``{{< name args >}}``, ``{{% name args %}}``) and Zola
(``{{ name(args) }}``, ``{% name(args) %}``) in Markdown bodies.

The common ones become plain, safe HTML: ``youtube`` and ``vimeo`` a link to the
video, ``gist`` a link to the gist, ``tweet``/``x`` a link to the post, ``figure``
an image with its caption.  No iframe, no script: every value is checked (an id is
letters and digits, a URL is http(s) or a site path) and escaped, and the article's
HTML is still sanitized afterwards.  Any other shortcode, or one whose values do not
pass, is left in the text as plain (escaped) text, with a warning naming file and
line.  Hugo's escaped form ``{{</* name */>}}`` shows the shortcode itself.
Shortcodes inside code (fenced blocks or `spans`) are left alone.  Hugo's
``{{< highlight LANG >}}`` ... ``{{< /highlight >}}``, each on a line of its own,
becomes a fenced code block; ``vimeo_simple`` and ``twitter_simple`` are read as
``vimeo`` and ``tweet``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from digest.config import url_problem
from digest.errors import Problems

_ARG = re.compile(
    r"""\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|[^\s,"'`=]+)\s*,?"""
)
_SHORTCODE = re.compile(
    r"""(?P<code>`+[^`\n]*`+)"""
    r"""|\{\{<\s*(?P<hugo>/?[A-Za-z_][\w./-]*|/\*.*?\*/)(?P<hargs>.*?)\s*>\}\}"""
    r"""|\{\{%\s*(?P<hugo2>/?[A-Za-z_][\w./-]*|/\*.*?\*/)(?P<hargs2>.*?)\s*%\}\}"""
    r"""|\{\{\s*(?P<zola>[A-Za-z_]\w*)\s*\((?P<zargs>(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^)"'])*)\)\s*\}\}"""
    r"""|\{%\s*(?P<zblock>[A-Za-z_]\w*)\s*\((?P<zbargs>(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^)"'])*)\)\s*%\}"""
)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HIGHLIGHT = re.compile(
    r"^[ \t]{0,3}\{\{([<%])\s*highlight(?:\s+(?P<lang>[\w+#.-]{1,40}))?[^}]*?\s*[>%]\}\}\s*$"
)
_HIGHLIGHT_END = re.compile(r"^[ \t]{0,3}\{\{[<%]\s*/highlight\s*[>%]\}\}\s*$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^[0-9]{1,30}$")
_USER = _ID  # a user name: the same characters as an id

Args = tuple[list[str], dict[str, str]]


def parse_args(text: str) -> Args:
    """Positional and named arguments: ``a "b c" key="d"`` or ``key="d", n=2``."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in _ARG.finditer(text):
        if not m.group(2):
            continue
        value = m.group(2)
        if value[:1] in "\"'`" and len(value) >= 2:
            value = value[1:-1]
            value = re.sub(r"\\(.)", r"\1", value)
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
    return positional, named


def _link(url: str, text: str, kind: str) -> str:
    return (
        f'<a class="shortcode {kind}" href="{html.escape(url)}" rel="noopener noreferrer">'
        f"{html.escape(text)}</a>"
    )


def _youtube(pos: list[str], named: dict[str, str]) -> str | None:
    vid = named.get("id") or (pos[0] if pos else "")
    if not _ID.match(vid):
        return None
    title = named.get("title") or "Video on YouTube"
    return _link(f"https://www.youtube.com/watch?v={vid}", title, "youtube")


def _vimeo(pos: list[str], named: dict[str, str]) -> str | None:
    vid = named.get("id") or (pos[0] if pos else "")
    if not _DIGITS.match(vid):
        return None
    return _link(f"https://vimeo.com/{vid}", named.get("title") or "Video on Vimeo", "vimeo")


def _gist(pos: list[str], named: dict[str, str]) -> str | None:
    url = named.get("url")
    if url:  # Zola: gist(url="https://gist.github.com/user/id")
        m = re.match(r"^https://gist\.github\.com/([A-Za-z0-9_-]+)/([A-Za-z0-9]+)/?$", url)
        if not m:
            return None
        user, gid = m.groups()
    else:
        user = named.get("user") or (pos[0] if pos else "")
        gid = named.get("id") or (pos[1] if len(pos) > 1 else "")
    if not _USER.match(user) or not _ID.match(gid):
        return None
    return _link(f"https://gist.github.com/{user}/{gid}", f"Gist by {user}", "gist")


def _post(pos: list[str], named: dict[str, str]) -> str | None:
    pid = named.get("id") or (pos[-1] if pos else "")
    user = named.get("user") or (pos[0] if len(pos) > 1 else "")
    if not _DIGITS.match(pid) or (user and not _USER.match(user)):
        return None
    url = f"https://x.com/{user or 'i'}/status/{pid}"
    return _link(url, f"Post by @{user}" if user else "Post on X", "post")


_RELATIVE = re.compile(r"^[\w~-][\w./~%-]*$")


def _url_ok(url: str) -> bool:
    """An http(s) URL, a site path ('/img/a.png') or a relative one ('a.png')."""
    return url_problem(url, allow_relative=True) is None or bool(_RELATIVE.match(url))


def _figure(pos: list[str], named: dict[str, str]) -> str | None:
    src = named.get("src") or (pos[0] if pos else "")
    if not src or not _url_ok(src):
        return None
    alt = named.get("alt") or ""
    caption = named.get("caption") or named.get("title") or ""
    img = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    link = named.get("link")
    if link:
        if not _url_ok(link):
            return None
        img = f'<a href="{html.escape(link)}">{img}</a>'
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{img}{cap}</figure>"


KNOWN: dict[str, Callable[[list[str], dict[str, str]], str | None]] = {
    "youtube": _youtube,
    "vimeo": _vimeo,
    "gist": _gist,
    "tweet": _post,
    "x": _post,
    "twitter": _post,
    "twitter_simple": _post,
    "vimeo_simple": _vimeo,
    "figure": _figure,
}


def expand(body: str, path: str, first_line: int, problems: Problems) -> str:
    """The Markdown body with its shortcodes replaced (see the module's docstring)."""
    # ("{" first: a search for one character runs at memchr's speed, and most bodies hold none)
    if "{" not in body or ("{{" not in body and "{%" not in body):
        return body
    out: list[str] = []
    fence: str | None = None
    lines = body.split("\n")
    code_end, code_fence = -1, ""  # a highlight block being copied: its last line, fence
    for i, line in enumerate(lines):
        if i <= code_end:
            out.append(code_fence if i == code_end else line)
            continue
        if fence is None and (h := _HIGHLIGHT.match(line)):
            end = next((j for j in range(i + 1, len(lines)) if _HIGHLIGHT_END.match(lines[j])), -1)
            if end > 0:
                code_end, code_fence = end, _fence_for(lines[i + 1 : end])
                out.append(code_fence + (h.group("lang") or ""))
                continue
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        out.append(_line(line, path, first_line + i, problems))
    return "\n".join(out)


def _fence_for(code: list[str]) -> str:
    """A backtick fence longer than any run of backticks in ``code``."""
    longest = max((len(r) for line in code for r in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _line(line: str, path: str, lineno: int, problems: Problems) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group("code"):
            return m.group(0)
        text = m.group(0)
        if m.group("hugo") or m.group("hugo2"):
            hugo = bool(m.group("hugo"))
            name = m.group("hugo") or m.group("hugo2")
            args = m.group("hargs") if hugo else m.group("hargs2")
            if name.startswith("/*"):  # {{</* name */>}}: the shortcode, shown
                inner = name[2:-2].strip()
                return html.escape("{{< " + inner + " >}}" if hugo else "{{% " + inner + " %}}")
            if name.startswith("/"):  # a closing tag: its opening one was warned about
                return html.escape(text)
            args = args.rstrip("/").rstrip()
        elif m.group("zola"):
            name, args = m.group("zola"), m.group("zargs")
        else:
            name, args = m.group("zblock"), m.group("zbargs")
        make = KNOWN.get(name.lower())
        made = make(*parse_args(args)) if make is not None else None
        if made is None:
            why = "has values that cannot be used" if make else "is not one digest knows"
            problems.warn(
                f"shortcode '{name[:40]}' {why}; left as text",
                path,
                lineno,
                hint=f"known shortcodes: {', '.join(sorted([*KNOWN, 'highlight']))}"
                if not make
                else None,
            )
            return html.escape(text)
        return made

    return _SHORTCODE.sub(one, line)
