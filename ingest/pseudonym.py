"""The salt behind pseudonymous customer keys.

Staging hashes emails and ids with this salt, read from `raw.pseudonym_salt` at build time, so
the secret never appears in SQL text, dbt logs or compiled files. It sits in the raw schema beside
the personal data it protects; the published marts carry neither.
"""

from __future__ import annotations

import secrets

import duckdb

SALT_TABLE = "raw.pseudonym_salt"


def ensure_salt(con: duckdb.DuckDBPyConnection, configured_salt: str | None) -> str:
    """Store the configured salt, or keep the stored one, or create a random one.

    Returns where the salt came from ("configured", "stored" or "generated"), never the salt.
    """
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists {SALT_TABLE} (salt varchar not null)")
    stored = con.execute(f"select salt from {SALT_TABLE}").fetchall()
    if configured_salt:
        if stored == [(configured_salt,)]:
            return "configured"
        salt, origin = configured_salt, "configured"
    elif len(stored) == 1:
        return "stored"
    else:
        salt, origin = secrets.token_hex(32), "generated"
    con.begin()
    con.execute(f"delete from {SALT_TABLE}")
    con.execute(f"insert into {SALT_TABLE} values (?)", [salt])
    con.commit()
    return origin
