"""Sentiment of short customer texts (reviews, survey verbatims, tickets), offline and fast.

The model is VADER (Hutto & Gilbert 2014, the `vaderSentiment` package): a rule-based English
lexicon that ships inside the wheel, so nothing is downloaded at run time. Its compound score
(-1..1) becomes the label with VADER's own cut-offs: <= -0.05 negative, >= 0.05 positive.

A small retail lexicon adjusts VADER to the domain (RETAIL_LEXICON): words that are complaints
or praise in shop feedback but absent from VADER ("late", "flimsy", "fast"), and department or
request words that VADER reads as praise ("support", "customer care", "please", "would like").

VADER only reads English. A German or French text would be scored on the few English-looking
words in it, so it gets no sentiment at all instead: status "not_english" when its language code
is not English, or, without a code, when a stop-word heuristic (`looks_english`) says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = [
    "RETAIL_LEXICON",
    "SENTIMENT_COLUMNS",
    "looks_english",
    "score_sentiment",
    "sentiment_label",
]

SENTIMENT_COLUMNS = ("sentiment", "sentiment_label", "sentiment_status")
POSITIVE_AT = 0.05  # VADER's published thresholds on the compound score
NEGATIVE_AT = -0.05

# VADER valences (about -4..4) for online home-goods feedback; 0 removes a word's sentiment.
RETAIL_LEXICON: dict[str, float] = {
    # Department and request words that VADER reads as praise.
    "support": 0.0,  # "Support took forever to reply": the team, not approval
    "care": 0.0,  # "customer care"
    "please": 0.0,  # politeness in requests, not satisfaction
    "credit": 0.0,  # "credit card", "store credit"
    "pay": 0.0,  # a checkout step, not a loss
    "number": 0.0,  # "order number", "tracking number"
    "want": 0.0,  # "I want my money back"
    # Complaints that VADER's general lexicon does not know.
    "late": -1.5,
    "delayed": -1.5,
    "overdue": -1.3,
    "waited": -1.0,
    "waiting": -1.0,  # "still waiting for my refund"
    "forever": -1.0,  # "took forever"
    "slow": -1.2,
    "slowly": -1.0,
    "expensive": -1.0,
    "overpriced": -2.0,
    "pricey": -1.0,
    "cheaply": -1.2,  # "cheaply made"; "cheap" stays neutral (price praise or quality blame)
    "flimsy": -1.8,
    "cracked": -1.5,
    "scratched": -1.5,
    "dented": -1.5,
    "stained": -1.3,
    "ripped": -1.5,
    "leaking": -1.3,
    "wobbly": -1.3,
    "wobbles": -1.3,
    "sagging": -1.2,
    "unusable": -2.0,
    "unhelpful": -1.8,
    "unresponsive": -1.5,
    "crashes": -1.5,
    "crashed": -1.5,
    "hassle": -1.5,
    "nightmare": -2.5,
    # Praise that VADER's general lexicon does not know or underrates.
    "solved": 2.0,  # "solved my problem": the outcome, which VADER's "problem" would outweigh
    "resolved": 2.0,
    "fast": 1.5,
    "quick": 1.5,
    "quickly": 1.2,
    "speedy": 1.8,
    "prompt": 1.3,
    "promptly": 1.5,
    "polite": 1.8,
    "sturdy": 1.5,
    "durable": 1.5,
    "reliable": 1.5,
    "affordable": 1.3,
    "intuitive": 1.5,
    "seamless": 1.8,
    "smooth": 1.3,
    "comfy": 1.8,
    "hassle-free": 2.0,
}

# "I would like to return it" is a request: VADER would score "like" as praise.
_REQUEST_LIKE = re.compile(r"\b(would|'d|\u2019d)(\s+)like\b", re.IGNORECASE)

# --- language -----------------------------------------------------------------------------

_ENGLISH_CODE = re.compile(r"^(en|eng|english)([-_].*)?$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
# Letters that English words do not use. German ones count as a foreign word; accents that
# English loan words and names keep ("café", "décor", "Nestlé") count only half a word.
_GERMAN_LETTERS = re.compile(r"[äöüß]")
_ACCENTED_LETTERS = re.compile(r"[ñçéèêëàâîïôûùœãõáíóúìò]")

# Frequent English words; each one counts as English evidence.
_ENGLISH_WORD_LIST = """
    a about after again all also am an and any are as at be been but by can could did do does
    for from get got had has have he her his how i if in is it its just me my no not of on one
    or our out she so than that the their them then there they this to too up us very was we
    were what when where which who why will with would you your i'm it's don't didn't can't
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_WORD_LIST.split())

# Frequent words of feedback in other languages, minus any that English feedback uses too
# ("die", "war", "fast", "bin", "den", "van", "met", "per", "non", "par", "con", "todo", "is")
# or brand names ("le", "la": Le Creuset): those would make short English texts foreign.
_FOREIGN_WORD_LISTS = {
    "de": """
        aber alles auch bei bestellung bitte danke das dass dem der des ein eine einem einen
        einer es für geliefert gute gutes habe hatte ich immer ist kam kein keine leider
        lieferung mit nach nicht noch nur qualität schnell schon sehr sind und uns viel vom von
        wie wir wurde zu zum zur
    """,
    "fr": """
        au aux avec bien bon c'est ce cette commande dans de des du elle est et être il j'ai je
        les leur livraison mais merci moi n'est ne nous où pas produit qualité que qui reçu sont
        sur très trop une vous
    """,
    "es": """
        del el ella entrega está estoy fue gracias las llegó los muy nada para pedido pero por
        producto qué roto su tarde una y
    """,
    "nl": """
        bedankt dank dat een en erg geen goed het ik levering maar mijn niet nog ook snel te
        voor wel zeer zijn
    """,
    "it": "consegna della di grazie il molto ottimo prodotto sono tutto",
    "pt": "chegou muito não obrigada obrigado produto",
}
_FOREIGN_WORDS = frozenset(w for words in _FOREIGN_WORD_LISTS.values() for w in words.split())


def _is_english_code(code: str) -> bool:
    return bool(_ENGLISH_CODE.match(code.strip()))


def looks_english(text: str) -> bool:
    """False for text that is obviously not English; a heuristic, not a language detector.

    Counts frequent English words against frequent German/French/Spanish/Dutch/Italian/
    Portuguese words. A word with ä ö ü ß, or in another script (Cyrillic, Greek, CJK, Arabic,
    ...), counts as a foreign word; one with other accents (é è ñ ...) as half of one. The text
    is not English when the foreign evidence reaches one word and exceeds the English. Short or
    mixed texts can go either way: "Danke!" is not English, "Great café" is.
    """
    english = foreign = 0.0
    for word in _WORD.findall(text.lower().replace("\u2019", "'")):
        if word in _ENGLISH_WORDS:
            english += 1
        elif word in _FOREIGN_WORDS:
            foreign += 1
        elif _GERMAN_LETTERS.search(word) or any(ch > "\u024f" for ch in word):
            foreign += 1  # beyond "\u024f": not a Latin letter
        elif _ACCENTED_LETTERS.search(word):
            foreign += 0.5
    return foreign < 1 or english >= foreign


# --- scoring ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process, with RETAIL_LEXICON applied: the lexicon files are read once."""
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(RETAIL_LEXICON)
    return analyzer


def sentiment_label(compound: float | None) -> str | None:
    """VADER's label for a compound score: negative, neutral or positive (None for none)."""
    if compound is None or (isinstance(compound, float) and math.isnan(compound)):
        return None
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def score_sentiment(
    texts: Iterable[str | None], languages: Iterable[str | None] | None = None
) -> pd.DataFrame:
    """One row per text, in input order: sentiment, sentiment_label, sentiment_status.

    sentiment is VADER's compound score (-1..1), NaN (null in DuckDB) unless the status is
    "scored"; sentiment_label is negative/neutral/positive or None. sentiment_status says why:
    "scored", "empty" (None, NaN or only whitespace) or "not_english" (a language code that is
    not English, e.g. "de"; or, where the code is missing or empty, `looks_english` is False).
    A code such as "en", "EN", "en-GB" or "en_US" always scores the text.
    """
    texts = list(texts)
    if languages is None:
        codes: list[str | None] = [None] * len(texts)
    else:
        codes = list(languages)
        if len(codes) != len(texts):
            raise ValueError(f"got {len(texts)} texts but {len(codes)} languages")
    analyzer = _analyzer()
    scores: dict[str, float] = {}  # duplicates (common in feedback) are scored once
    english: dict[str, bool] = {}
    sentiment: list[float] = []
    labels: list[str | None] = []
    statuses: list[str] = []
    for position, (text, code) in enumerate(zip(texts, codes, strict=True)):
        if _is_missing(text):
            text = ""
        elif not isinstance(text, str):
            raise TypeError(f"text at position {position} is {type(text).__name__}, not str")
        if _is_missing(code) or (isinstance(code, str) and not code.strip()):
            code = None
        elif not isinstance(code, str):
            raise TypeError(f"language at position {position} is {type(code).__name__}, not str")
        if not text.strip():
            status = "empty"
        elif code is not None:
            status = "scored" if _is_english_code(code) else "not_english"
        else:
            if text not in english:
                english[text] = looks_english(text)
            status = "scored" if english[text] else "not_english"
        if status == "scored":
            if text not in scores:
                prepared = _REQUEST_LIKE.sub(r"\1\2request", text)
                scores[text] = analyzer.polarity_scores(prepared)["compound"]
            compound = scores[text]
            sentiment.append(compound)
            labels.append(sentiment_label(compound))
        else:
            sentiment.append(math.nan)
            labels.append(None)
        statuses.append(status)
    return pd.DataFrame(
        {
            "sentiment": pd.Series(sentiment, dtype="float64"),
            "sentiment_label": pd.Series(labels, dtype=object),
            "sentiment_status": pd.Series(statuses, dtype=object),
        }
    )
