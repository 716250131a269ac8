"""A real embedded store per test, in a temporary data dir with its own secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.agencies import agency
from connectors.runner import ConnectorReport, run
from hub.graph import open_store
from hub.personal_data import create_secret_file
from hub.settings import Settings


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HUB_INGEST_BATCH_SIZE", "200")
    settings = Settings()
    create_secret_file(settings.secret_path)
    return settings


async def ingest(code: str, target: Path | str, **options: Any) -> ConnectorReport:
    return await run(agency(code), str(target), Settings(), **options)


async def counts() -> dict[str, int]:
    store = await open_store(Settings())
    try:
        return await store.counts()
    finally:
        await store.close()


async def nodes(label: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    store = await open_store(Settings())
    try:
        return await store.get_nodes(label, keys)
    finally:
        await store.close()


def rejections(report: ConnectorReport) -> list[tuple[str, str, str]]:
    return [(r.position, r.field, r.reason) for r in report.ingest.rejections]
