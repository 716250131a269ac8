"""`purpose` is required wherever a subject is touched, and it is what the leaf records."""

from __future__ import annotations

import pytest

from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import LR_OLD, A


def _leaf(hub: LiveHub, receipt: str) -> dict[str, object]:
    return hub.services.audit.entry(int(receipt.split(":")[0])).leaf.to_json()


@pytest.mark.parametrize(
    "query",
    [
        f'{{ institution(uscc: "{A}") {{ name }} }}',
        f'{{ person(idType: RESIDENT_ID, idNumber: "{LR_OLD}") {{ name }} }}',
        "{ listEntries { nodes { id } } }",
        f'{{ accessesTo(subject: {{uscc: "{A}"}}) {{ index }} }}',
        '{ _entities(representations: [{__typename: "Institution", uscc: "' + A + '"}]) '
        "{ ... on Institution { name } } }",
    ],
)
def test_subject_fields_need_a_purpose(hub: LiveHub, query: str) -> None:
    response = hub.post(query)
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "purpose"}
    assert error["message"].startswith("purpose: required for Query.")
    leaf = _leaf(hub, response.headers["X-Audit-Receipt"])
    assert leaf["result"] == {"outcome": "error", "subjects": 0, "error_class": "BAD_USER_INPUT"}


def test_purpose_argument_is_recorded(hub: LiveHub) -> None:
    response = hub.post(
        f'{{ institution(uscc: "{A}", purpose: "  licence   review ") {{ name }} }}'
    )
    assert response.json() == {"data": {"institution": {"name": "A"}}}
    leaf = _leaf(hub, response.headers["X-Audit-Receipt"])
    assert leaf["purpose"] == "licence review"
    assert leaf["result"] == {"outcome": "allowed", "subjects": 1, "error_class": None}
    assert len(leaf["subjects"]) == 1  # a commitment, not the USCC
    assert A not in str(leaf)


def test_purpose_header_in_utf8_is_recorded(hub: LiveHub) -> None:
    response = hub.post(
        f'{{ institution(uscc: "{A}") {{ name }} }}',
        headers={"X-Purpose": "%E6%A0%A1%E9%AA%8C%E5%AE%A1%E6%9F%A5"},  # 校验审查
    )
    assert response.json()["data"]["institution"]["name"] == "A"
    assert _leaf(hub, response.headers["X-Audit-Receipt"])["purpose"] == "校验审查"


@pytest.mark.parametrize(
    ("purpose", "message"),
    [
        ("", "purpose: state why the data is needed (at least 4 characters)"),
        (
            f"check {LR_OLD}",
            "purpose: must not contain an ID number (it is kept in the access log)",
        ),
    ],
)
def test_bad_purposes_are_refused(hub: LiveHub, purpose: str, message: str) -> None:
    query = 'query($p: String!) { sanctions(subject: {uscc: "' + A + '"}, purpose: $p) { asOf } }'
    response = hub.post(query, {"p": purpose}, key="agency")
    assert response.json()["errors"][0]["message"] == message
    assert LR_OLD not in str(_leaf(hub, response.headers["X-Audit-Receipt"]))


def test_no_purpose_needed_without_subjects(hub: LiveHub) -> None:
    response = hub.post("{ measures { code } }", key=None)
    assert "errors" not in response.json()
    assert _leaf(hub, response.headers["X-Audit-Receipt"])["purpose"] == "-"
