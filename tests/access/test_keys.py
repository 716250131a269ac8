"""Principals: keys are shown once and stored hashed; unknown, revoked or malformed keys
get a 401 with a clear message, and the refusal is logged too."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hub.access.keys import KeyStore
from hub.cli import app
from hub.graph import open_store
from hub.personal_data import load_keyring
from hub.settings import Settings
from tests.api.conftest import LiveHub
from tests.conftest import ingest_records
from tests.factories import AGENCIES

runner = CliRunner()


def _leaf(hub: LiveHub, response: httpx.Response) -> dict[str, object]:
    index = int(response.headers["X-Audit-Receipt"].split(":")[0])
    return hub.services.audit.entry(index).leaf.to_json()


@pytest.mark.parametrize(
    ("authorization", "message", "principal"),
    [
        ("Bearer chk_000000000000_nope", "unauthenticated: unknown API key", "unknown"),
        ("Bearer not-a-key", "unauthenticated: the API key is malformed", "unknown"),
        (
            "Basic dXNlcjpwYXNz",
            "unauthenticated: send the API key as `Authorization: Bearer",
            "unknown",
        ),
    ],
)
def test_bad_keys_are_401_and_logged(
    hub: LiveHub, authorization: str, message: str, principal: str
) -> None:
    response = httpx.post(
        f"{hub.url}/graphql",
        json={"query": "{ measures { code } }"},
        headers={"Authorization": authorization},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body and body["errors"][0]["message"].startswith(message)
    leaf = _leaf(hub, response)
    assert leaf["principal"] == principal and leaf["role"] == "unauthenticated"
    assert leaf["result"] == {"outcome": "refused", "subjects": 0, "error_class": "UNAUTHENTICATED"}


def test_revoked_key_is_401_naming_the_key(hub: LiveHub) -> None:
    response = hub.post("{ measures { code } }", key="revoked")
    assert response.status_code == 401
    key_id = hub.key_ids["revoked"]
    assert response.json()["errors"][0]["message"].startswith(
        f"unauthenticated: API key {key_id} was revoked on "
    )
    assert _leaf(hub, response)["principal"] == key_id


def test_revocation_applies_to_the_running_server(server: LiveHub) -> None:
    # the second request is answered from the server's memory of valid keys ...
    for _ in range(2):
        assert server.post("{ measures { code } }", key="agency").status_code == 200
    # ... which a revocation from another connection (as the CLI makes) must clear
    keys = KeyStore(server.settings.keys_path, load_keyring(server.settings.secret_path))
    try:
        assert keys.revoke(server.key_ids["agency"])
        assert not keys.revoke(server.key_ids["agency"])  # once
    finally:
        keys.close()
    assert server.post("{ measures { code } }", key="agency").status_code == 401


def test_principal_agency_and_role_are_in_the_leaf(hub: LiveHub) -> None:
    leaf = _leaf(hub, hub.post("{ measures { code } }", key="agency"))
    assert (leaf["principal"], leaf["agency"], leaf["role"]) == (
        hub.key_ids["agency"],
        "hc",
        "agency",
    )
    public = _leaf(hub, hub.post("{ measures { code } }", key=None))
    assert (public["principal"], public["agency"], public["role"]) == ("public", "public", "public")


def test_keys_cli_create_list_revoke(data_dir: Path) -> None:
    async def load() -> None:
        store = await open_store(Settings())
        try:
            keyring = load_keyring(data_dir / "secrets" / "hub.key")
            await ingest_records(store, keyring, AGENCIES, data_dir)
        finally:
            await store.close()

    asyncio.run(load())
    created = runner.invoke(app, ["keys", "create", "--agency", "hc", "--role", "agency"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("chk_")
    key_id = token.split("_")[1]

    unknown = runner.invoke(app, ["keys", "create", "--agency", "nope", "--role", "agency"])
    assert unknown.exit_code == 1 and "unknown agency 'nope'" in unknown.output
    wrong_kind = runner.invoke(app, ["keys", "create", "--agency", "hc", "--role", "credit_office"])
    assert (
        wrong_kind.exit_code == 1 and "needs an agency of kind credit_office" in wrong_kind.output
    )
    bad_role = runner.invoke(app, ["keys", "create", "--agency", "hc", "--role", "root"])
    assert bad_role.exit_code != 0

    listed = runner.invoke(app, ["keys", "list"])
    assert f"{key_id}\thc\tagency\t" in listed.stdout and token not in listed.stdout
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).stdout
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 1

    # only a keyed hash is stored: the key itself is nowhere in the table's file
    keys_file = data_dir / "access" / "keys.sqlite"
    assert token.encode() not in keys_file.read_bytes()
    (stored,) = sqlite3.connect(keys_file).execute("SELECT key_hash FROM api_keys").fetchone()
    assert len(stored) == 64 and token.split("_", 2)[2] not in stored
