"""Sentiment: labels against hand-labelled customer texts, non-English left unscored."""

from __future__ import annotations

import math
import socket

import pandas as pd
import pytest

from analytics import sentiment
from analytics.sentiment import (
    SENTIMENT_COLUMNS,
    looks_english,
    score_sentiment,
    sentiment_label,
)

# Hand labels: what a person reading the text would say. Written before the retail lexicon.
DEVELOPMENT = [
    ("Delivery was late and nobody told me.", "negative"),
    ("My order arrived days late.", "negative"),
    ("The item broke after a week.", "negative"),
    ("Quality is poor for the price.", "negative"),
    ("Support took forever to reply.", "negative"),
    ("I waited days for an answer from customer service.", "negative"),
    ("Payment failed twice at checkout.", "negative"),
    ("The site was slow and confusing.", "negative"),
    ("Hard to find what I need on the website.", "negative"),
    ("The lamp arrived damaged and the box was crushed.", "negative"),
    ("Terrible experience, I will never order from you again.", "negative"),
    ("Still waiting for my refund after three weeks.", "negative"),
    ("The sofa cover is much thinner than in the photos, very disappointed.", "negative"),
    ("Your agent hung up on me twice.", "negative"),
    ("Awful customer service, nobody answers the phone.", "negative"),
    ("The courier left my parcel in the rain and the rug is ruined.", "negative"),
    ("Way too expensive for what you get.", "negative"),
    ("Half of the screws were missing and the instructions are useless.", "negative"),
    ("Checkout asked for the same data again.", "negative"),
    ("The chair wobbles and one leg is cracked.", "negative"),
    ("Great website, found everything quickly.", "positive"),
    ("Delivery was fast and on time.", "positive"),
    ("The quality is excellent.", "positive"),
    ("Love the product, exactly as described.", "positive"),
    ("Friendly and helpful customer service.", "positive"),
    ("Support solved my problem right away.", "positive"),
    ("Checkout was quick and simple.", "positive"),
    ("Paying was easy.", "positive"),
    ("Arrived a day early, well packed.", "positive"),
    ("The website is easy to use.", "positive"),
    ("Beautiful cushions, great value for money.", "positive"),
    ("Thank you for the quick refund, really appreciated.", "positive"),
    ("Very happy with my new desk, sturdy and easy to assemble.", "positive"),
    ("Best prices I have found for garden furniture.", "positive"),
    ("The driver was polite and carried the wardrobe upstairs.", "positive"),
    ("The parcel arrived on Tuesday.", "neutral"),
    ("I ordered a blue rug.", "neutral"),
    ("Can I change my delivery address?", "neutral"),
    ("Order number 48213, please send an invoice.", "neutral"),
    ("What are your opening hours on Saturday?", "neutral"),
    ("The table is 120 cm long.", "neutral"),
    ("I would like to return the chair.", "neutral"),
    ("Is the lamp available in white?", "neutral"),
    ("Tracking says the parcel is at the depot.", "neutral"),
]
# Written, labelled and set aside before the retail lexicon was settled, then never tuned on:
# the fair estimate of accuracy on new text.
HELD_OUT = [
    ("The mattress started sagging after two months.", "negative"),
    ("Ordered a mirror, received a pile of glass.", "negative"),
    ("Nobody from your team has called me back.", "negative"),
    ("The app crashes every time I open my basket.", "negative"),
    ("Refund still not processed, this is unacceptable.", "negative"),
    ("The colour is nothing like the picture.", "negative"),
    ("I was charged twice for the same order.", "negative"),
    ("The delivery slot was missed and no one apologised.", "negative"),
    ("Cheap material, the handle came off on day one.", "negative"),
    ("Rude driver, threw the box over the fence.", "negative"),
    ("Very slow delivery, ten days for a lamp.", "negative"),
    ("The drawer doesn't close properly.", "negative"),
    ("Brilliant service, the replacement came the next day.", "positive"),
    ("Gorgeous vase, my mum loved it.", "positive"),
    ("Quick and easy returns process.", "positive"),
    ("The agent was patient and sorted everything.", "positive"),
    ("Fantastic value, the curtains look expensive.", "positive"),
    ("Really comfortable armchair, would buy again.", "positive"),
    ("Smooth checkout and lots of payment options.", "positive"),
    ("Well packaged and delivered on the promised day.", "positive"),
    ("Nice selection of kitchen storage.", "positive"),
    ("Helpful size guide on the product page.", "positive"),
    ("My order was delivered to my neighbour.", "neutral"),
    ("Do you ship to Ireland?", "neutral"),
    ("The bed frame comes in two boxes.", "neutral"),
    ("I paid by bank transfer.", "neutral"),
    ("When will the grey sofa be back in stock?", "neutral"),
    ("The invoice shows the wrong address.", "negative"),
    ("Received the order today.", "neutral"),
    ("Please cancel order 5521.", "neutral"),
]
LABELLED = DEVELOPMENT + HELD_OUT

# Unmistakable cases: any model worth using gets every one right.
CLEAR = [
    ("Terrible experience, I will never order from you again.", "negative"),
    ("Awful customer service, nobody answers the phone.", "negative"),
    ("The item broke after a week.", "negative"),
    ("Delivery was late and nobody told me.", "negative"),
    ("Refund still not processed, this is unacceptable.", "negative"),
    ("The quality is excellent.", "positive"),
    ("Great website, found everything quickly.", "positive"),
    ("Friendly and helpful customer service.", "positive"),
    ("Gorgeous vase, my mum loved it.", "positive"),
    ("The parcel arrived on Tuesday.", "neutral"),
    ("The table is 120 cm long.", "neutral"),
    ("Is the lamp available in white?", "neutral"),
]

NOT_ENGLISH = [
    ("Die Lieferung kam viel zu spät.", "de"),
    ("Lieferung war schnell, danke!", "de"),
    ("très bien", "fr"),
    ("El producto llegó roto", "es"),
    ("Het pakket is niet op tijd geleverd.", "nl"),
    ("Die Website ist unübersichtlich.", "de"),
    ("Der Bestellvorgang war schnell.", "de"),
    ("Tolles Produkt, sehr gute Qualität.", "de"),
    ("Очень плохое качество", "ru"),
]


def accuracy(rows: list[tuple[str, str]]) -> float:
    scored = score_sentiment(text for text, _ in rows)
    assert (scored.sentiment_status == "scored").all()
    hits = sum(label == want for label, (_, want) in zip(scored.sentiment_label, rows, strict=True))
    return hits / len(rows)


def test_labelled_set_is_balanced_and_large_enough():
    labels = [label for _, label in LABELLED]
    assert len(LABELLED) >= 30
    assert len({text for text, _ in LABELLED}) == len(LABELLED)
    assert min(labels.count(label) for label in ("negative", "positive", "neutral")) >= 14


def test_accuracy_on_hand_labelled_texts():
    assert accuracy(LABELLED) >= 0.8
    # Text the lexicon was never adjusted for; measured 0.77 when it was set aside.
    assert accuracy(HELD_OUT) >= 0.7


def test_clear_cases_are_exact():
    scored = score_sentiment(text for text, _ in CLEAR)
    assert list(scored.sentiment_label) == [label for _, label in CLEAR]
    negative = scored.sentiment_label == "negative"
    assert (scored.sentiment[negative] <= -0.05).all()
    assert (scored.sentiment[~negative & (scored.sentiment_label == "positive")] >= 0.05).all()


def test_retail_lexicon_fixes_what_plain_vader_gets_wrong():
    scored = score_sentiment(
        [
            "My sofa arrived late.",
            "Support took forever to reply.",
            "Very flimsy shelf.",
            "Fast delivery.",
            "I would like to exchange the rug please.",
            "I'd like to know my order number.",
        ]
    )
    assert list(scored.sentiment_label) == [
        "negative",
        "negative",
        "negative",
        "positive",
        "neutral",
        "neutral",
    ]


def test_output_shape_columns_and_order():
    texts = ["Great sofa!", None, "Awful service.", "   ", "The lamp is white.", ""]
    scored = score_sentiment(iter(texts))
    assert tuple(scored.columns) == SENTIMENT_COLUMNS
    assert len(scored) == len(texts)
    assert list(scored.index) == list(range(len(texts)))
    assert scored.sentiment.dtype == "float64"
    assert list(scored.sentiment_status) == [
        "scored",
        "empty",
        "scored",
        "empty",
        "scored",
        "empty",
    ]
    assert list(scored.sentiment_label) == ["positive", None, "negative", None, "neutral", None]
    assert scored.sentiment.between(-1, 1).sum() == 3
    assert scored.sentiment.isna().tolist() == [False, True, False, True, False, True]


def test_empty_input_and_missing_values():
    empty = score_sentiment([])
    assert tuple(empty.columns) == SENTIMENT_COLUMNS and len(empty) == 0
    scored = score_sentiment(pd.Series(["Fine.", None, math.nan, pd.NA], dtype=object))
    assert list(scored.sentiment_status) == ["scored", "empty", "empty", "empty"]


def test_duplicates_get_the_same_score_in_place():
    texts = ["Awful.", "Lovely.", "Awful.", "Lovely."]
    scored = score_sentiment(texts)
    assert scored.sentiment[0] == scored.sentiment[2] < 0 < scored.sentiment[1]
    assert scored.sentiment[1] == scored.sentiment[3]


@pytest.mark.parametrize(("text", "code"), NOT_ENGLISH)
def test_non_english_is_not_scored_with_a_language_code(text, code):
    scored = score_sentiment([text], [code])
    assert scored.sentiment_status[0] == "not_english"
    assert math.isnan(scored.sentiment[0])
    assert scored.sentiment_label[0] is None


@pytest.mark.parametrize("text", [text for text, _ in NOT_ENGLISH])
def test_non_english_is_not_scored_without_a_language_code(text):
    scored = score_sentiment([text])
    assert scored.sentiment_status[0] == "not_english"
    assert math.isnan(scored.sentiment[0])
    assert scored.sentiment_label[0] is None


@pytest.mark.parametrize("code", ["en", "EN", "en-GB", "en_US", "en-us", " en ", "eng"])
def test_english_codes_are_scored(code):
    scored = score_sentiment(["Delivery was late and nobody told me."], [code])
    assert scored.sentiment_status[0] == "scored"
    assert scored.sentiment_label[0] == "negative"


def test_a_given_code_wins_over_the_heuristic():
    texts = ["The quality is excellent.", "Die Lieferung kam viel zu spät.", "Great sofa."]
    scored = score_sentiment(texts, ["de", "en-GB", None])
    assert list(scored.sentiment_status) == ["not_english", "scored", "scored"]


def test_missing_or_blank_code_falls_back_to_the_heuristic():
    texts = ["très bien", "very good", "très bien", "Empty text below", "  "]
    scored = score_sentiment(texts, [None, "", " ", math.nan, "fr"])
    assert list(scored.sentiment_status) == [
        "not_english",
        "scored",
        "not_english",
        "scored",
        "empty",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Great café",
        "Lovely décor items, arrived fast.",
        "Le Creuset pan arrived dented",
        "Ordered the Müller sofa, it is lovely.",
        "Bin lid broken",
        "Delivery van was late",
        "Met my expectations",
        "Non-slip mat is great",
        "I don’t like the colour",
        "OK",
    ],
)
def test_english_with_loan_words_and_names_is_english(text):
    assert looks_english(text)


@pytest.mark.parametrize("text", ["Danke!", "Merci beaucoup", "Muito bom produto", "配送が遅い"])
def test_short_foreign_texts_are_not_english(text):
    assert not looks_english(text)


def test_label_thresholds():
    assert sentiment_label(-0.05) == "negative"
    assert sentiment_label(-0.0499) == "neutral"
    assert sentiment_label(0.0) == "neutral"
    assert sentiment_label(0.0499) == "neutral"
    assert sentiment_label(0.05) == "positive"
    assert sentiment_label(None) is None
    assert sentiment_label(math.nan) is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        score_sentiment(["a", "b"], ["en"])
    with pytest.raises(TypeError, match="text at position 1 is int"):
        score_sentiment(["fine", 3])
    with pytest.raises(TypeError, match="language at position 0 is int"):
        score_sentiment(["fine"], [1])


def test_lexicon_loads_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the sentiment model tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    sentiment._analyzer.cache_clear()
    try:
        scored = score_sentiment(["The quality is excellent."])
    finally:
        sentiment._analyzer.cache_clear()
    assert scored.sentiment_label[0] == "positive"
