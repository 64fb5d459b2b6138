"""Numbers and labels as the report writes them."""

from __future__ import annotations

from report.formatting import esc, eur, is_number, nice_ticks, pct, short, slug


def test_euros_percentages_and_labels() -> None:
    assert [eur(v) for v in (150, 1500, 25_000, 1_100_000, -990)] == [
        "EUR 150", "EUR 1.5k", "EUR 25k", "EUR 1.1M", "-EUR 990"
    ]  # fmt: skip
    assert pct(0.08) == "8.0%"
    assert short("Dispatch cut-off alerts", 10) == "Dispatch\u2026" and short("ok", 10) == "ok"
    assert slug("Keep home stocked!") == "keep-home-stocked" and slug("--") == "blank"
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert is_number("1.5") and not is_number(None) and not is_number(float("nan"))


def test_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0, 989, 20)[:3] == [0, 50, 100] and nice_ticks(0, 989, 20)[-1] >= 989
    assert nice_ticks(-0.99, 3.5) == [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    assert nice_ticks(5, 5) == [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
