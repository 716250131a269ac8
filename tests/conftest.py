"""Shared fixtures: a fresh data directory with real secrets, and real stores.

The contract suite runs on the embedded store always, and on Neo4j as well whenever
HUB_TEST_NEO4J_URI (with HUB_TEST_NEO4J_USER / HUB_TEST_NEO4J_PASSWORD) is set.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.graph import CypherStore, open_store
from hub.ingest import Ingestor, IngestReport, ingest_lines
from hub.personal_data import Keyring, create_secret_file, load_keyring
from hub.settings import Settings

STORES = ["embedded"] + (["neo4j"] if os.environ.get("HUB_TEST_NEO4J_URI") else [])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var"
    monkeypatch.setenv("HUB_DATA_DIR", str(path))
    monkeypatch.setenv("HUB_STORE", "embedded")
    create_secret_file(path / "secrets" / "hub.key")
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings()


@pytest.fixture
def keyring(settings: Settings) -> Keyring:
    return load_keyring(settings.secret_path)


async def _neo4j_store() -> CypherStore:
    settings = Settings(
        store="neo4j",
        neo4j_uri=os.environ["HUB_TEST_NEO4J_URI"],
        neo4j_user=os.environ.get("HUB_TEST_NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("HUB_TEST_NEO4J_PASSWORD", ""),
        neo4j_database=os.environ.get("HUB_TEST_NEO4J_DATABASE", "neo4j"),
    )
    store = await open_store(settings)
    await store.read("MATCH (n) DETACH DELETE n", {})  # a test database, emptied per test
    return store


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[CypherStore]:
    opened = await (_neo4j_store() if request.param == "neo4j" else open_store(settings))
    try:
        yield opened
    finally:
        await opened.close()


async def ingest_records(
    store: CypherStore, keyring: Keyring, records: list[dict[str, object]], data_dir: Path
) -> IngestReport:
    """Ingest canonical records through the real ingest path (as JSON lines)."""
    ingestor = Ingestor(store, keyring, "test.jsonl", data_dir / "quarantine", batch_size=500)
    return await ingest_lines(ingestor, (json.dumps(r, ensure_ascii=False) for r in records))
