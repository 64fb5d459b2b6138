"""How a dbt step is invoked: the window in the environment, one target folder per run."""

from __future__ import annotations

import os
import time

from orchestration.transform.invocation import (
    WINDOW_ENV,
    prune_run_targets,
    run_target_path,
    window_environment,
)


def test_the_window_is_set_while_dbt_starts_and_never_leaks(monkeypatch) -> None:
    monkeypatch.setenv("ROX_DBT_MIN_DATE", "1999-01-01")  # left by someone: not for this step
    monkeypatch.delenv("ROX_DBT_MAX_DATE", raising=False)
    with window_environment({"min_date": "2026-10-01", "max_date": "2026-10-31"}):
        assert [os.environ[WINDOW_ENV[k]] for k in ("min_date", "max_date")] == [
            "2026-10-01",
            "2026-10-31",
        ]
    assert os.environ["ROX_DBT_MIN_DATE"] == "1999-01-01" and "ROX_DBT_MAX_DATE" not in os.environ
    with window_environment(None):  # an unpartitioned step gets no window at all
        assert "ROX_DBT_MIN_DATE" not in os.environ
    assert os.environ["ROX_DBT_MIN_DATE"] == "1999-01-01"


def test_each_run_has_one_target_folder_and_the_newest_are_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    assert run_target_path(tmp_path, "abc") == tmp_path / "target" / "run-abc"
    runs = []
    for number in range(7):
        folder = run_target_path(tmp_path, f"r{number}")
        folder.mkdir(parents=True)
        os.utime(folder, (time.time() + number, time.time() + number))
        runs.append(folder)
    (tmp_path / "target" / "partial_parse.msgpack").write_bytes(b"kept")
    removed = prune_run_targets(tmp_path, keep=5)
    assert removed == runs[:2]
    assert sorted(p.name for p in (tmp_path / "target").iterdir()) == [
        "partial_parse.msgpack",
        *(f"run-r{n}" for n in range(2, 7)),
    ]
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "elsewhere"))
    assert run_target_path(tmp_path, "abc") == tmp_path / "elsewhere" / "run-abc"
