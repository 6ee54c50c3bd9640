"""Property-based tests: loading, sentence splitting, cleaning, summarizing and whole
builds on random input never raise anything but digest's own errors, and stay bounded.

Run longer with ``HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.config import ContentConfig, FolderDefaults, SummaryConfig, load_config
from digest.errors import BuildError, ContentError, Problems
from digest.load import KNOWN_KEYS, to_article
from digest.load.decode import decode
from digest.load.markdown import read_markdown
from digest.model import Article
from digest.sentences import split_sentences
from tests.conftest import HANG_SECONDS

settings.register_profile(
    "fuzz-default",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
FUZZ = settings.get_profile("fuzz-long" if LONG else "fuzz-default")
BUILDS = settings(FUZZ, max_examples=300 if LONG else 12)

# ---------------------------------------------------------------- strategies

KEYS = [*KNOWN_KEYS, "tgas"]  # every front-matter key, and a misspelt one
yaml_scalars = st.one_of(
    st.sampled_from(
        [
            "2024-01-01",
            "2024-02-30",
            "yesterday",
            "~",
            "''",
            "true",
            "1e999",
            "9" * 5000,
            "[a, b]",
            "{a: 1}",
            "'unclosed",
            "&a [1]",
            "*a",
            "!!python/object:os.system",
            "https://example.com/x",
            "javascript:alert(1)",
            "../../etc",
            '"\\0\\x1b"',
            "|\n  block\n  text",
            "- x\n- y",
        ]
    ),
    st.text(max_size=40),
)
front_matter = st.lists(
    st.tuples(st.sampled_from(KEYS) | st.text(max_size=8), yaml_scalars), max_size=8
).map(lambda kv: "".join(f"{k}: {v}\n" for k, v in kv))
bodies = st.one_of(
    st.text(max_size=400),
    st.lists(
        st.sampled_from(
            [
                "A sentence.",
                "Dr. Smith said no.",
                "<script>x</script>",
                "## Heading",
                "- item",
                "```\ncode\n```",
                "> quote",
                "[l](javascript:x)",
                "| a | b |\n|---|---|\n| 1 | 2 |",
                "\n\n",
                "…",
                "“Quoted!” he said.",
                "<p onclick=x>p</p>",
                "&amp; &#0; &#xD800;",
            ]
        ),
        max_size=30,
    ).map(" ".join),
)

CFG = ContentConfig(dir=Path("content"), root=Path("."))


def _load_text(text: str) -> tuple[Article | None, Problems]:
    problems = Problems()
    try:
        parsed = read_markdown(text, "content/x.md")
    except ContentError as exc:
        problems.add_error(exc)
        return None, problems
    return to_article(parsed, "x.md", CFG, FolderDefaults(), problems), problems


# ---------------------------------------------------------------- loading


@FUZZ
@given(fm=front_matter, body=bodies, fenced=st.booleans())
def test_loading_random_front_matter_gives_an_article_or_a_problem(
    fm: str, body: str, fenced: bool
) -> None:
    text = f"---\n{fm}---\n{body}" if fenced else fm + body
    art, problems = _load_text(text)
    if art is None:
        assert problems.errors, text
        for p in problems.errors:
            assert p.path == "content/x.md" and p.message
    else:
        assert art.title and art.date.tzinfo is not None
        assert "/" not in art.slug and ".." not in art.slug and "\x00" not in art.url
        assert not art.url.startswith("/") and ".." not in art.url.split("/")
        assert "<script" not in art.body_html.lower()


@FUZZ
@given(data=st.binary(max_size=2000))
def test_decoding_random_bytes_is_text_or_a_content_error(data: bytes) -> None:
    try:
        text, enc = decode(data, "x.md")
    except ContentError as exc:
        assert exc.problem.path == "x.md"
        return
    assert isinstance(text, str) and enc


# ---------------------------------------------------------------- sentences

PATHOLOGICAL = [
    "." * 200_000,
    "a." * 100_000,
    "Mr. " * 50_000,
    "“" * 100_000 + "x",
    "!?" * 100_000,
    "A" * 200_000,
    ("word " * 1000 + "\n") * 100,
    "e.g. " * 40_000,
    "U.S.A." * 30_000,
    ".\u2026" * 100_000,
    "'" * 100_000 + ".",
    " . " * 60_000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_sentence_splitting_is_bounded_on_pathological_text(text: str) -> None:
    t = time.perf_counter()
    out = split_sentences(text)
    assert time.perf_counter() - t < HANG_SECONDS, "sentence splitting is not linear"
    pos = 0
    for s in out:
        assert s and s == s.strip()
        i = text.find(s, pos)
        assert i >= 0
        pos = i + len(s)


@FUZZ
@given(
    text=st.lists(
        st.sampled_from(list("ab .!?\"'“”‘’()…\n\t-—:;,0123456789ÄéЖ中。") + ["Dr.", "U.S."]),
        max_size=300,
    ).map("".join),
    language=st.sampled_from(["en", "de", "ja", "xx"]),
)
def test_sentences_are_verbatim_in_order_and_never_span_lines(text: str, language: str) -> None:
    pos = 0
    for s in split_sentences(text, language):
        assert s and s == s.strip() and "\n" not in s
        i = text.find(s, pos)
        assert i >= 0, (text, s)
        pos = i + len(s)


# ---------------------------------------------------------------- cleaning


def _cleaner():
    try:
        from digest.clean import clean_scraped_text
    except ImportError:  # pragma: no cover
        pytest.skip("digest.clean is not present")
    return clean_scraped_text


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=120),
            st.sampled_from(
                [
                    "Home > World > Europe",
                    "By Jane Doe",
                    "12 March 2024",
                    "Published 2024-03-12T10:00:00Z",
                    "READ MORE: something",
                    "Share this article",
                    "Advertisement",
                    "Image caption: a photo",
                    "KABUL (AFP) — Something happened today.",
                    "With reporting from AFP",
                    "",
                ]
            ),
        ),
        max_size=40,
    )
)
def test_cleaning_random_scraped_text_keeps_only_verbatim_lines(lines: list[str]) -> None:
    clean = _cleaner()
    text = "\n".join(lines)
    t = time.perf_counter()
    out = clean(text)
    assert time.perf_counter() - t < HANG_SECONDS
    for p in out.paragraphs:
        assert p and p in text, p


@pytest.mark.parametrize(
    "text",
    ["x" * 500_000, ("By " * 20_000) + "\n", "\n" * 200_000, ("Home > " * 30_000) + "\n"],
    ids=["long-line", "by-by-by", "newlines", "breadcrumb"],
)
def test_cleaning_is_bounded_on_pathological_text(text: str) -> None:
    clean = _cleaner()
    t = time.perf_counter()
    clean(text)
    assert time.perf_counter() - t < HANG_SECONDS


# ---------------------------------------------------------------- summarizing

sentence_text = st.lists(
    st.sampled_from(
        "the a council harbour wall Dr. Smith U.S. said repairs “quoted” (aside) £2.4m 3.5 "
        "e.g. moths river — … storm Mr. boats 2024 ok".split()
    ),
    min_size=1,
    max_size=25,
).map(" ".join)
paragraph = st.lists(
    st.tuples(sentence_text, st.sampled_from([".", "!", "?", "", "…", ".”"])),
    min_size=1,
    max_size=8,
).map(lambda ss: " ".join(s.capitalize() + end for s, end in ss))


@FUZZ
@given(
    paragraphs=st.lists(paragraph, min_size=0, max_size=12),
    method=st.sampled_from(["news", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic"]),
    sentences=st.integers(1, 6),
)
def test_summary_sentences_are_verbatim_from_the_paragraphs(
    paragraphs: list[str], method: str, sentences: int
) -> None:
    from datetime import datetime, timezone

    from digest.summarize import summarize

    art = Article(
        path="x.md",
        slug="x",
        title="Harbour wall",
        date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        section="",
        section_slug="",
        url="x/",
        summary_method=method,
        paragraphs=tuple(paragraphs),
        text=" ".join(paragraphs),
    )
    summary = summarize(art, SummaryConfig(sentences=sentences))
    assert len(summary.sentences) <= max(sentences, 1) or not paragraphs
    for s in summary.sentences:
        assert any(s in p for p in paragraphs), (s, paragraphs)
    if not paragraphs:
        assert summary.sentences == ()


# ---------------------------------------------------------------- whole builds

article_files = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["a", "b", "c", "d", "2024-01-05-e", "w/f", "s/g", "s/t/h"]),
        "fm": front_matter,
        "title": st.one_of(st.none(), st.text(max_size=30)),
        "body": bodies,
    }
)


@BUILDS
@given(files=st.lists(article_files, min_size=1, max_size=5), per_page=st.integers(1, 3))
def test_building_random_small_sites_raises_only_build_errors(
    files: list[dict], per_page: int
) -> None:
    from digest.build import BuildOptions, build

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "site.yaml").write_text(
            f"title: Fuzz\npagination:\n  size: {per_page}\n", encoding="utf-8"
        )
        (root / "content").mkdir()
        for i, f in enumerate(files):
            p = root / "content" / f"{f['name']}-{i}.md"
            p.parent.mkdir(parents=True, exist_ok=True)
            title = f"title: {f['title']!r}\n" if f["title"] is not None else ""
            p.write_text(
                f"---\n{title}date: 2024-01-0{1 + i}\n{f['fm']}---\n{f['body']}",
                encoding="utf-8",
            )
        try:
            cfg = load_config(root / "site.yaml")
            result = build(cfg, BuildOptions())
        except BuildError as exc:
            assert exc.problems
            return
        out = result.output
        assert (out / "index.html").is_file()
        for page in out.rglob("*"):
            assert page.resolve().is_relative_to(out.resolve())
