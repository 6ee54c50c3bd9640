"""Plain text decided on evidence: prose density and position, lines common to a folder,
the headline near the body, no single line dropping the rest, languages besides English,
CJK sentence ends; and one unreadable scraped page never fails the build.
Fixtures are fictional and small."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from digest.clean import clean_scraped_text
from digest.clean.scraped import common_lines, line_key
from digest.cli import main

TITLE = "Velmora harbour board votes to rebuild the north pier"
BODY = [
    "The harbour board of Velmora voted on Tuesday to rebuild the north pier, which storms "
    "damaged last winter, and to open it to fishing boats again by the spring.",
    "Board members said the work on the pier would take about eight months and would be paid "
    "for by a regional fund, with the town adding a share from its own budget.",
    "Local fishermen welcomed the decision, saying the closure had forced them to land their "
    "catch in a harbour two hours away along the coast for most of the year.",
    "The board will choose a builder in May after an open call for offers, and it expects the "
    "first piles to be driven before the summer season begins.",
]
CHROME = ["Skip Navigation", "Sections", "Homepage", "55°F Clear", "Sport", "Weather"]


def page(*middle: str, before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> str:
    return "\n".join([*CHROME, *before, TITLE, *middle, *after]) + "\n"


def test_title_is_the_headline_near_the_body_not_site_chrome() -> None:
    c = clean_scraped_text(page(*BODY))
    assert c.title == TITLE
    assert c.paragraphs == tuple(BODY)


def test_cookie_banner_first_does_not_take_the_title() -> None:
    banner = (
        "We and our partners store information on your device to personalise ads and content, "
        "measure audiences and develop our services; you can change your choice at any time."
    )
    c = clean_scraped_text("\n".join([banner, TITLE, *BODY]))
    assert c.title == TITLE and banner not in c.paragraphs


def test_a_related_looking_sentence_does_not_drop_the_rest() -> None:
    c = clean_scraped_text(page(BODY[0], "Read more about sharing.", *BODY[1:]))
    assert all(p in c.paragraphs for p in BODY)


def test_a_dashed_menu_is_not_a_credit_line_and_does_not_drop_the_rest() -> None:
    c = clean_scraped_text(page(BODY[0], BODY[1], "- Baseball", "- Bowling", *BODY[2:]))
    assert c.credit is None
    assert all(p in c.paragraphs for p in BODY)


def test_comment_thread_is_dropped() -> None:
    comments = (
        "Mara Lind says:",
        "I grew up by that pier and I am glad it will be rebuilt for the boats again at last.",
        "Tomas on 3 May 2024 at 10:12 said:",
        "The money would be better spent on the road to the harbour, which floods every winter.",
    )
    c = clean_scraped_text(page(*BODY, after=comments))
    assert c.paragraphs == tuple(BODY)


def test_related_headings_and_appeals_in_other_languages_are_dropped() -> None:
    teasers = ("Você pode gostar...", "Novo mercado de peixe abre no porto de Sardu")
    c = clean_scraped_text(page(*BODY, after=teasers))
    assert c.paragraphs == tuple(BODY)
    german = page(*BODY, after=("Auch interessant", "Neuer Fischmarkt öffnet am Hafen"))
    assert clean_scraped_text(german).paragraphs == tuple(BODY)
    inline = "Related: The old fish market will close for good in June, the council has said."
    appeal = "Our journalism depends on readers like you. Support independent reporting today."
    c = clean_scraped_text(page(BODY[0], inline, BODY[1], appeal, *BODY[2:]))
    assert inline not in c.paragraphs and appeal not in c.paragraphs
    assert all(p in c.paragraphs for p in BODY)


def test_german_navigation_lines_are_dropped() -> None:
    c = clean_scraped_text(page(*BODY, after=("Impressum", "Datenschutz", "Nach oben")))
    assert c.paragraphs == tuple(BODY)


def test_japanese_sentences_count_as_sentences() -> None:
    title = "ベルモラ港の北桟橋を再建へ"
    body = [
        "ベルモラ港の管理委員会は火曜日、昨年の冬の嵐で壊れた北桟橋を再建することを決めた。",
        "工事は約八か月かかる見込みで、費用の大部分は地域の基金から支払われるという。",
        "地元の漁師たちは決定を歓迎し、春までに船が戻れることを期待していると話した。",
    ]
    c = clean_scraped_text("\n".join(["メニュー", title, *body]))
    assert c.title == title
    assert c.paragraphs == tuple(body)


def test_lines_common_to_a_folder_are_boilerplate() -> None:
    footer = "Velmora Coast Gazette - independent news for the coast since 1921 - all our staff"
    pages = [page(*BODY[:2], f"Story {i} of the day", after=(footer,)) for i in range(3)]
    table = common_lines(pages)
    assert line_key(footer) in table
    assert line_key("Story 7 of the day") in table  # digits compare as one
    assert line_key(BODY[0]) in table  # the same body on every page: here, furniture too
    one = page(*BODY, after=(footer,))
    assert footer not in clean_scraped_text(one, common=frozenset({line_key(footer)})).paragraphs
    assert common_lines(pages[:2]) == frozenset()  # two pages are not evidence


def _build(root: Path, *extra: str) -> int:
    return main(["build", "--config", str(root / "site.yaml"), *extra])


def test_an_unreadable_scraped_page_is_skipped_with_a_warning(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/2026-03-02-pier.txt").write_text(page(*BODY), encoding="utf-8")
    (root / "content/2026-03-03-menu.txt").write_text("Home\nSport\nShare\n", encoding="utf-8")
    (root / "content/2026-03-04-binary.html").write_bytes(b"\x00\x01\x02binary")
    assert _build(root) == 0
    err = capsys.readouterr().err
    assert "2026-03-03-menu.txt" in err and "skipped" in err
    assert "2026-03-04-binary.html" in err
    assert list((root / "public").rglob("*pier*/index.html"))
    assert not list((root / "public").rglob("*menu*/index.html"))
    assert _build(root, "--strict") != 0


def test_markdown_keeps_its_strict_errors(tmp_path: Path, capsys) -> None:
    root = write_site(tmp_path, {}, "title: T\n")
    (root / "content/2026-03-02-note.md").write_text("No front matter here.\n", encoding="utf-8")
    assert _build(root) != 0


def test_article_broken_by_a_table_keeps_both_halves() -> None:
    """A run of short lines (a table of figures) inside the article does not cut it in two:
    the next run of prose, substantial and near, joins the article."""
    table = [f"Pier {n}\t{n * 3} m" for n in range(1, 13)]
    c = clean_scraped_text(page(BODY[0], BODY[1], *table, BODY[2], BODY[3]))
    assert c.title == TITLE
    assert BODY[0] in c.paragraphs and BODY[3] in c.paragraphs


def test_prose_far_below_the_article_stays_out() -> None:
    """A paragraph of running text far below the article (after a long footer) is not
    the article's."""
    footer = [f"Footer link {n}" for n in range(60)]
    stray = (
        "Our newsletter brings you the week's stories from the coast every Friday morning, "
        "and you can leave it at any time with one click."
    )
    c = clean_scraped_text(page(*BODY, after=(*footer, stray)))
    assert c.paragraphs == tuple(BODY)


def test_captions_closed_by_a_picture_credit_are_dropped() -> None:
    """A line closed by a picture credit ("© Name", "(Foto: Name)") is a caption in any
    language; a sentence that merely mentions a photo stays."""
    from digest.clean.scraped import classify_clutter

    assert classify_clutter("The rebuilt pier at dawn © Mara Velt") == "caption"
    assert classify_clutter("Der neue Steg im Hafen von Velmora (Foto: Mara Velt)") == "caption"
    assert classify_clutter("El muelle nuevo de Velmora. Fuente: Archivo Costa") == "caption"
    assert classify_clutter("She took a photo of the pier: it was finally finished.") is None
    middle = ["Fishing boats at the old north pier © Tomas Brek", *BODY]
    assert clean_scraped_text(page(*middle)).paragraphs == tuple(BODY)


def test_tag_labels_and_related_headings_in_other_languages() -> None:
    """Tag and category labels, previous / next post links and related-articles headings
    in German, French, Spanish, Portuguese and Italian are furniture."""
    from digest.clean.scraped import classify_clutter, is_related_heading

    for line in ("Etiquetas: muelle, Velmora", "Schlagwörter: Hafen", "Mots-clés : port"):
        assert classify_clutter(line) == "navigation", line
    for line in ("Vorheriger Beitrag", "Article suivant", "Articolo precedente"):
        assert classify_clutter(line) == "navigation", line
    for line in ("Notas relacionadas", "Contenido relacionado", "Verwandte Artikel"):
        assert is_related_heading(line), line
    teasers = ["Velmora elige constructor para el muelle", "El puerto abre en mayo"]
    c = clean_scraped_text(page(*BODY, "Notas relacionadas", *teasers))
    assert c.paragraphs == tuple(BODY)


def test_a_page_without_running_text_keeps_its_largest_block() -> None:
    """A page of results with no sentence at all still has a body: its largest block of
    lines that are not clutter (the menu above, repeated across the folder, stays out)."""
    menu = [f"Season {y}" for y in range(2001, 2006)]
    results = ["Velmora harbour regatta results", "1.", "Mara Velt", "12:03", "2.", "Tomas Brek"]
    results += ["12:41", "3.", "Ines Haro", "13:10"]
    other = "\n".join([*menu, "A different race", "Someone Else"])
    common = common_lines([other, other, other])
    c = clean_scraped_text("\n".join([*menu, *results]) + "\n", common=common)
    assert c.title == "Velmora harbour regatta results"
    assert c.paragraphs == tuple(results[1:])
