"""Table metadata of the dbt assets: row counts and column types on every build, column lineage
once per deploy.

Column lineage comes from dagster-dbt's `fetch_column_metadata(with_column_lineage=True)`, which
reads every parent's columns and parses each model's compiled SQL with sqlglot: seconds per step
on every build, for an answer that only changes when the dbt project does. A deploy is named by
the fingerprint of the manifest the definitions were built from (`manifest_fingerprint`). The
first materialisation of a model after a change computes its lineage and records the fingerprint
(`column_lineage_deploy`) and the run (`column_lineage_run`); later builds of the same deploy copy
that lineage from the model's latest materialisation, so every materialisation still carries it
(the UI shows the latest). Row counts and column types are read on every build (one cheap query
each, and they can change without a deploy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg

LINEAGE = "dagster/column_lineage"
DEPLOY = "column_lineage_deploy"
COMPUTED_IN_RUN = "column_lineage_run"
# Fields dbt rewrites on a full parse although nothing changed.
_VOLATILE_FIELDS = frozenset({"created_at"})
_fingerprints: dict[int, tuple[Mapping[str, Any], str]] = {}


def manifest_fingerprint(manifest: Mapping[str, Any]) -> str:
    """A short hash of what decides the compiled SQL and the lineage: nodes, sources, macros and
    the dbt version; not when or by which invocation the manifest was written."""
    cached = _fingerprints.get(id(manifest))
    if cached is not None and cached[0] is manifest:
        return cached[1]

    def stable(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: stable(v) for k, v in value.items() if k not in _VOLATILE_FIELDS}
        if isinstance(value, list):
            return [stable(v) for v in value]
        return value

    content = {key: stable(manifest.get(key) or {}) for key in ("nodes", "sources", "macros")}
    content["dbt_version"] = (manifest.get("metadata") or {}).get("dbt_version")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()
    _fingerprints[id(manifest)] = (manifest, digest[:16])
    return digest[:16]


def model_asset_keys(
    manifest: Mapping[str, Any], translator: Any, selected: Iterable[dg.AssetKey]
) -> dict[dg.AssetKey, str]:
    """The selected assets that are dbt models (the nodes with lineage), by key: unique id."""
    chosen = set(selected)
    keys = {}
    for unique_id, node in (manifest.get("nodes") or {}).items():
        if node.get("resource_type") == "model":
            key = translator.get_asset_key(node)
            if key in chosen:
                keys[key] = unique_id
    return keys


def lineage_of_this_deploy(
    instance: dg.DagsterInstance, keys: Iterable[dg.AssetKey], fingerprint: str
) -> dict[dg.AssetKey, dict[str, Any]] | None:
    """The lineage entries of each key's latest materialisation, when every one of them was
    recorded for this deploy; None when any key needs its lineage computed."""
    keys = list(keys)
    if not keys:
        return {}
    latest = instance.get_latest_materialization_events(keys)
    found = {}
    for key in keys:
        entry = latest.get(key)
        materialization = entry.asset_materialization if entry else None
        metadata = materialization.metadata if materialization else {}
        deploy = metadata.get(DEPLOY)
        if deploy is None or getattr(deploy, "value", deploy) != fingerprint:
            return None
        found[key] = {k: metadata[k] for k in (LINEAGE, COMPUTED_IN_RUN) if k in metadata}
    return found


def stamp_lineage(
    events: Iterator[Any],
    unique_ids: Mapping[dg.AssetKey, str],
    fingerprint: str,
    *,
    computed_in_run: str | None = None,
    reused: Mapping[dg.AssetKey, Mapping[str, Any]] | None = None,
) -> Iterator[Any]:
    """Each model materialisation with the deploy's fingerprint, and either the run that just
    computed its lineage or the lineage `reused` from the latest materialisation."""
    by_unique_id = {uid: key for key, uid in unique_ids.items()}
    for event in events:
        unique_id = _unique_id(event)
        key = by_unique_id.get(unique_id) if unique_id else None
        if key is None or not isinstance(event, dg.Output | dg.AssetMaterialization):
            yield event
            continue
        extra: dict[str, Any] = {DEPLOY: fingerprint}
        if reused is not None:
            extra.update(reused.get(key, {}))
        else:
            extra[COMPUTED_IN_RUN] = computed_in_run
        yield event.with_metadata({**event.metadata, **extra})


def _unique_id(event: Any) -> str | None:
    value = (getattr(event, "metadata", None) or {}).get("unique_id")
    return None if value is None else str(getattr(value, "value", value))
