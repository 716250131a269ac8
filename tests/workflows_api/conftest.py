"""A live hub (real HTTP on 127.0.0.1) over the workflows' small world, with keys for the
credit office, three agencies and an auditor; its clock can be set, so a test walks a
year of workflow steps in seconds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from hub.access.roles import Role
from hub.personal_data import create_secret_file
from hub.settings import Settings
from tests.api.conftest import LiveHub, live_hub
from tests.workflows.conftest import world

KEYS = {
    "credit_office": ("co", Role.CREDIT_OFFICE),
    "agency": ("hc", Role.AGENCY),  # the health commission
    "mr": ("mr", Role.AGENCY),  # market regulation
    "mi": ("mi", Role.AGENCY),  # medical insurance
    "auditor": ("co", Role.AUDITOR),
}
PURPOSE = {"X-Purpose": "workflow test"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    data_dir = tmp_path_factory.mktemp("workflows") / "var"
    settings = Settings(data_dir=data_dir, store="embedded", public_rate_per_minute=100_000)
    create_secret_file(settings.secret_path)
    with live_hub(data_dir, settings, world(), KEYS) as live:
        yield live


def at(hub: LiveHub, day: dt.date) -> None:
    """Set the hub's today (the default date of a step, the end of the back-dating window)."""
    hub.services.clock = lambda: day


def gql(
    hub: LiveHub, query: str, variables: dict[str, Any] | None = None, key: str = "credit_office"
) -> dict[str, Any]:
    """Run a query that must succeed; its data."""
    response = hub.post(query, variables, key=key, headers=PURPOSE)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def gql_error(
    hub: LiveHub, query: str, variables: dict[str, Any] | None = None, key: str = "credit_office"
) -> dict[str, Any]:
    """Run a query that must fail with exactly one error; that error."""
    response = hub.post(query, variables, key=key, headers=PURPOSE)
    assert response.status_code == 200, response.text
    errors = response.json().get("errors")
    assert errors and len(errors) == 1, response.json()
    error: dict[str, Any] = errors[0]
    return error
