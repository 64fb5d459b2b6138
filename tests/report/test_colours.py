"""The pain-to-love scale follows the business thresholds; text on it stays readable."""

from __future__ import annotations

from report.colours import (
    LOVE_DARK,
    LOVE_LIGHT,
    NEUTRAL,
    PAIN_DARK,
    PAIN_LIGHT,
    heat_colour,
    heat_label,
    heat_stops,
    hex_rgb,
    ink_for,
    status_colour,
)


def test_the_colour_scale_runs_from_pain_to_love_and_text_stays_readable() -> None:
    assert heat_colour(0) == PAIN_DARK and heat_colour(100) == LOVE_DARK
    assert heat_colour(None) != heat_colour(62.5)
    assert ink_for(PAIN_DARK) == "#ffffff" and ink_for(LOVE_DARK) == "#ffffff"
    assert ink_for(heat_colour(62.5)) == "#1a1a1a"
    # Blue minus red rises with the score: from red (pain) through white to blue (love).
    colours = [heat_colour(s) for s in (0, 10, 40, 55, 70, 80, 95, 100)]
    blueness = [int(c[5:7], 16) - int(c[1:3], 16) for c in colours]
    assert blueness == sorted(blueness) and len(set(colours)) == len(colours)


def test_the_thresholds_are_the_stops_of_the_scale() -> None:
    assert heat_stops(40, 90) == [
        (0.0, PAIN_DARK),
        (40.0, PAIN_LIGHT),
        (65.0, NEUTRAL),
        (90.0, LOVE_LIGHT),
        (100.0, LOVE_DARK),
    ]
    assert heat_colour(40, 40, 90) == PAIN_LIGHT.lower() and heat_colour(90, 40, 90) == LOVE_LIGHT
    assert heat_label(39.9, 40, 90) == "pain" and heat_label(40, 40, 90) == "neutral"
    assert heat_label(90, 40, 90) == "love" and heat_label(None) == "no data"


def test_colours_read_in_both_forms_and_statuses_have_one_colour_each() -> None:
    assert hex_rgb("#0072B2") == hex_rgb("rgb(0, 114, 178)") == (0, 114, 178)
    assert status_colour("On track") == status_colour("on-track") != status_colour("off track")
