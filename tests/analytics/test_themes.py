"""Themes: whole-word, phrase and stem matching by a validated taxonomy file."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analytics.themes import (
    DEFAULT_TAXONOMY_PATH,
    ThemeTaxonomy,
    ThemeTaxonomyError,
    load_theme_taxonomy,
    tag_themes,
    theme_counts,
)

SMALL = """
version: 1
themes:
  delivery:
    label: Delivery
    keywords: [late, deliver*, where is my order, lieferung]
  price:
    label: Price
    keywords: [price, value for money]
  quality:
    label: Quality
    keywords: [qualität, broke]
  site:
    label: Site
    keywords: [site]
  web:
    label: Web
    keywords: [website, "don't work"]
"""


def write(tmp_path: Path, text: str, name: str = "themes.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path) -> ThemeTaxonomy:
    return load_theme_taxonomy(write(tmp_path, SMALL))


def tags(text: str, taxonomy: ThemeTaxonomy) -> list[str]:
    return tag_themes([text], taxonomy)[0]


def test_loads_ids_labels_and_keywords_in_file_order(small):
    assert small.source == "themes.yml"
    assert small.theme_ids == ("delivery", "price", "quality", "site", "web")
    assert small.labels["delivery"] == "Delivery"
    assert small.themes[0].keywords == ("late", "deliver*", "where is my order", "lieferung")
    assert len(small) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Delivery was LATE!!!", ["delivery"]),
        ("(late)", ["delivery"]),
        ("It was delivered, eventually.", ["delivery"]),
        ("DELIVERING takes ages", ["delivery"]),
        ("Where is my order??", ["delivery"]),
        ("where  is\nmy order", ["delivery"]),
        ("Where is my sofa?", []),  # a phrase matches only whole
        ("I'm late with this review, sorry", ["delivery"]),
        ("chocolate lately", []),  # "late" inside other words
        ("undelivered", []),  # a stem matches from the start of a word
        ("Good value for money.", ["price"]),
        ("Good value-for-money", ["price"]),
        ("value for the money", []),
        ("Pricey.", []),  # "price" is a word, not a stem: "pricey" needs price* or its own entry
        ("Prices went up", []),
        ("The price went up", ["price"]),
        ("Great website", ["web"]),  # "site" does not match inside "website"
        ("The site, I mean the website", ["site", "web"]),
        ("Site search don’t work", ["site", "web"]),  # typographic apostrophe
        ("Die Lieferung kam zu spät, Qualität ok", ["delivery", "quality"]),
        ("QUALITÄT", ["quality"]),
        ("Qualitat", []),  # accents are kept, not stripped
        ("It broke and arrived late at the wrong price", ["delivery", "price", "quality"]),
        ("", []),
        ("   ", []),
    ],
)
def test_tagging(small, text, expected):
    assert tags(text, small) == expected


def test_each_theme_once_sorted_and_order_preserved(small):
    texts = ["late late, delivered late", None, "broke, price, late", math.nan, "nothing", ""]
    assert tag_themes(iter(texts), small) == [
        ["delivery"],
        [],
        ["delivery", "price", "quality"],
        [],
        [],
        [],
    ]


def test_repeated_texts_give_independent_lists(small):
    first, second = tag_themes(["late", "late"], small)
    first.append("mutated")
    assert second == ["delivery"]


def test_non_text_is_refused(small):
    with pytest.raises(TypeError, match="text at position 1 is int"):
        tag_themes(["late", 42], small)


def test_theme_counts():
    counts = theme_counts([["delivery", "price"], [], ["price"], ["delivery", "price"], ["web"]])
    assert counts.to_dict() == {"price": 3, "delivery": 2, "web": 1}
    assert list(counts.index) == ["price", "delivery", "web"]  # most first, ties by id
    assert counts.name == "count" and counts.index.name == "theme"
    assert theme_counts([["a", "a"]]).to_dict() == {"a": 1}  # one text counts once
    empty = theme_counts([])
    assert isinstance(empty, pd.Series) and empty.empty and empty.dtype == "int64"


# --- the default taxonomy -----------------------------------------------------------------


@pytest.fixture(scope="module")
def default() -> ThemeTaxonomy:
    return load_theme_taxonomy(DEFAULT_TAXONOMY_PATH)


def test_default_taxonomy_has_the_retail_themes(default):
    assert set(default.theme_ids) == {
        "delivery",
        "price",
        "product_quality",
        "support",
        "website",
        "checkout",
        "returns",
        # the frontline's own, after the customers' (employee pulse verbatims)
        "workload",
        "tools",
        "team_spirit",
    }
    assert default.theme_ids[-3:] == ("workload", "tools", "team_spirit")
    assert load_theme_taxonomy().theme_ids == default.theme_ids  # the default path


def test_the_demo_frontline_phrases_get_a_theme_each(default):
    from demo.feedback import EMPLOYEE_PHRASES, EMPLOYEE_POSITIVE

    phrases = [p for pair in EMPLOYEE_PHRASES.values() for p in pair]
    themes = tag_themes([*phrases, *EMPLOYEE_POSITIVE], default)
    assert all(themes)
    # Logistics says what its customers say (late parcels); care talks about its load.
    assert themes[2][0] == "delivery" and "workload" in themes[6]
    assert [t[0] for t in themes[-2:]] == ["team_spirit", "team_spirit"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Delivery was late and nobody told me.", ["delivery"]),
        ("Where is my order? Tracking has not changed in a week.", ["delivery"]),
        ("The courier left the parcel at the wrong house.", ["delivery"]),
        ("Way too expensive, no discount either.", ["price"]),
        ("Pricey, but great value for money.", ["price"]),
        ("The item broke after a week.", ["product_quality"]),
        ("Not as described, the material feels cheaply made.", ["product_quality"]),
        ("I waited days for an answer from customer service.", ["support"]),
        ("The agent was helpful.", ["support"]),
        ("Hard to find anything, the search is confusing.", ["website"]),
        ("The app keeps crashing.", ["website"]),
        ("Payment failed twice at checkout.", ["checkout"]),
        ("PayPal was not offered in the basket.", ["checkout"]),
        ("Still waiting for my refund.", ["returns"]),
        ("Returned the lamp, asked for an exchange.", ["returns"]),
        ("Die Lieferung kam viel zu spät.", ["delivery"]),
        ("Die Qualität ist schlecht.", ["product_quality"]),
        ("Der Kundenservice antwortet nicht.", ["support"]),
        ("Die Zahlung hat nicht funktioniert.", ["checkout"]),
        ("Rücksendung ging schnell, Geld zurück nach zwei Tagen.", ["returns"]),
        ("The sofa is lovely.", []),
    ],
)
def test_default_taxonomy_tags_typical_feedback(default, text, expected):
    assert tags(text, default) == expected


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "themes:\n  delivery:\n    label: D\n    keyword: [late]\n",
            r"themes\.yml: themes\.delivery: unknown key\(s\) \['keyword'\]",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: []\n",
            r"themes\.yml: themes\.delivery\.keywords: missing or empty",
        ),
        (
            "themes:\n  delivery:\n    label: D\n",
            r"themes\.yml: themes\.delivery\.keywords: missing or empty",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [late]\n"
            "  delivery:\n    label: E\n    keywords: [early]\n",
            r"themes\.yml: key 'delivery' appears twice \(lines 2 and 5\)",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [late, 24]\n",
            r"themes\.yml: themes\.delivery\.keywords\[2\]: 24 is not text",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [late, [a, b]]\n",
            r"themes\.yml: themes\.delivery\.keywords\[2\]: \['a', 'b'\] is not text",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [late, '  ']\n",
            r"themes\.yml: themes\.delivery\.keywords\[2\]: empty keyword",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [Late]\n",
            r"themes\.yml: themes\.delivery\.keywords\[1\]: 'Late' must be lower-case",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: [late, late]\n",
            r"themes\.yml: themes\.delivery\.keywords\[2\]: 'late' repeats keyword 1",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: ['de*liver']\n",
            r"themes\.yml: themes\.delivery\.keywords\[1\]: 'de\*liver': '\*' may only end",
        ),
        (
            "themes:\n  delivery:\n    label: D\n    keywords: ['de*']\n",
            r"themes\.yml: themes\.delivery\.keywords\[1\]: 'de\*': a stem needs at least 3",
        ),
        (
            "themes:\n  delivery:\n    keywords: [late]\n",
            r"themes\.yml: themes\.delivery\.label: missing or empty",
        ),
        (
            "themes:\n  Delivery:\n    label: D\n    keywords: [late]\n",
            r"themes\.yml: themes: theme id 'Delivery' must be lower-case",
        ),
        (
            "themes:\n  delivery: [late]\n",
            r"themes\.yml: themes\.delivery: expected a mapping with 'label' and 'keywords'",
        ),
        ("themes: {}\n", r"themes\.yml: themes: missing or empty"),
        ("theme:\n  delivery: {}\n", r"themes\.yml: top level: unknown key\(s\) \['theme'\]"),
        (
            "version: 2\nthemes:\n  delivery:\n    label: D\n    keywords: [late]\n",
            r"themes\.yml: version: unsupported version 2",
        ),
        ("- delivery\n", r"themes\.yml: expected a mapping with a 'themes' key"),
        ("themes:\n  delivery: [late\n", r"themes\.yml: line \d+, column \d+: not valid YAML"),
    ],
)
def test_validation_names_file_and_key(tmp_path, body, message):
    with pytest.raises(ThemeTaxonomyError, match=message):
        load_theme_taxonomy(write(tmp_path, body))


def test_yes_and_no_stay_text(tmp_path):
    taxonomy = load_theme_taxonomy(
        write(tmp_path, "themes:\n  answers:\n    label: A\n    keywords: [yes, no]\n")
    )
    assert taxonomy.themes[0].keywords == ("yes", "no")
    assert tags("No, thanks", taxonomy) == ["answers"]


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ThemeTaxonomyError, match=r"nowhere\.yml: cannot be read"):
        load_theme_taxonomy(tmp_path / "nowhere.yml")
