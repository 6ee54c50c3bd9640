"""Hugo and Zola shortcodes: the common ones become safe links or figures."""

from __future__ import annotations

import pytest

from digest.errors import Problems
from digest.load.markdown import markdown_to_html
from digest.load.shortcodes import expand


def _html(body: str, raw_html: bool = False) -> tuple[str, list[str]]:
    problems = Problems()
    out = markdown_to_html(expand(body, "a.md", 10, problems), raw_html=raw_html)
    return out, [str(p) for p in problems.warnings]


@pytest.mark.parametrize(
    ("body", "href"),
    [
        ("{{< youtube w7Ft2ymGmfc >}}", "https://www.youtube.com/watch?v=w7Ft2ymGmfc"),
        ('{{< youtube id="w7Ft2ymGmfc" >}}', "https://www.youtube.com/watch?v=w7Ft2ymGmfc"),
        ('{{ youtube(id="dQw4w9WgXcQ") }}', "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("{{< vimeo 146022717 >}}", "https://vimeo.com/146022717"),
        ('{{ vimeo(id="124313553") }}', "https://vimeo.com/124313553"),
        ("{{< gist spf13 7896402 >}}", "https://gist.github.com/spf13/7896402"),
        (
            '{{ gist(url="https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57") }}',
            "https://gist.github.com/Keats/e5fb6aad409f28721c0ba14161644c57",
        ),
        (
            '{{< x user="SanDiegoZoo" id="1453110110599868418" >}}',
            "https://x.com/SanDiegoZoo/status/1453110110599868418",
        ),
        (
            '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}',
            "https://x.com/SanDiegoZoo/status/1453110110599868418",
        ),
    ],
)
def test_common_shortcodes_become_links(body: str, href: str) -> None:
    out, warnings = _html(f"Before.\n\n{body}\n\nAfter.\n")
    assert f'href="{href}"' in out
    assert "{{" not in out and "<iframe" not in out and "<script" not in out
    assert warnings == []


def test_figure_becomes_a_figure_with_escaped_caption() -> None:
    out, warnings = _html('{{< figure src="/img/a.png" alt="A" caption="<b>x</b> & y" >}}\n')
    assert '<figure><img src="/img/a.png" alt="A"><figcaption>&lt;b&gt;x&lt;/b&gt; &amp; y' in out
    assert warnings == []


def test_unknown_shortcode_is_text_with_a_warning_naming_file_and_line() -> None:
    out, warnings = _html("Text.\n\n{{< mapbox go >}}\nx := 1\n{{< /mapbox >}}\n")
    assert "{{&lt; mapbox go &gt;}}" in out
    assert len(warnings) == 1
    assert warnings[0].startswith("a.md:12: shortcode 'mapbox' is not one digest knows")


@pytest.mark.parametrize("raw_html", [False, True])
@pytest.mark.parametrize(
    "body",
    [
        '{{< figure src="javascript:alert(1)" >}}',
        '{{< figure src="/a.png" caption="</figcaption><script>alert(1)</script>" >}}',
        '{{< figure src="/a.png\\" onerror=\\"alert(1)" >}}',
        '{{< youtube "x\\"><script>alert(1)</script>" >}}',
        "{{<script>}}alert(1){{</script>}}",
        '{{ youtube(id="<script>alert(1)</script>") }}',
        '{{< gist "a/../b" "<script>" >}}',
        '{{< x id="1" user="a<script>" >}}',
    ],
)
def test_nothing_in_a_shortcode_injects_script(body: str, raw_html: bool) -> None:
    out, _warnings = _html(body + "\n", raw_html=raw_html)
    assert "<script" not in out.lower() and "onerror=" not in out.replace("onerror=\\", "")
    assert "javascript:" not in out.split("{{")[0]


def test_shortcodes_in_code_are_left_alone() -> None:
    out, warnings = _html("`{{< youtube abc >}}`\n\n```\n{{< youtube abc >}}\n```\n")
    assert "youtube.com" not in out and warnings == []


def test_hugo_escaped_shortcode_shows_itself() -> None:
    out, warnings = _html("{{</* youtube abc */>}}\n")
    assert "{{&lt; youtube abc &gt;}}" in out and warnings == []


def test_hugo_highlight_becomes_a_fenced_code_block() -> None:
    body = "Before.\n\n{{< highlight html >}}\n<b>bold</b> ```\n{{< youtube abc >}}\n{{< /highlight >}}\n\nAfter.\n"
    out, warnings = _html(body)
    assert '<code class="language-html">&lt;b&gt;bold&lt;/b&gt; ```' in out
    assert "{{&lt; youtube abc &gt;}}" in out and "youtube.com" not in out  # code: left alone
    assert "<p>After.</p>" in out and warnings == []


def test_highlight_without_its_closing_tag_is_text_with_a_warning() -> None:
    _out, warnings = _html("{{< highlight go >}}\nx := 1\n")
    assert warnings and "shortcode 'highlight'" in warnings[0]


@pytest.mark.parametrize(
    ("body", "href"),
    [
        ("{{< vimeo_simple 146022717 >}}", "https://vimeo.com/146022717"),
        (
            '{{< twitter_simple user="SanDiegoZoo" id="1453110110599868418" >}}',
            "https://x.com/SanDiegoZoo/status/1453110110599868418",
        ),
    ],
)
def test_hugo_simple_variants_are_read_as_the_plain_ones(body: str, href: str) -> None:
    out, warnings = _html(body)
    assert f'href="{href}"' in out and warnings == []


def test_dotted_shortcode_name_is_named_whole() -> None:
    out, warnings = _html("{{< css.inline >}}\n<style>p{}</style>\n{{< /css.inline >}}\n")
    assert "a.md:10: shortcode 'css.inline' is not one digest knows" in warnings[0]
    assert len(warnings) == 1 and "<style>" not in out
