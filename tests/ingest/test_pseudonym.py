"""The pseudonymisation salt: configured, kept, or generated once; never returned."""

from __future__ import annotations

import duckdb

from ingest.pseudonym import SALT_TABLE, ensure_salt


def stored(con) -> list[tuple[str]]:
    return con.execute(f"select salt from {SALT_TABLE}").fetchall()


def test_generated_once_then_kept() -> None:
    with duckdb.connect() as con:
        assert ensure_salt(con, None) == "generated"
        first = stored(con)
        assert ensure_salt(con, None) == "stored"
        assert stored(con) == first
        assert len(first) == 1 and len(first[0][0]) == 64


def test_configured_salt_replaces_the_stored_one() -> None:
    with duckdb.connect() as con:
        ensure_salt(con, None)
        assert ensure_salt(con, "s3cret") == "configured"
        assert stored(con) == [("s3cret",)]
        assert ensure_salt(con, "s3cret") == "configured"
        assert stored(con) == [("s3cret",)]
