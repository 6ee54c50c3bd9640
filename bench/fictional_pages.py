"""Small fictional pages for training the line model (``bench/train_lines.py``).

The development set's pages are real, long pages full of navigation; the pages digest's
users feed it are often short ones (a few lines of chrome around an article whose last
paragraph is one short sentence).  Real pages teach the model that a short line closing the
run of prose is often a sign-off; these pages, all written for this purpose (no text of any
evaluation page), show it short closing paragraphs that are article text, in a few
languages.  They are mixed into the training data with a small weight.

Each page: (name, text, lines that are article text, lines that are not).
"""

from __future__ import annotations

from itertools import product

ARTICLES: list[tuple[str, str, list[str]]] = [
    (
        "en",
        "Tarnwick council approves new cycle lanes on the ring road",
        [
            "Tarnwick's town council approved plans on Monday for protected cycle lanes along "
            "the ring road, after two years of debate over parking and delivery access.",
            "The lanes will be separated from traffic by low kerbs, and the work is expected "
            "to start in the autumn once the council has chosen a contractor for the project.",
            "Shop owners on the eastern stretch had asked for loading bays to be kept, and "
            "the final plan includes six of them near the market square.",
            "Cycling groups praised the vote.",
        ],
    ),
    (
        "en",
        "Orrin Valley dairy recalls yoghurt over labelling error",
        [
            "A dairy in the Orrin Valley has recalled three batches of strawberry yoghurt "
            "because the labels did not mention that the fruit mix contains hazelnut.",
            "The company said no illnesses had been reported so far, but people with a nut "
            "allergy should not eat the products and can return them to any shop for a refund.",
            "The batches were sold in supermarkets across the region during the past week.",
        ],
    ),
    (
        "en",
        "Museum in Pellford reopens after a year of repairs",
        [
            "The town museum of Pellford reopened its doors on Saturday after a year of "
            "repairs to its roof, which had let rain into the upper galleries.",
            "Visitors queued from early morning to see the restored clock collection, which "
            "had been kept in storage while the builders were at work on the top floor.",
            "The director thanked volunteers who had catalogued every object during the move.",
            "Entry remains free.",
        ],
    ),
    (
        "en",
        "Ferry service to Islay Minor suspended as storm nears",
        [
            "All ferry crossings to Islay Minor were suspended on Thursday as a storm with "
            "gusts of up to ninety miles an hour approached the western coast.",
            "The operator said sailings would resume once the wind eased, probably on "
            "Saturday, and that tickets for cancelled crossings would be refunded in full.",
            "Islanders were advised to stock up on food and fuel.",
        ],
    ),
    (
        "en",
        "Quick tomato soup for cold evenings",
        [
            "This soup comes together in the time it takes to toast the bread, and it uses "
            "tins from the cupboard when the garden has nothing left to give.",
            "What you need",
            "1 onion",
            "2 cloves of garlic",
            "800 g tinned tomatoes",
            "500 ml vegetable stock",
            "A handful of basil",
            "How to make it",
            "Soften the onion and garlic in a little oil over a low heat for about ten "
            "minutes, stirring now and then so that nothing browns.",
            "Add the tomatoes and stock, simmer for a quarter of an hour, then blend until "
            "smooth and season to taste with salt and pepper.",
            "Serve with the basil torn over the top.",
        ],
    ),
    (
        "en",
        "Road closures in Marlow Cross this weekend",
        [
            "Several roads in the centre of Marlow Cross will close on Saturday and Sunday "
            "while the gas company replaces pipes under the high street.",
            "Which roads are closed",
            "High Street, between the bridge and the church",
            "Mill Lane",
            "Station Approach, from 7 am",
            "Buses will follow a diversion along the bypass, and the council has asked "
            "drivers to avoid the town centre where they can.",
            "The roads reopen on Monday morning.",
        ],
    ),
    (
        "de",
        "Stadtbibliothek Halvern verlängert ihre Öffnungszeiten",
        [
            "Die Stadtbibliothek von Halvern hat ab dem kommenden Monat auch am Sonntag "
            "geöffnet, wie die Stadtverwaltung am Dienstag mitteilte.",
            "Die zusätzlichen Stunden werden aus einem Landesprogramm bezahlt, das kleinere "
            "Gemeinden bei der Förderung des Lesens unterstützt.",
            "Der Förderverein begrüßte die Entscheidung.",
        ],
    ),
    (
        "fr",
        "Le marché couvert de Villebrune rouvre ses portes",
        [
            "Le marché couvert de Villebrune a rouvert samedi après huit mois de travaux, "
            "au grand plaisir des habitants et des commerçants de la vieille ville.",
            "La toiture a été entièrement refaite et une vingtaine de nouveaux étals ont été "
            "installés le long de la façade nord du bâtiment.",
            "Le maire a remercié les artisans pour leur patience.",
        ],
    ),
    (
        "ja",
        "ハルベン市の図書館が日曜開館へ",
        [
            "ハルベン市の図書館は来月から日曜日も開館すると、市役所が火曜日に発表した。",
            "追加の開館時間の費用は、小さな町の読書推進を支援する県の事業から支払われる。",
            "利用者の会はこの決定を歓迎している。",
        ],
    ),
]

# Another article's headline on the same subject, shown right after the body: not this
# article's text, though it shares its words.
TEASERS = [
    "Ring road cycle lanes: what changes for drivers",
    "Second dairy recall in the valley this year",
    "Pellford clock collection goes on tour",
    "Storm damage closes coastal path on Islay Minor",
    "Tomato harvest: five more ways with tins",
    "Gas pipe works in Marlow Cross to continue next month",
    "Bibliothek Halvern sucht neue Ehrenamtliche",
    "Villebrune : le marché du dimanche déménage",
    "ハルベン市、図書館の新しい分館を計画",
]
CHROME_BEFORE = [
    ["Menu", "Home", "News", "Local", "Contact us"],
    ["Skip to content", "Sections", "Search", "Sign in"],
    [],
    # A consent banner above the headline reads like prose but is no part of the article.
    [
        "Menu",
        "This website uses cookies to remember your settings, count visits and show "
        "advertising that suits you; you can accept or refuse them in the settings at any "
        "time, and change your mind whenever you like.",
        "Accept all",
        "Settings",
    ],
    [
        "Together with our advertising partners we keep and read small files on your "
        "computer to measure how the site is used and to choose offers; you may withdraw "
        "your agreement at any moment.",
    ],
]
CHROME_AFTER = [
    ["Share this article", "More from Local", "Bakery wins regional bread prize", "© 2025"],
    ["Advertisement", "Most read", "Weather warning for the weekend", "Privacy policy"],
    ["Back to top"],
    [],
]


def pages() -> list[tuple[str, str, list[str], list[str]]]:
    """Every article with every kind of chrome around it."""
    out = []
    for (lang, title, body, teaser), (b, before), (a, after) in product(
        zip(*zip(*ARTICLES, strict=True), TEASERS, strict=True),
        enumerate(CHROME_BEFORE),
        enumerate(CHROME_AFTER),
    ):
        if a % 2 == 0:
            after = [teaser, *after]
        text = "\n".join([*before, title, *body, *after]) + "\n"
        out.append((f"fictional-{lang}-{title[:12]}-{b}{a}", text, [*body], [*before, *after]))
    return out
