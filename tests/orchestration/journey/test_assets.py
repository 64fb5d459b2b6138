"""The text signals asset: theme ids from configuration are refused, keywords stay data."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from analytics.themes import ThemeTaxonomyError, load_theme_taxonomy
from orchestration.journey.assets import compute_text_signals
from tests.helpers import INJECTIONS, table_row_counts


@pytest.mark.parametrize("injection", INJECTIONS)
def test_theme_ids_are_refused_and_keywords_stay_text(
    injection, built_small_warehouse, tmp_path
) -> None:
    quoted = injection.replace("'", "''")
    bad_id = tmp_path / "bad_themes.yml"
    bad_id.write_text(f"version: 1\nthemes:\n  '{quoted}':\n    label: X\n    keywords: [late]\n")
    with pytest.raises(ThemeTaxonomyError, match="bad_themes.yml"):
        load_theme_taxonomy(bad_id)

    taxonomy = tmp_path / "themes.yml"
    taxonomy.write_text(
        f"version: 1\nthemes:\n  odd:\n    label: Odd\n    keywords: ['{quoted.lower()}']\n"
    )
    database = tmp_path / "rox.duckdb"
    shutil.copyfile(built_small_warehouse, database)
    with duckdb.connect(str(database)) as con:
        con.execute(
            "update raw.trustpilot_reviews set text = ? where review_id = "
            "(select min(review_id) from raw.trustpilot_reviews)",
            [f"It came late. {injection}"],
        )
        before = table_row_counts(con)
        compute_text_signals(con, taxonomy)
        tagged = con.execute(
            "select count(*) from raw.text_signals where primary_theme = 'odd'"
        ).fetchall()[0][0]
        assert table_row_counts(con) == before
    assert tagged == 1
