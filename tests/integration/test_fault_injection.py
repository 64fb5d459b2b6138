"""Fault injection (issue #10): every fault fails loudly, builds nothing after it, keeps the
evidence, and once the cause is removed a re-run gives the warehouse a clean run gives.

"The warehouse a clean run gives" is `clean`: the small demo company loaded once by
`load_demo_raw` and built once by dbt (`build_warehouse`); tables are compared by row count and
a SHA-256 of their sorted rows, without load times, run ids and archive paths
(`table_checksums`).

Each issue fault -> the test that covers it (here unless a module is named) -> what it asserts:

- API 429 storm, 5xx burst, read timeouts, truncated JSON, a body cut mid-transfer ->
  `test_api_fault_names_the_page_keeps_the_pages_and_a_rerun_is_clean` -> the error names URL
  and page; pages read before (and a malformed page) are landed; a re-run = clean reviews, cursor.
  Client retries, Retry-After, resume after a crash: test_review_client.py, test_review_sync.py.
- process killed in an ingest -> `test_killed_mid_ingest_leaves_all_or_nothing_and_a_rerun_is_clean`
  (SIGKILL of a loader subprocess: the file is in raw fully or not at all; re-run = clean load);
  an exception mid-load: test_csv_loader.py::test_a_crash_during_the_load_leaves_nothing_...
- process killed in a dbt build -> `test_killed_mid_dbt_build_then_a_rerun_equals_a_clean_build`.
- the same export dropped twice -> `test_the_same_exports_dropped_again_change_nothing` (every
  loader, renamed copies too); one file: test_csv_loader.py::test_the_same_file_twice_...
- wrong encoding (Latin-1, UTF-16), an unterminated quote ->
  `test_a_file_level_csv_fault_is_refused_and_a_fixed_file_loads_clean` -> error names the file
  (and line); nothing of it loaded; the refused bytes archived; the fixed file = clean raw.
- ragged rows -> `test_ragged_rows_are_rejected_with_their_lines_and_nothing_else_changes`.
- a stray quote in a field, a 10 MB field -> `test_a_stray_quote_and_a_10_mb_field_load_intact`.
- schema drift: a renamed column -> `test_a_renamed_column_stops_the_daily_run_before_staging`
  (the daily Dagster job: the failure names file and column, no staging or marts, evidence kept,
  the fixed file = clean raw); a missing or an extra column (kept in `_extra`):
  test_csv_loader.py::test_missing_required_column_... and ::test_optional_column_...
- out-of-range values -> `test_out_of_range_review_stars_are_refused_naming_file_row_and_field`,
  `test_out_of_range_nps_is_rejected_naming_file_row_and_field`; review stars from the API:
  test_review_client.py::test_a_bad_review_names_its_id_and_field.
- a failing dbt test -> `test_a_failing_dbt_test_stops_the_marts_and_a_fixed_rerun_is_clean`.
- a failing GE suite -> test_end_to_end.py::test_a_broken_raw_export_stops_staging; a few bad
  rows quarantined instead -> ::test_a_bad_raw_row_is_quarantined_and_never_reaches_staging.
- a concurrent reader of the published marts during a build ->
  test_published_marts.py::test_readers_never_see_a_half_written_or_mixed_set.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from common.settings import DBT_PROJECT_DIR, REPO_ROOT
from ingest.crm import CRM_SOURCES, SALESFORCE_ACCOUNTS, SALESFORCE_ORDERS
from ingest.csv_loader import load_csv_source
from ingest.pseudonym import ensure_salt
from ingest.review_export_loader import REVIEW_EXPORT_SOURCES, load_review_exports
from ingest.review_sync import sync_business_unit
from ingest.reviews import ReviewApiClient, ReviewApiError
from ingest.survey_loader import load_survey_files
from ingest.survey_mapping import load_survey_mapping
from tests.helpers import (
    STAGED_BUILD,
    build_warehouse,
    demo_review_server,
    load_demo_raw,
    run_dbt,
    table_checksum,
    table_checksums,
)

CRM_TABLES = [f"raw.{s.name}" for s in CRM_SOURCES]
CRM_NAMES = tuple(s.name for s in CRM_SOURCES)
MAPPING = load_survey_mapping(REPO_ROOT / "config" / "survey_mapping.yml")


def crm_checksums(con: duckdb.DuckDBPyConnection) -> dict:
    """The CRM raw tables and their lines of the load log (files loaded; a failed file's line
    stays as history) and rejected rows."""
    sources = "source in (" + ", ".join(f"'{n}'" for n in CRM_NAMES) + ")"
    sums = {t: table_checksum(con, t) for t in CRM_TABLES}
    sums["raw.load_log"] = table_checksum(con, "raw.load_log", f"{sources} and status = 'loaded'")
    sums["raw.rejected_rows"] = table_checksum(con, "raw.rejected_rows", sources)
    return sums


@dataclass(frozen=True)
class Clean:
    raw_db: Path  # the raw layer only
    built_db: Path  # raw + dbt build
    raw: dict
    built: dict
    crm: dict


@contextmanager
def warehouse(path: Path) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ROX_WAREHOUSE", str(path))
        yield


@pytest.fixture(scope="module")
def clean(small_demo, tmp_path_factory) -> Clean:
    root = tmp_path_factory.mktemp("clean")
    raw_db, built_db = root / "clean_raw.duckdb", root / "clean_built.duckdb"
    load_demo_raw(raw_db, small_demo, root / "archive")
    shutil.copyfile(raw_db, built_db)
    with warehouse(built_db):
        result = build_warehouse()
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(raw_db), read_only=True) as con:
        crm = crm_checksums(con)
    return Clean(raw_db, built_db, table_checksums(raw_db), table_checksums(built_db), crm)


def copy_landing(small_demo, root: Path) -> Path:
    landing = root / "landing"
    for folder in ("crm", "surveys", "reviews"):
        shutil.copytree(small_demo.landing / folder, landing / folder)
    return landing


def load_crm(con, landing: Path, archive: Path) -> dict[str, str]:
    """Load every CRM source as the raw assets do; return the reasons of the files that failed
    in this load (a failed file is logged, never raised: the other files still load)."""
    failures = {}
    for source in CRM_SOURCES:
        report = load_csv_source(con, source, landing, archive)
        for failed in report.files:
            if failed.status == "failed":
                failures[source.name] = failed.reason
    return failures


# -- the review API ------------------------------------------------------------------------

API_FAULTS = {
    # fault: (server options, client options, failing page, words the error must contain)
    "429 storm": ({"rate_limit_every": 1}, {}, 1, "still HTTP 429 after 3 tries"),
    "5xx burst": ({"server_errors_at": {2, 3, 4}}, {}, 2, "still HTTP 500 after 3 tries"),
    "read timeouts": (
        {"delays_at": {2: 1.0, 3: 1.0, 4: 1.0}},
        {"timeout": (5, 0.25)},
        2,
        "ReadTimeout",
    ),
    "malformed JSON": (
        {"bodies_at": {2: '{"links": [], "reviews": [{"id": "r1", "stars": '}},
        {},
        2,
        "not valid JSON",
    ),
    "body cut mid-transfer": ({"truncated_at": {2}}, {}, 2, "IncompleteRead"),
}


@pytest.mark.parametrize("fault", list(API_FAULTS))
def test_api_fault_names_the_page_keeps_the_pages_and_a_rerun_is_clean(
    fault, clean, small_demo
) -> None:
    server_options, client_options, bad_page, words = API_FAULTS[fault]
    with duckdb.connect() as con:
        with demo_review_server(small_demo, page_size_max=20, **server_options) as server:
            client = ReviewApiClient(
                server.url, server.api_key, max_tries=3, backoff_factor=0, **client_options
            )
            (unit,) = server.business_units
            with pytest.raises(ReviewApiError) as err:
                sync_business_unit(con, client, unit)
        message = str(err.value)
        assert f"page {bad_page}" in message and server.url in message and words in message
        assert server.api_key not in message
        landed = con.execute(
            "select page_number, reviews_on_page from raw.review_api_pages order by 1"
        ).fetchall()
        # The evidence: every page read before the fault, and a malformed page as it came.
        expected = [(n, 20) for n in range(1, bad_page)]
        if fault == "malformed JSON":
            expected.append((bad_page, None))
        assert landed == expected
        assert con.execute("select count(*) from raw.trustpilot_reviews").fetchall()[0][0] == (
            20 * (bad_page - 1)
        )

        with demo_review_server(small_demo) as healthy:  # the cause removed
            client = ReviewApiClient(healthy.url, healthy.api_key, max_tries=3, backoff_factor=0)
            sync_business_unit(con, client, unit)
        # page_url says which page a version came from: it depends on the server's page size.
        reviews = table_checksum(con, "raw.trustpilot_reviews", skip=frozenset({"page_url"}))
        cursor = table_checksum(con, "raw.review_sync_cursor")
    with duckdb.connect(str(clean.raw_db), read_only=True) as clean_con:
        assert reviews == table_checksum(
            clean_con, "raw.trustpilot_reviews", skip=frozenset({"page_url"})
        )
        assert cursor == clean.raw["raw.review_sync_cursor"]


# -- CSV files -----------------------------------------------------------------------------


def _latin1(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert not text.isascii(), "the demo accounts should have accented names"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    # The header is ASCII: the message names the first line that is not UTF-8.
    first = next(n for n, line in enumerate(text.splitlines(), start=1) if not line.isascii())
    return rf"salesforce_accounts\.csv: line {first} is not UTF-8"


def _latin1_past_the_header(path: Path) -> str:
    """A UTF-8 export with one Latin-1 row appended, far past the first 8 KB."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    row = ",".join(["001Dm9000000009AAA", "Caf\u00e9 M\u00fcller", *fields[2:]])
    path.write_bytes(path.read_bytes() + row.encode("latin-1") + b"\n")
    return rf"salesforce_accounts\.csv: line {len(lines) + 1} is not UTF-8"


def _utf16(path: Path) -> str:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return r"salesforce_accounts\.csv: the header \(line 1\) is not UTF-8"


# An unterminated quote is a row-level fault now: its line is rejected and the rows after it load
# (tests/ingest/test_csv_loader.py::test_a_stray_quote_rejects_its_own_row_...).
FILE_FAULTS = {
    "Latin-1": _latin1,
    "Latin-1 past the header": _latin1_past_the_header,
    "UTF-16": _utf16,
}


@pytest.mark.parametrize("fault", list(FILE_FAULTS))
def test_a_file_level_csv_fault_is_refused_and_a_fixed_file_loads_clean(
    fault, clean, small_demo, tmp_path
) -> None:
    landing = copy_landing(small_demo, tmp_path)
    path = landing / "crm" / "salesforce_accounts.csv"
    original = path.read_bytes()
    pattern = FILE_FAULTS[fault](path)
    bad_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with duckdb.connect() as con:
        failures = load_crm(con, landing, tmp_path / "archive")
        assert list(failures) == ["salesforce_accounts"]
        assert re.search(pattern, str(failures["salesforce_accounts"]))
        assert con.execute("select count(*) from raw.salesforce_accounts").fetchall() == [(0,)]
        logged = {
            source
            for (source,) in con.execute(
                "select source from raw.load_log where status = 'loaded'"
            ).fetchall()
        }
        assert logged == {s.name for s in CRM_SOURCES} - {"salesforce_accounts"}
        # The raw evidence: the refused bytes are archived under their checksum.
        archived = tmp_path / "archive" / "salesforce_accounts" / bad_sha / path.name
        assert archived.read_bytes() == path.read_bytes()

        path.write_bytes(original)
        assert load_crm(con, landing, tmp_path / "archive") == {}
        assert crm_checksums(con) == clean.crm


def test_ragged_rows_are_rejected_with_their_lines_and_nothing_else_changes(
    clean, small_demo, tmp_path, monkeypatch
) -> None:
    # Two ragged rows beside one good one: allow that share of rejects here to see each row's
    # reason (the share above which a file fails whole is tested in tests/ingest/).
    monkeypatch.setenv("ROX_MAX_REJECTED_SHARE", "1")
    landing = copy_landing(small_demo, tmp_path)
    header, first = (landing / "crm" / "salesforce_accounts.csv").read_text().splitlines()[:2]
    ragged = [first, ",".join(first.split(",")[:5]), first + ",surplus,fields"]
    (landing / "crm" / "salesforce_accounts_ragged.csv").write_text(
        "\n".join([header, *ragged]) + "\n"
    )
    with duckdb.connect() as con:
        assert load_crm(con, landing, tmp_path / "archive") == {}
        rejected = con.execute(
            "select line_number, min(field), min(reason) from raw.rejected_rows "
            "where file_name = 'salesforce_accounts_ragged.csv' group by 1 order by 1"
        ).fetchall()
        logged = con.execute(
            "select rows_loaded, rows_rejected from raw.load_log "
            "where file_name = 'salesforce_accounts_ragged.csv'"
        ).fetchall()
        others = "_source_file <> 'salesforce_accounts_ragged.csv'"
        data = {
            t: table_checksum(con, t, others if t == "raw.salesforce_accounts" else "true")
            for t in CRM_TABLES
        }
    assert [(line, reason.split(":")[0]) for line, _, reason in rejected] == [
        (3, "MISSING COLUMNS"),
        (4, "TOO MANY COLUMNS"),
    ]
    assert rejected[0][1] is not None  # the first missing field is named
    assert logged == [(1, 2)]
    assert data == {t: clean.crm[t] for t in CRM_TABLES}


def test_a_stray_quote_and_a_10_mb_field_load_intact(small_demo, tmp_path) -> None:
    landing = tmp_path / "landing"
    header, first = (small_demo.crm / "salesforce_accounts.csv").read_text().splitlines()[:2]
    fields = first.split(",")
    names = {"001Dm9000000001AAA": 'Acme "Best" Ltd', "001Dm9000000002AAA": "x" * 10_000_000}
    rows = [",".join([i, name, *fields[2:]]) for i, name in names.items()]
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "salesforce_accounts_odd.csv").write_text("\n".join([header, *rows]) + "\n")
    with duckdb.connect() as con:
        report = load_csv_source(con, SALESFORCE_ACCOUNTS, landing, tmp_path / "archive")
        stored = dict(con.execute("select id, name from raw.salesforce_accounts").fetchall())
    assert (report.rows_loaded, report.rows_rejected) == (2, 0)
    assert stored == names


def test_out_of_range_review_stars_are_rejected_naming_file_row_and_field(
    clean, small_demo, tmp_path
) -> None:
    landing = copy_landing(small_demo, tmp_path)
    (path,) = (landing / "reviews").glob("reviews_*.csv")
    original = path.read_bytes()
    text = original.decode("utf-16") if original[:2] in (b"\xff\xfe", b"\xfe\xff") else None
    encoding = "utf-16" if text is not None else "utf-8"
    lines = (text or original.decode("utf-8")).splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("Star Rating")] = "7"
    lines[1] = ",".join(row)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    google_play = next(s for s in REVIEW_EXPORT_SOURCES if s.provider == "google_play")
    with duckdb.connect() as con:
        report = load_review_exports(con, google_play, landing, tmp_path / "archive")
        rejected = con.execute(
            "select file_name, line_number, field, value from raw.rejected_rows"
        ).fetchall()
        loaded = con.execute(f"select count(*) from {google_play.table}").fetchall()[0][0]
    # The bad review is rejected naming file, line and field; the rest of the file loads.
    assert rejected == [(path.name, 2, "Star Rating", "7")]
    assert report.rows_rejected == 1 and loaded == clean.raw[google_play.table][0] - 1


def test_out_of_range_nps_is_rejected_naming_file_row_and_field(
    small_demo, tmp_path, monkeypatch, dbt_manifest
) -> None:
    """The scale is the survey mapping's, applied in staging: the answer lands as exported and
    stg_surveys__rejected_answers names its file, line and field; the others are scored."""
    landing = copy_landing(small_demo, tmp_path)
    path = landing / "surveys" / "relationship_nps.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")  # Qualtrics: three header rows
    row[header.index("Q1")] = "11"
    lines[3] = ",".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (landing / "surveys" / "employee_pulse.csv").unlink()
    database = tmp_path / "rox.duckdb"
    with duckdb.connect(str(database)) as con:
        ensure_salt(con, "test-salt")
        load_survey_files(con, landing, tmp_path / "archive", MAPPING)
        kept = con.execute(
            "select count(*) from raw.survey_answers where answer = '11' and question_id = 'Q1'"
        ).fetchone()[0]
    monkeypatch.setenv("ROX_WAREHOUSE", str(database))
    result = run_dbt("build", "--select", "+stg_surveys__rejected_answers", "stg_surveys__answers")
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        rejected = con.execute(
            "select source_file, line_number, field, reason, value "
            "from staging.stg_surveys__rejected_answers"
        ).fetchall()
        scored = con.execute(
            "select count(*) from staging.stg_surveys__answers "
            "where survey_id = 'relationship_nps' and metric = 'nps'"
        ).fetchone()[0]
        responses = con.execute(
            "select count(*) from staging.stg_surveys__responses "
            "where survey_id = 'relationship_nps'"
        ).fetchone()[0]
    assert kept == 1
    assert rejected == [("relationship_nps.csv", 4, "Q1", "NPS answer 11 is outside 0-10", "11")]
    assert 0 < scored < responses


def test_the_same_exports_dropped_again_change_nothing(clean, small_demo, tmp_path) -> None:
    landing = copy_landing(small_demo, tmp_path)
    for path in [p for p in landing.rglob("*") if p.is_file()]:  # and once more, renamed
        shutil.copyfile(path, path.with_name(path.stem + "_again" + path.suffix))
    database = tmp_path / "again.duckdb"
    shutil.copyfile(clean.raw_db, database)
    with duckdb.connect(str(database)) as con:
        reports = [load_csv_source(con, s, landing, tmp_path / "archive") for s in CRM_SOURCES]
        reports.append(load_survey_files(con, landing, tmp_path / "archive", MAPPING))
        reports += [
            load_review_exports(con, s, landing, tmp_path / "archive")
            for s in REVIEW_EXPORT_SOURCES
        ]
    assert sum(r.rows_loaded for r in reports) == 0
    assert all(r.files_loaded == [] for r in reports)
    assert sum(len(r.files_skipped) for r in reports) >= 2 * 12
    assert table_checksums(database) == clean.raw


# -- processes killed ----------------------------------------------------------------------

_LOADER = """
import sys
from pathlib import Path
import dagster as dg
import duckdb
from ingest.crm import SALESFORCE_ORDERS
from ingest.csv_loader import load_csv_source
from ingest.pseudonym import ensure_salt
con = duckdb.connect(sys.argv[1])
print("loading", flush=True)
load_csv_source(con, SALESFORCE_ORDERS, Path(sys.argv[2]), Path(sys.argv[3]))
print("loaded", flush=True)
"""


def _big_orders_file(landing: Path, rows: int) -> Path:
    header = ",".join(c.header for c in SALESFORCE_ORDERS.columns)
    path = landing / "crm" / "salesforce_orders_big.csv"
    path.parent.mkdir(parents=True)
    with path.open("w") as handle:
        handle.write(header + "\n")
        for i in range(rows):
            handle.write(
                f"801Dm{i:010d}AAA,001Dm{i % 997:010d}AAA,{i:08d},2025-01-02,Activated,"
                f"{i % 500}.50,EUR,3.10,office,web,2025-01-05,2025-01-04,false,"
                "2025-01-02T10:00:00.000Z,2025-01-04T10:00:00.000Z\n"
            )
    return path


def test_killed_mid_ingest_leaves_all_or_nothing_and_a_rerun_is_clean(tmp_path) -> None:
    rows = 200_000
    landing = tmp_path / "landing"
    path = _big_orders_file(landing, rows)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    database, archive = tmp_path / "killed.duckdb", tmp_path / "archive"
    loader = subprocess.Popen(
        [sys.executable, "-c", _LOADER, str(database), str(landing), str(archive)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert loader.stdout.readline().strip() == "loading"
        # Kill once the archived copy is in place, i.e. while DuckDB reads it (or later).
        archived = archive / "salesforce_orders" / sha / path.name
        while loader.poll() is None and not archived.exists():
            time.sleep(0.005)
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
        loader.stdout.close()

    with duckdb.connect(str(database)) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "salesforce_orders" in tables:
            stored = con.execute("select count(*) from raw.salesforce_orders").fetchall()[0][0]
            logged = con.execute("select count(*) from raw.load_log").fetchall()[0][0]
            assert (stored, logged) in {(0, 0), (rows, 1)}  # all or nothing
        load_csv_source(con, SALESFORCE_ORDERS, landing, archive)
        after_kill = {t: table_checksum(con, t) for t in ("raw.salesforce_orders", "raw.load_log")}
    with duckdb.connect() as con:
        load_csv_source(con, SALESFORCE_ORDERS, landing, tmp_path / "clean_archive")
        clean = {t: table_checksum(con, t) for t in ("raw.salesforce_orders", "raw.load_log")}
    assert after_kill == clean
    assert clean["raw.salesforce_orders"][0] == rows


def test_killed_mid_dbt_build_then_a_rerun_equals_a_clean_build(clean, tmp_path) -> None:
    database = tmp_path / "rox.duckdb"
    shutil.copyfile(clean.raw_db, database)
    target = ["--target-path", str(tmp_path / "target")]  # a kill must not touch the shared one
    parsed = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if parsed.exists():  # saves a full parse; dbt parses in full if it is stale
        (tmp_path / "target").mkdir()
        shutil.copyfile(parsed, tmp_path / "target" / parsed.name)
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "ROX_WAREHOUSE": str(database), "DO_NOT_TRACK": "1"}
    build = subprocess.Popen(
        # The first dbt step of the staged build (seeds and staging); the Python text
        # signals run between it and the intermediate models, so `dbt build` alone cannot run.
        [str(dbt), "build", "--profiles-dir", ".", *target, *STAGED_BUILD[0]],
        cwd=DBT_PROJECT_DIR,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        for line in build.stdout:
            seen.append(line)
            if re.search(r"\b1 of [0-9]+ OK created", line):
                break
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
        build.stdout.close()
    assert any(" OK created" in line for line in seen), "".join(seen)[-2000:]
    assert not any("Completed successfully" in line for line in seen)

    with warehouse(database):
        result = build_warehouse(*target)
    assert result.returncode == 0, result.stdout[-3000:]
    assert table_checksums(database) == clean.built


def test_a_failing_dbt_test_stops_the_marts_and_a_fixed_rerun_is_clean(clean, tmp_path) -> None:
    database = tmp_path / "rox.duckdb"
    shutil.copyfile(clean.built_db, database)
    # A second row for a month already in the sheet, dated mid-month: staging keys spend by
    # (month start, channel), so the key is duplicated.
    with duckdb.connect(str(database)) as con:
        con.execute(
            "insert into raw.marketing_spend select * replace (month + 14 as month) "
            "from raw.marketing_spend order by month desc, channel limit 1"
        )
    with warehouse(database):
        failed = run_dbt("build", "--select", "stg_marketing__spend+")
    assert failed.returncode != 0
    assert re.search(
        r"FAIL [0-9]+ unique_grain_stg_marketing__spend_spend_month__channel", failed.stdout
    ), failed.stdout[-3000:]
    assert re.search(r"SKIP relation marts\.business_kpis", failed.stdout)
    marts = {t: s for t, s in table_checksums(database, ("marts",)).items()}
    assert marts == {t: s for t, s in clean.built.items() if t.startswith("marts.")}

    with duckdb.connect(str(database)) as con:
        con.execute("delete from raw.marketing_spend where day(month) <> 1")
    with warehouse(database):
        fixed = run_dbt("build", "--select", "stg_marketing__spend+")
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    assert table_checksums(database) == clean.built


# -- a whole daily run ---------------------------------------------------------------------


def test_a_renamed_column_fails_its_file_only_and_the_fixed_file_loads(
    clean, small_demo, dbt_manifest, tmp_path
) -> None:
    """A file whose layout cannot be used is one failed unit: it is logged with its reason, the
    source's other files and every other source load, its `failed_files` check warns."""
    from tests.helpers import pipeline_env, run_daily_refresh

    landing = copy_landing(small_demo, tmp_path)
    (path,) = (landing / "crm").glob("salesforce_orders_2025*.csv")
    original = path.read_bytes()
    path.write_bytes(original.replace(b",TotalAmount,", b",Total_Amount,", 1))
    env = {**pipeline_env(tmp_path, landing), "ROX_RAW_PARQUET_DIR": str(tmp_path / "parquet")}
    result = run_daily_refresh(env)

    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert not [e.step_key for e in failures if e.step_key.startswith("raw__")]
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"raw/salesforce_orders", "raw/salesforce_accounts"} <= materialised
    warned = {
        e.asset_key.to_user_string(): e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "failed_files" and not e.passed
    }
    assert list(warned) == ["raw/salesforce_orders"]
    assert warned["raw/salesforce_orders"].severity == dg.AssetCheckSeverity.WARN
    database = Path(env["ROX_WAREHOUSE"])
    with duckdb.connect(str(database)) as con:
        bad_sha = hashlib.sha256(path.read_bytes()).hexdigest()
        # Evidence: the refused file is archived and logged as failed, naming the column.
        assert (tmp_path / "archive" / "salesforce_orders" / bad_sha / path.name).exists()
        ((status, reason),) = con.execute(
            "select status, reason from raw.load_log where file_sha256 = ?", [bad_sha]
        ).fetchall()
        assert status == "failed" and path.name in reason and "TotalAmount" in reason
        loaded = con.execute(
            "select count(distinct file_name) from raw.load_log "
            "where source = 'salesforce_orders' and status = 'loaded'"
        ).fetchall()[0][0]
        assert loaded == len(list((landing / "crm").glob("salesforce_orders*.csv"))) - 1

        path.write_bytes(original)
        assert load_crm(con, landing, tmp_path / "archive") == {}
        assert crm_checksums(con) == clean.crm
