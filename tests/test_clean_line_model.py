"""The plain-text cleaner's learned line model: lines the rules left outside the article
(a recipe's ingredients) come back as a list, the model's verdicts are reported, it never
empties a body, and what ships is numbers only.  Fixtures are fictional and small."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_clean_text_evidence import BODY, TITLE, page

from digest.build import BuildOptions, build
from digest.clean import clean_scraped_text, lines
from digest.clean.scraped import HEADLINE_FEATURES
from digest.clean.types import Cleaned
from digest.config import load_config

INTRO = (
    "These pancakes are the ones my grandmother made every Sunday, thin and golden, and they "
    "take only a few minutes once the batter has rested for a while."
)
INGREDIENTS = ["200 g flour", "2 eggs", "1 pinch of salt", "300 ml milk", "1 tbsp butter"]
STEPS = [
    "Whisk the flour, eggs and salt in a bowl, then add the milk little by little until the "
    "batter is smooth.",
    "Let the batter rest for half an hour while you heat a pan with a little butter over a "
    "medium flame.",
    "Pour a ladle of batter into the pan, tilt it to spread the batter thinly, and cook each "
    "side for a minute.",
]
RECIPE = [
    "Home",
    "Recipes",
    "Contact",
    "Sunday pancakes",
    INTRO,
    "Ingredients",
    *INGREDIENTS,
    "Method",
    *STEPS,
    "Share",
    "Related recipes",
    "Easy waffles for breakfast",
    "Apple cake in twenty minutes",
    "© 2024 Kitchen Notes",
]


def _the_recipe_kept_whole(c: Cleaned) -> None:
    """The pancake recipe's headline, paragraphs and ingredient list, without its chrome."""
    assert c.title == "Sunday pancakes"
    assert c.paragraphs == (INTRO, *STEPS)
    body = c.body_html
    assert body is not None
    assert "<ul>\n" + "\n".join(f"<li>{i}</li>" for i in INGREDIENTS) + "\n</ul>" in body
    for chrome in ("Recipes", "Contact", "Easy waffles for breakfast", "Kitchen Notes"):
        assert chrome not in body


def test_a_recipes_ingredients_are_kept_as_a_list_and_its_chrome_dropped() -> None:
    c = clean_scraped_text("\n".join(RECIPE) + "\n")
    _the_recipe_kept_whole(c)
    assert any("kept by the line model (p=" in r for r in c.report)


def test_teasers_after_the_article_are_dropped() -> None:
    teasers = (
        "Harbour festival returns to Velmora this summer...",
        "Storm warning for the coast: what you need to know\u2026",
    )
    c = clean_scraped_text(page(*BODY, after=("More stories", *teasers)))
    assert c.title == TITLE
    assert c.paragraphs == tuple(BODY)


def test_the_model_never_empties_a_body(monkeypatch) -> None:
    """A model that would drop every line leaves the rules' verdicts standing."""
    strict = dict(lines.model())
    strict["drop"] = 2.0  # every probability is below: every kept line would go
    strict["keep"] = 2.0  # and no dropped line comes back
    monkeypatch.setattr(lines, "model", lambda: strict)
    monkeypatch.setattr("digest.clean.scraped.model", lambda: strict)
    c = clean_scraped_text(page(*BODY))
    assert c.paragraphs == tuple(BODY)


def test_the_shipped_model_is_numbers_for_the_current_features() -> None:
    path = Path(lines.__file__).with_name("line_model.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["features"] == list(lines.FEATURE_NAMES)
    assert data["context"] == list(lines.CONTEXT_NAMES)
    allowed = {"note", "features", "context", "keep", "drop", "first", "second"}
    assert set(data) == allowed | {"headline", "headline_features"}
    assert data["headline_features"] == list(HEADLINE_FEATURES)
    assert lines.headline_model(HEADLINE_FEATURES) is not None
    for name in ("first", "second", "headline"):
        stage = data[name]
        assert stage["kind"] == "trees"
        for feats, thresholds, leaves in stage["trees"]:
            assert all(isinstance(f, int) for f in feats)
            assert all(isinstance(x, (int, float)) for x in (*thresholds, *leaves))
    probs = lines.probabilities(
        [lines.LineFacts(t, "body", "good") for t in BODY], (0, len(BODY)), None, "en"
    )
    assert all(0.0 <= p <= 1.0 for p in probs)


def test_a_list_brought_back_keeps_its_heading_as_a_subheading() -> None:
    """ "Ingredients" over the brought-back list reads as its heading, not as an item."""
    c = clean_scraped_text("\n".join(RECIPE) + "\n")
    assert c.body_html is not None
    assert "<h3>Ingredients</h3>\n<ul>\n<li>200 g flour</li>" in c.body_html
    assert "<li>Ingredients</li>" not in c.body_html


CLOSING = [
    "The lighthouse on Corran Point will be lit again next month after the trust that looks "
    "after it raised enough money to replace the lamp and repair the gallery rail.",
    "Volunteers spent the winter scraping and painting the tower, and a local boatyard "
    "lent a crane so that the new lamp could be lifted to the top in one piece.",
    "Keepers' cottages beside the tower will open as a small museum in the summer.",
    "The trust thanked its donors.",
]


def test_short_closing_paragraphs_stay_and_the_sign_off_goes() -> None:
    """A short last sentence of a small page is article text; the site's chrome after it
    (a same-subject teaser, sharing links, a copyright line) is not."""
    text = "\n".join(
        [
            "Menu",
            "Coast",
            "Corran Point lighthouse to shine again",
            *CLOSING,
            "Lighthouse trust opens a second appeal",
            "Share on social media",
            "© 2026 Coast Weekly",
        ]
    )
    c = clean_scraped_text(text + "\n")
    assert c.title == "Corran Point lighthouse to shine again"
    assert c.paragraphs == tuple(CLOSING)


def test_an_ingredient_list_above_the_prose_is_kept_and_is_no_headline() -> None:
    """Quantities over the recipe's first paragraph stay as a list; none of them ("1 pinch
    of salt" shares a word with the method) is taken for the headline."""
    text = "\n".join(
        ["Home", "Recipes", "Contact", "Sunday pancakes", "Ingredients", *INGREDIENTS]
        + ["Method", INTRO, *STEPS, "Share", "Related recipes", "Easy waffles for breakfast"]
        + ["© 2024 Kitchen Notes"]
    )
    c = clean_scraped_text(text + "\n")
    _the_recipe_kept_whole(c)


BRIDGE = [
    "Startseite",
    "Politik",
    "Wirtschaft",
    "Suche",
    "Neue Brücke über den Fluss wird im Sommer eröffnet",
    "Dienstag, 4. Juni 2019, 15:54",
    "Die Stadt hat am Montag bekannt gegeben, dass die neue Brücke über den Fluss im Juli für "
    "den Verkehr freigegeben wird, nachdem die Bauarbeiten länger als geplant gedauert hatten.",
    "Foto: www.beispiel-stadt.de",
    "Der Bürgermeister sagte, die Verzögerung sei auf die schwierigen Bodenverhältnisse am Ufer "
    "zurückzuführen, die erst während der Arbeiten entdeckt worden seien.",
    "Die Kosten für das Projekt sind nach Angaben der Verwaltung um etwa zehn Prozent gestiegen, "
    "liegen aber noch im Rahmen des vom Stadtrat bewilligten Budgets.",
    "Quelle: dpa / Fotolia.com",
    "Anwohner hatten sich in den vergangenen Monaten immer wieder über den Lärm der Baustelle "
    "beschwert und fordern nun eine Entschädigung von der Stadt.",
    "15. Mai 2019, 05:28 Uhr",
    "Impressum",
    "Datenschutz",
]


def test_a_date_line_in_another_language_is_neither_standfirst_nor_body() -> None:
    """A German page's date line under the headline ("Dienstag, 4. Juni 2019, 15:54") is not
    shown as the article's subtitle or as a paragraph, and its picture credits ("Foto: ...",
    "Quelle: ...") are not paragraphs either; the four paragraphs are all kept."""
    c = clean_scraped_text("\n".join(BRIDGE) + "\n")
    assert c.title == BRIDGE[4]
    assert c.description is None
    shown = "\n".join(c.paragraphs)
    for clutter in (BRIDGE[5], BRIDGE[7], BRIDGE[10], BRIDGE[12]):
        assert clutter not in shown
        assert clutter not in (c.body_html or "")  # (not even as a subheading)
    assert list(c.paragraphs) == [BRIDGE[6], BRIDGE[8], BRIDGE[9], BRIDGE[11]]
    assert c.date == "2019-06-04T15:54:00"  # the date line's, not a comment's (15. Mai)


def test_a_german_page_shows_its_own_date(tmp_path) -> None:
    """The built article page of a scraped German page is dated by its date line
    ("Dienstag, 4. Juni 2019"), not by the file's modification time."""
    (tmp_path / "content").mkdir()
    page = tmp_path / "content" / "bruecke.txt"
    page.write_text("\n".join(BRIDGE) + "\n", encoding="utf-8")
    os.utime(page, (1_700_000_000, 1_700_000_000))  # 2023-11-14: the wrong date
    (tmp_path / "site.yaml").write_text(
        "title: Larkmoor\nbase_url: https://example.org/\nlanguage: de\n", encoding="utf-8"
    )
    build(load_config(tmp_path / "site.yaml"), BuildOptions(output=tmp_path / "public"))
    html = next((tmp_path / "public").rglob("bruecke*/index.html")).read_text(encoding="utf-8")
    assert 'datetime="2019-06-04' in html
    assert "2023-11-14" not in html


def test_dates_are_recognised_in_the_languages_digest_reads() -> None:
    from digest.boilerplate import has_date

    for line in (
        "Dienstag, 4. Juni 2019, 15:54",
        "16 marca 2021",
        "asked Feb 6, 2014 at 20:37",
        "19.6.2007 9:40 Uhr",
        "2021-10-16 | Botschaft",
        "publié le 3 décembre 2020",
        "12 de mayo de 2021",
    ):
        assert has_date(line), line
    for line in ("You may go now", "Die Stadt im Juli", "Top 10 Rezepte"):
        assert not has_date(line), line
