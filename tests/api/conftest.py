"""A real hub server on 127.0.0.1 (uvicorn in a thread) over a scenario graph."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from hub.app import create_app
from hub.graph import open_store
from hub.personal_data import load_keyring
from hub.settings import Settings
from tests.conftest import ingest_records
from tests.sanctions.test_acceptance import scenario


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(data_dir: Path) -> Iterator[str]:
    settings = Settings(screen_max_subjects=50)

    async def load() -> None:
        store = await open_store(settings)
        try:
            await ingest_records(store, load_keyring(settings.secret_path), scenario(), data_dir)
        finally:
            await store.close()

    asyncio.run(load())
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        raise RuntimeError("server did not start")
    try:
        yield url
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
