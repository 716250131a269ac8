"""Conformance with the real tools from npm (conformance/, installed by install.sh):
graphql-http's auditServer, both federation composers and Hive Gateway."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.conftest import CONFORMANCE, Hub

NODE = shutil.which("node")
NPM = shutil.which("npm")
NEEDED = (
    "graphql-http",
    "@apollo/composition",
    "@theguild/federation-composition",
    "@graphql-hive/gateway-runtime",
    "@graphql-mesh/transport-http",
    "@apollo/subgraph",
    "graphql-yoga",
)
MISSING = [name for name in NEEDED if not (CONFORMANCE / "node_modules" / name).is_dir()]
# CI sets CONFORMANCE_REQUIRED=1 after conformance/install.sh: then missing tools fail.
REQUIRED = os.environ.get("CONFORMANCE_REQUIRED") == "1"

SKIP_REASON = None
if NODE is None or NPM is None:
    SKIP_REASON = "node and npm are needed (not on PATH)"
elif MISSING:
    SKIP_REASON = f"conformance/node_modules lacks {', '.join(MISSING)}: run conformance/install.sh"
if SKIP_REASON and not REQUIRED:
    pytestmark = pytest.mark.skip(reason=SKIP_REASON)

AUDITS = 61  # graphql-http 1.23.1, pinned by conformance/package-lock.json
NODE_TIMEOUT = 180.0


def node(script: str, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run a conformance script with --json; returns the process and its JSON summary."""
    if SKIP_REASON or NODE is None:
        pytest.fail(f"{SKIP_REASON} (and CONFORMANCE_REQUIRED=1)")
    result = subprocess.run(
        [NODE, script, *args, "--json"],
        cwd=CONFORMANCE,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"{script}: no output; stderr:\n{result.stderr}"
    try:
        summary = json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"{script}: no JSON summary\n{result.stdout}\n{result.stderr}")
    return result, summary


def test_graphql_http_audit_all_ok(hub: Hub) -> None:
    result, summary = node("audit.mjs", hub.url)
    report = result.stdout + result.stderr
    assert summary["failures"] == [], report
    assert summary["total"] == AUDITS, report
    assert summary["ok"] == AUDITS, report
    assert summary["warn"] == summary["error"] == summary["notice"] == 0, report
    assert f"audit: {AUDITS} ok, 0 notice, 0 warn, 0 error of {AUDITS}" in result.stdout
    assert result.returncode == 0, report


def test_hub_sdl_composes_with_partner_in_both_composers(hub: Hub, tmp_path: Path) -> None:
    result, summary = node(
        "compose.mjs", "--hub-sdl", str(hub.sdl_file), "--out-dir", str(tmp_path)
    )
    report = result.stdout + result.stderr
    for composer in ("guild", "apollo"):
        assert summary[composer]["ok"], report
        assert summary[composer]["errors"] == [], report
        assert f"compose {composer}: ok" in result.stdout
        supergraph = (tmp_path / f"supergraph.{composer}.graphql").read_text(encoding="utf-8")
        # both subgraphs are joined, and the partner's field lands on the hub's entity
        assert "join__Graph" in supergraph and "MARKET_REGULATION" in supergraph, composer
        assert "registeredCapital" in supergraph and "sanctions" in supergraph, composer
    assert result.returncode == 0, report


def fnv1a(text: str) -> int:
    """The partner's (conformance/partner/market-regulation.mjs) hash, checked independently."""
    h = 0x811C9DC5
    for ch in text:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def test_hive_gateway_query_crosses_both_subgraphs(hub: Hub) -> None:
    inst = hub.institutions[0]
    result, summary = node(
        "gateway.mjs",
        "--hub-url",
        hub.url,
        "--hub-sdl",
        str(hub.sdl_file),
        "--uscc",
        inst["uscc"],
        "--expect-name",
        inst["name"],
        "--hub-key",
        hub.api_key,
    )
    report = result.stdout + result.stderr
    for composer in ("guild", "apollo"):
        assert summary["compose"][composer]["ok"], report
        gateway = summary["gateway"][composer]
        assert gateway["ok"], report
        assert gateway["problems"] == [], report
        assert gateway["status"] == 200
        merged = gateway["institution"]
        assert merged["uscc"] == inst["uscc"]
        assert merged["name"] == inst["name"]  # from the hub
        assert merged["roles"] > 0  # from the hub
        assert merged["registeredCapital"] == 50 + fnv1a(inst["uscc"]) % 99_951  # partner
        assert merged["registrationAuthority"].endswith(f"{inst['uscc'][2:8]}）")  # partner
        assert gateway["sanctionsSubject"]["known"] is True  # hub root field
        registration = gateway["registration"]  # partner root field, hub fields via entity
        assert registration["name"] == inst["name"]
        assert registration["registeredCapital"] == merged["registeredCapital"]
    assert result.returncode == 0, report
