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


class _Html:
    def __html__(self) -> str:
        return "<b>own html</b>"

    def __str__(self) -> str:
        return "<b>as text</b>"


class _Stops:
    def __iter__(self) -> Any:
        return self

    def __next__(self) -> Any:
        raise StopIteration


@jinja2.pass_context
def _with_context(ctx: Any, x: str) -> str:
    return f"{ctx['title']}:{x}"


@jinja2.pass_environment
def _with_env(env: Any, x: str) -> str:
    return f"{type(env).__name__ != ''}:{x}"


@jinja2.pass_eval_context
def _with_eval(ev: Any, x: str) -> str:
    return f"{ev.autoescape}:{x}"


class _CallsWithContext:
    @jinja2.pass_context
    def __call__(self, ctx: Any, x: str) -> str:
        return f"obj {ctx['title']} {x}"


class _Marked:
    @jinja2.pass_context
    def method(self, ctx: Any, x: str) -> str:
        return f"method {ctx['title']} {x}"


# What a page shows (escaped or not) and every kind of call a template makes
OUTPUTS = (
    "{{ s }}|{{ m }}|{{ n }}|{{ f }}|{{ none }}|{{ html }}|{{ undef_ok | default('d<') }}"
    "|{{ s ~ m }}|{{ s | upper }}|{{ s | e }}|{{ m | safe }}|{{ [s, m] | join(',') }}"
    "{% macro box(x) %}<i>{{ x }}</i>{% endmacro %}"
    "{% macro wrap(x) %}<i>{{ x }}</i>{{ caller() }}{% endmacro %}"
    "|{{ box(s) }}|{% call wrap(s) %}<{{ s }}>{% endcall %}"
    "{% set held %}<p>{{ s }}</p>{% endset %}|{{ held }}|{{ held | length }}"
    "|{% filter upper %}{{ s }}<x>{% endfilter %}"
    "|{% autoescape false %}{{ s }}{% endautoescape %}|{% autoescape true %}{{ s }}{% endautoescape %}"
    "|{% for x in [s, m] %}{{ url(x) }}{{ x.startswith('a') }}{{ ctx_fn(x) }}{{ env_fn(x) }}"
    "{{ eval_fn(x) }}{{ obj(x) }}{{ marked.method(x) }}{{ s.replace(x, 'y') }}{% endfor %}"
    "|{{ url() }}{{ url(path='k&') }}{{ ctx_fn(x='kw') }}|{{ stops.__next__() is defined }}|{{ d.get('k') }}"
)


def _output_envs() -> list[jinja2.Environment]:
    made = []
    for cls in (jinja2.Environment, render._Environment):
        env = cls(
            loader=jinja2.DictLoader({"out.html": OUTPUTS, "out.txt": OUTPUTS}),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
        )
        env.globals.update(
            url=lambda path="": "/base/" + str(path).lstrip("/"),
            ctx_fn=_with_context,
            env_fn=_with_env,
            eval_fn=_with_eval,
            obj=_CallsWithContext(),
            marked=_Marked(),
        )
        made.append(env)
    return made


def _output_context() -> dict[str, Any]:
    return {
        "title": "T&",
        "s": "a <b> & 'c' \"d\"",
        "m": jinja2.utils.markupsafe.Markup("<em>safe</em>"),
        "n": 42,
        "f": 1.5,
        "none": None,
        "html": _Html(),
        "stops": _Stops(),
        "d": {"k": "<v>"},
    }


@pytest.mark.parametrize("name", ["out.html", "out.txt"])
def test_shown_values_and_calls_are_jinjas_own(name: str) -> None:
    """Escaping (escape_output) and calls (_Context.call) give the page Jinja's own
    environment gives, autoescaped or not, for every kind of value and callable."""
    jinjas, ours = _output_envs()
    want = jinjas.get_template(name).render(**_output_context())
    assert ours.get_template(name).render(**_output_context()) == want
    if name == "out.html":
        assert "a &lt;b&gt; &amp; &#39;c&#39; &#34;d&#34;|<em>safe</em>|42|" in want
        assert "<b>own html</b>" in want and "obj T&amp; " in want and "method T&amp; " in want
    else:
        assert "a <b> & 'c' \"d\"|<em>safe</em>" in want


def test_a_str_subclass_is_escaped_as_markupsafe_escapes_it() -> None:
    class Text(str):
        pass

    each = ["plain text", "", *(f"a{c}b{c}" for c in "&<>'\"")]  # (none, or one of each)
    for value in [
        *each,
        "<&>'\"",
        Text("<x>"),
        jinja2.utils.markupsafe.Markup("<x>"),
        3,
        -12,
        True,
        1.5,
        None,
    ]:
        assert render.escape_output(value) == jinja2.utils.markupsafe.escape(value)


def test_an_undefined_value_shown_fails_as_with_jinjas_own_environment() -> None:
    errors = []
    for env in _output_envs():
        with pytest.raises(jinja2.UndefinedError) as exc:
            env.from_string("{{ nothing }}").render()
        errors.append(str(exc.value))
    assert errors[0] == errors[1]
