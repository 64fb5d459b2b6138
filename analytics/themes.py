"""Themes of customer texts: which topics (delivery, price, support, ...) a text mentions.

The business maintains the taxonomy as YAML (config/themes.yml; format in docs/text_analytics.md):
per theme id a label and keywords, where a keyword is a word, a phrase of several words or a
stem with a trailing `*` ("deliver*"). The file is validated at load, so a typo fails with the
file and the key named rather than silently tagging nothing.

Matching is by whole words, case-insensitive, with accents kept ("qualität" does not match
"qualitat"): "price" does not match "pricey" or "prices" (write "price*" for those), "site" does
not match "website". Each theme is one compiled regular expression.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from common.strict_yaml import read_config_yaml

__all__ = [
    "DEFAULT_TAXONOMY_PATH",
    "Theme",
    "ThemeTaxonomy",
    "ThemeTaxonomyError",
    "load_theme_taxonomy",
    "tag_themes",
    "theme_counts",
]

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "config" / "themes.yml"

_TOP_KEYS = ("version", "themes")
_THEME_KEYS = ("label", "keywords")
_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_MIN_STEM = 3  # "pay*" is a stem; "pa*" would match far too much


class ThemeTaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names the file and the offending key."""


@dataclass(frozen=True)
class Theme:
    """One theme: its id, label, keywords as written, and the expression that finds them."""

    theme_id: str
    label: str
    keywords: tuple[str, ...]
    pattern: re.Pattern[str] = field(repr=False, compare=False)

    def mentioned_in(self, text: str) -> bool:
        """Whether `text` contains one of the keywords (the text as given, any case)."""
        return self.pattern.search(_normalise(text)) is not None


@dataclass(frozen=True)
class ThemeTaxonomy:
    """The themes of one taxonomy file, in file order."""

    source: str
    themes: tuple[Theme, ...]

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(theme.theme_id for theme in self.themes)

    @property
    def labels(self) -> dict[str, str]:
        """Theme id -> label, for reports."""
        return {theme.theme_id: theme.label for theme in self.themes}

    def __len__(self) -> int:
        return len(self.themes)


# --- loading ------------------------------------------------------------------------------


def load_theme_taxonomy(path: str | Path = DEFAULT_TAXONOMY_PATH) -> ThemeTaxonomy:
    """Read and validate a taxonomy file; any problem raises ThemeTaxonomyError naming the key."""
    path = Path(path)
    name = path.name
    document = read_config_yaml(path, ThemeTaxonomyError)

    def fail(key: str, message: str) -> ThemeTaxonomyError:
        return ThemeTaxonomyError(f"{name}: {key}: {message}")

    if not isinstance(document, dict):
        raise ThemeTaxonomyError(f"{name}: expected a mapping with a 'themes' key at the top")
    unknown = [k for k in document if k not in _TOP_KEYS]
    if unknown:
        raise fail("top level", f"unknown key(s) {unknown} (expected {', '.join(_TOP_KEYS)})")
    if "version" in document and str(document["version"]) != "1":
        raise fail("version", f"unsupported version {document['version']!r} (expected 1)")
    themes = document.get("themes")
    if not isinstance(themes, dict) or not themes:
        raise fail("themes", "missing or empty: expected theme ids as keys")
    return ThemeTaxonomy(name, tuple(_theme(key, body, fail) for key, body in themes.items()))


def _theme(theme_id: Any, body: Any, fail) -> Theme:
    if not isinstance(theme_id, str) or not _THEME_ID.match(theme_id):
        raise fail(
            "themes",
            f"theme id {theme_id!r} must be lower-case letters, digits and _ (e.g. delivery)",
        )
    where = f"themes.{theme_id}"
    if not isinstance(body, dict):
        raise fail(where, "expected a mapping with 'label' and 'keywords'")
    unknown = [k for k in body if k not in _THEME_KEYS]
    if unknown:
        raise fail(where, f"unknown key(s) {unknown} (expected {', '.join(_THEME_KEYS)})")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise fail(f"{where}.label", "missing or empty: expected the theme's name for reports")
    keywords = body.get("keywords")
    if not isinstance(keywords, list) or not keywords:
        raise fail(f"{where}.keywords", "missing or empty: expected a list of keywords")
    seen: dict[str, int] = {}
    for number, keyword in enumerate(keywords, start=1):
        at = f"{where}.keywords[{number}]"
        if not isinstance(keyword, str):
            raise fail(at, f"{keyword!r} is not text (quote it in the YAML)")
        keyword = " ".join(keyword.split())
        _check_keyword(keyword, at, fail)
        if keyword in seen:
            raise fail(at, f"{keyword!r} repeats keyword {seen[keyword]} of this theme")
        seen[keyword] = number
    return Theme(theme_id, label.strip(), tuple(seen), _compile(list(seen)))


def _check_keyword(keyword: str, at: str, fail) -> None:
    if not keyword:
        raise fail(at, "empty keyword")
    if keyword != keyword.lower():
        raise fail(at, f"{keyword!r} must be lower-case (matching ignores case)")
    stem, star, rest = keyword.partition("*")
    if star and rest:
        raise fail(at, f"{keyword!r}: '*' may only end the keyword (a stem such as deliver*)")
    if star:
        last = stem.split(" ")[-1]
        if len(last) < _MIN_STEM or not re.fullmatch(r"\w+", last):
            raise fail(
                at,
                f"{keyword!r}: a stem needs at least {_MIN_STEM} letters or digits (and nothing "
                "else) before the '*'",
            )


def _compile(keywords: list[str]) -> re.Pattern[str]:
    """One expression for all keywords of a theme; longest first, whole words only."""
    alternatives = []
    for keyword in sorted(keywords, key=len, reverse=True):
        stem = keyword.endswith("*")
        words = [re.escape(word) for word in keyword.rstrip("*").split(" ")]
        alternatives.append(r"[\s\-]+".join(words) + (r"\w*" if stem else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


# --- tagging ------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Lower case, and typographic apostrophes as plain ones ("don’t" -> "don't")."""
    return text.lower().replace("\u2019", "'")


def tag_themes(texts: Iterable[str | None], taxonomy: ThemeTaxonomy) -> list[list[str]]:
    """For each text, in order, the sorted ids of the themes it mentions ([] for None/empty)."""
    cache: dict[str, list[str]] = {}  # feedback repeats itself: tag each distinct text once
    tagged: list[list[str]] = []
    for position, text in enumerate(texts):
        if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
            tagged.append([])
            continue
        if not isinstance(text, str):
            raise TypeError(f"text at position {position} is {type(text).__name__}, not str")
        if text not in cache:
            normalised = _normalise(text)
            cache[text] = sorted(
                theme.theme_id for theme in taxonomy.themes if theme.pattern.search(normalised)
            )
        tagged.append(list(cache[text]))
    return tagged


def theme_counts(themes: Iterable[Iterable[str]]) -> pd.Series:
    """How many texts mention each theme (theme id -> count), most frequent first.

    Takes the output of `tag_themes`; a text counts once per theme. Ties are in id order.
    """
    counts = Counter(theme for tagged in themes for theme in set(tagged))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return pd.Series(
        [count for _, count in ordered],
        index=pd.Index([theme for theme, _ in ordered], name="theme", dtype=object),
        name="count",
        dtype="int64",
    )
