"""The theme's Jinja environment (digest.render._Environment) renders what Jinja's own
does: its quicker attribute look-ups, its templates' globals in a plain dict and its
cache of every template change no page and no error."""

from __future__ import annotations

from collections import UserDict
from dataclasses import dataclass
from typing import Any

import jinja2
import pytest

from digest import render


@dataclass(frozen=True)
class _Thing:
    title: str
    tags: tuple[str, ...] = ()


class _Both(UserDict):
    """An object with an item of a name it has no attribute of."""


TEMPLATES = {
    "base.html": "{{ greet }} {% block main %}{% endblock %} {{ url('/x') }}",
    "page.html": (
        '{% extends "base.html" %}{% block main %}{{ thing.title }} {{ thing.tags|join(",") }}'
        " {{ d.title }} {{ d['items']|length }} {{ d.keys() | list | length }} {{ both.name }}"
        ' {% include "_part.html" %}{% endblock %}'
    ),
    "_part.html": "[{{ thing.title|upper }} {{ extra }}]",
    "missing_attr.html": "{{ thing.nope }}",
    "missing_key.html": "{{ d.nope }}",
}


def _envs() -> list[jinja2.Environment]:
    made = []
    for cls in (jinja2.Environment, render._Environment):
        env = cls(
            loader=jinja2.DictLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
            cache_size=-1 if cls is render._Environment else 400,
        )
        env.globals["url"] = lambda path="": "/base/" + str(path).lstrip("/")
        env.globals["greet"] = "hi <there>"
        made.append(env)
    return made


def _context() -> dict[str, Any]:
    both = _Both(name="item")
    return {
        "thing": _Thing("A & B", ("x", "y")),
        "d": {"title": "dict title", "items": [1, 2]},
        "both": both,
        "extra": "<e>",
    }


def test_pages_are_those_of_jinjas_own_environment() -> None:
    jinjas, ours = _envs()
    for _ in range(2):  # (the second time from the templates kept)
        want = jinjas.get_template("page.html").render(**_context())
        assert ours.get_template("page.html").render(**_context()) == want
    assert "A &amp; B x,y dict title" in want and "item" in want and "/base/x" in want


@pytest.mark.parametrize("name", ["missing_attr.html", "missing_key.html"])
def test_a_missing_name_fails_as_with_jinjas_own_environment(name: str) -> None:
    errors = []
    for env in _envs():
        with pytest.raises(jinja2.UndefinedError) as exc:
            env.get_template(name).render(**_context())
        errors.append(str(exc.value))
    assert errors[0] == errors[1]


def test_a_templates_own_globals_overlay_the_environments() -> None:
    for env in _envs():
        t = env.from_string("{{ greet }} {{ url('y') }}", globals={"greet": "own"})
        assert t.render() == "own /base/y"
        assert env.get_template("base.html").render() == "hi &lt;there&gt;  /base/x"
