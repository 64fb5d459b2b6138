"""Small samples: below the configured n a published value is null, is_suppressed is true and n
stays, in survey_metrics_monthly, metric_values and journey_heatmap, at the defaults of
dbt_project.yml and at a floor a run sets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from common.business_settings import load_business_settings
from tests.helpers import run_dbt

MARTS = ("survey_metrics_monthly", "metric_values", "journey_heatmap")


def _suppression(database: Path) -> dict[str, list[tuple]]:
    """Per row of each mart: its n, whether its value is null, and is_suppressed."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            "survey": con.execute(
                "select responses, metric_value is null, is_suppressed "
                "from marts.survey_metrics_monthly"
            ).fetchall(),
            "metric_values": con.execute(
                "select v.metric, v.n, v.value is null, v.is_suppressed, c.aggregation "
                "from marts.metric_values as v join (select distinct metric, aggregation "
                "from config.metric_catalogue) as c on c.metric = v.metric"
            ).fetchall(),
            "heatmap": con.execute(
                "select volume, mean_score_0_100 is null, heat_label is null, is_suppressed, "
                "ces_responses, ces is null, csat_responses, csat is null "
                "from marts.journey_heatmap"
            ).fetchall(),
        }


def _assert_floors(found: dict[str, list[tuple]], answers: int, signals: int, others: int) -> None:
    survey = {"nps", "csat", "ces", "enps"}
    assert found["survey"] and found["metric_values"] and found["heatmap"]
    for responses, is_null, suppressed in found["survey"]:
        assert suppressed == (responses < answers) and (is_null or not suppressed)
        assert not suppressed or is_null
    for metric, n, is_null, suppressed, aggregation in found["metric_values"]:
        floor = answers if metric in survey else others
        assert suppressed == (aggregation == "ratio" and n < floor), (metric, n)
        assert not suppressed or is_null
    for volume, score_null, label_null, suppressed, ces_n, ces_null, csat_n, csat_null in found[
        "heatmap"
    ]:
        assert suppressed == (volume < signals)
        assert not suppressed or (score_null and label_null)
        assert ces_n >= answers or ces_null
        assert csat_n >= answers or csat_null
    # The floors bite on this small company and leave published values beside suppressed ones.
    flags = [row[2] for row in found["survey"]]
    assert any(flags) and not all(row[3] for row in found["heatmap"])


def test_values_below_the_default_floors_are_suppressed_with_their_n_kept(
    built_small_warehouse,
) -> None:
    settings = load_business_settings()
    assert (
        settings.min_answers_survey_metric,
        settings.min_signals_heatmap_cell,
        settings.min_observations_metric,
    ) == (30, 10, 10)
    _assert_floors(_suppression(built_small_warehouse), 30, 10, 10)


def test_a_run_can_set_the_floors_and_the_marts_follow(built_small_warehouse, tmp_path) -> None:
    database = tmp_path / "warehouse" / "rox.duckdb"
    database.parent.mkdir()
    shutil.copyfile(built_small_warehouse, database)
    floors = {"min_answers_survey_metric": 3, "min_signals_heatmap_cell": 2}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(database))
        done = run_dbt("run", "--select", *MARTS, "--vars", json.dumps(floors))
    assert done.returncode == 0, done.stdout[-3000:]
    found = _suppression(database)
    _assert_floors(found, 3, 2, 10)
    # A lower floor publishes values the default suppressed.
    published = sum(1 for _, _, suppressed in found["survey"] if not suppressed)
    before = _suppression(built_small_warehouse)["survey"]
    assert published > sum(1 for _, _, suppressed in before if not suppressed)
