"""A real hub server on 127.0.0.1 (uvicorn in a thread) over a scenario graph, with API
keys for every role (created through the same path as `credit-hub keys create`)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from hub.access.enrol import issue_key
from hub.access.keys import KeyStore
from hub.access.roles import Role
from hub.app import create_app
from hub.graph import open_store
from hub.personal_data import load_keyring
from hub.resolvers.context import Services
from hub.settings import Settings
from tests.conftest import ingest_records
from tests.sanctions.test_acceptance import scenario

# name -> (agency, role); "revoked" is revoked before the server starts
KEYS = {
    "credit_office": ("co", Role.CREDIT_OFFICE),
    "agency": ("hc", Role.AGENCY),
    "auditor": ("co", Role.AUDITOR),
    "revoked": ("mr", Role.AGENCY),
}


@dataclass
class LiveHub:
    url: str
    app: Starlette
    settings: Settings
    data_dir: Path
    keys: dict[str, str] = field(default_factory=dict)  # name -> bearer key
    key_ids: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = "credit_office",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a query as the principal named `key` (None: no key, the public role)."""
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {self.keys[key]}"
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=sent,
            timeout=30,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_hub(
    data_dir: Path,
    settings: Settings,
    records: list[dict[str, Any]] | None = None,
    key_table: dict[str, tuple[str, Role]] | None = None,
) -> Iterator[LiveHub]:
    """Ingest the records (default: the acceptance scenario), issue the keys of
    `key_table` (default KEYS; "revoked" is revoked), serve on a free port; stop afterwards."""
    keys: dict[str, str] = {}
    key_ids: dict[str, str] = {}
    wanted = KEYS if key_table is None else key_table

    async def load() -> None:
        store = await open_store(settings)
        keyring = load_keyring(settings.secret_path)
        key_store = KeyStore(settings.keys_path, keyring)
        try:
            report = await ingest_records(
                store, keyring, scenario() if records is None else records, data_dir
            )
            assert report.rejected == 0, report.rejections
            for name, (agency, role) in wanted.items():
                row, token = await issue_key(store, key_store, agency, role)
                keys[name], key_ids[name] = token, row.key_id
            if "revoked" in key_ids:
                key_store.revoke(key_ids["revoked"])
        finally:
            key_store.close()
            await store.close()

    asyncio.run(load())
    port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
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
        yield LiveHub(url, app, settings, data_dir, keys, key_ids)
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(data_dir: Path) -> Iterator[LiveHub]:
    with live_hub(data_dir, Settings(screen_max_subjects=50)) as hub:
        yield hub
