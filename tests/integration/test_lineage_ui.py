"""The UI's GraphQL API shows the lineage of the headline mart unbroken, down to the raw sources."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from common.settings import REPO_ROOT

STARTUP_LIMIT_SECONDS = 300  # loading the code location imports dbt and Dagster: slow on CI

LOCATION_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""

UPSTREAM_QUERY = """
query Upstream($keys: [AssetKeyInput!]) {
  assetNodes(assetKeys: $keys) {
    assetKey { path }
    groupName
    dependencyKeys { path }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    response = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _wait_for_location(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster-webserver exited ({server.returncode}):\n{log.read_text()}")
        try:
            data = _graphql(url, LOCATION_QUERY)
        except requests.RequestException:
            time.sleep(1)
            continue
        entries = data["workspaceOrError"].get("locationEntries") or []
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            errors = [e["locationOrLoadError"] for e in entries]
            failed = [e for e in errors if e and e["__typename"] == "PythonError"]
            assert not failed, failed
            return
        time.sleep(1)
    pytest.fail(f"the code location did not load:\n{log.read_text()[-5000:]}")


@pytest.fixture(scope="module")
def graphql_url(dbt_manifest, tmp_path_factory: pytest.TempPathFactory):
    """dagster-webserver on a free loopback port, against workspace.yaml and a temp instance."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ROX_WAREHOUSE": str(home / "warehouse" / "rox.duckdb"),
        "DO_NOT_TRACK": "1",
    }
    log = home / "webserver.log"
    webserver = Path(sys.executable).parent / "dagster-webserver"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the code server goes with it
        )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        _wait_for_location(url, server, log)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _upstream(url: str, start: list[str]) -> dict[str, dict]:
    """Every asset upstream of `start` (included), walking the API one level at a time."""
    nodes: dict[str, dict] = {}
    frontier = [start]
    while frontier:
        data = _graphql(url, UPSTREAM_QUERY, {"keys": [{"path": p} for p in frontier]})
        frontier = []
        for node in data["assetNodes"]:
            nodes["/".join(node["assetKey"]["path"])] = node
            for dep in node["dependencyKeys"]:
                if "/".join(dep["path"]) not in nodes and dep["path"] not in frontier:
                    frontier.append(dep["path"])
    return nodes


def test_headline_lineage_reaches_every_raw_source(graphql_url: str) -> None:
    # rox_score once it exists, business_kpis until then.
    rox, kpis = ["marts", "rox_score"], ["marts", "business_kpis"]
    found = _graphql(graphql_url, UPSTREAM_QUERY, {"keys": [{"path": rox}, {"path": kpis}]})
    start = rox if rox in [node["assetKey"]["path"] for node in found["assetNodes"]] else kpis

    nodes = _upstream(graphql_url, start)

    assert {
        "raw/salesforce_orders",
        "raw/zendesk_tickets",
        "raw/marketing_spend",
        "raw/pseudonym_salt",
    } <= set(nodes)
    assert {"staging", "intermediate", "marts"} <= {n["groupName"] for n in nodes.values()}
    # Unbroken: every asset with no upstream is a raw source or configuration (dbt seeds).
    roots = {key for key, node in nodes.items() if not node["dependencyKeys"]}
    assert roots and all(key.startswith(("raw/", "config/")) for key in roots), roots
