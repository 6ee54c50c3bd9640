"""Render and publish of a cold build (session 27): Jinja's attribute lookup on plain
dicts taken directly, and pages written without a file object; what users get is the
same as before."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pytest

from digest import publish, render

TEMPLATE = (
    "{{ s.url }}|{{ s.name }}|{{ s['url'] }}|{{ s.items() | list | length }}|"
    "{{ s.get('name') }}|{{ s.keys() | sort | join(',') }}|{{ o.url }}|{{ n.x }}"
)


class _Sub(dict):  # (a dict subclass: looked up as Jinja does, attribute first)
    url = "class attribute"


def _render(env: jinja2.Environment, **context: Any) -> str:
    return env.from_string(TEMPLATE).render(**context)


def test_a_dicts_items_and_methods_are_what_jinja_gives() -> None:
    context = {
        "s": {"url": "world/", "name": "World", "items": "an item called items"},
        "o": _Sub(url="an item"),
        "n": type("N", (), {"x": 7})(),
    }
    ours = render._Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    jinjas = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    got = _render(ours, **context)
    assert got == _render(jinjas, **context)
    assert got.startswith("world/|World|world/|3|World|items,name,url|class attribute|7")


def test_a_missing_key_is_the_same_error_as_jinjas() -> None:
    ours = render._Environment(undefined=jinja2.StrictUndefined)
    jinjas = jinja2.Environment(undefined=jinja2.StrictUndefined)
    messages = []
    for env in (ours, jinjas):
        with pytest.raises(jinja2.UndefinedError) as got:
            env.from_string("{{ s.nope }}").render(s={"url": "x"})
        messages.append(str(got.value))
    assert messages[0] == messages[1] == "'dict object' has no attribute 'nope'"


@pytest.mark.parametrize("size", [0, 1, 70_000, 3_000_000])
def test_a_page_is_written_whole_with_its_stamp(tmp_path: Path, size: int) -> None:
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    target = tmp_path / "page.html"
    stamp = publish._write(str(target), content)
    assert target.read_bytes() == content
    st = os.stat(target)
    assert stamp == [st.st_size, st.st_mtime_ns]
    # written again: a new file (never through a hard link the live site shares)
    other = tmp_path / "live.html"
    os.link(target, other)
    publish._write(str(target), b"new bytes")
    assert target.read_bytes() == b"new bytes" and other.read_bytes() == content
