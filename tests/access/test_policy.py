"""Every cell of the role × operation table, over real HTTP: allowed cells answer, refused
ones get a FORBIDDEN error naming the field and the role, and every one is logged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hub.access.policy import POLICY
from hub.access.roles import Role
from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import LR_OLD, A

P = 'purpose: "policy test"'
CO, AG, AU, PU = Role.CREDIT_OFFICE, Role.AGENCY, Role.AUDITOR, Role.PUBLIC
KEY = {CO: "credit_office", AG: "agency", AU: "auditor", PU: None}


@dataclass(frozen=True)
class Cell:
    name: str
    query: str
    coordinate: str  # the field this cell is about
    allowed: frozenset[Role]
    root: str | None = None  # the root field a nested cell is reached through


OWN = '(filter: {decidedBy: "hc"}, ' + P + ")"
CELLS = [
    Cell("measures", "{ measures { code } }", "Query.measures", frozenset(Role)),
    Cell("_service", "{ _service { sdl } }", "Query._service", frozenset(Role)),
    Cell(
        "sanctions",
        f'{{ sanctions(subject: {{uscc: "{A}"}}, {P}) {{ asOf }} }}',
        "Query.sanctions",
        frozenset({AG, CO}),
    ),
    Cell(
        "screen",
        f'{{ screen(subjects: [{{uscc: "{A}"}}], {P}) {{ asOf }} }}',
        "Query.screen",
        frozenset({AG, CO}),
    ),
    Cell(
        "listEntries (own agency)",
        f"{{ listEntries{OWN} {{ nodes {{ id }} }} }}",
        "Query.listEntries",
        frozenset({AG, CO}),
    ),
    Cell(
        "listEntries (all agencies)",
        f"{{ listEntries({P}) {{ nodes {{ id }} }} }}",
        "Query.listEntries",
        frozenset({CO}),
    ),
    Cell(
        "institution",
        f'{{ institution(uscc: "{A}", {P}) {{ name }} }}',
        "Query.institution",
        frozenset({CO}),
    ),
    Cell(
        "person",
        f'{{ person(idType: RESIDENT_ID, idNumber: "{LR_OLD}", {P}) {{ name }} }}',
        "Query.person",
        frozenset({CO}),
    ),
    Cell(
        "_entities",
        '{ _entities(representations: [{__typename: "Institution", uscc: "'
        + A
        + '"}]) { ... on Institution { name } } }',
        "Query._entities",
        frozenset({CO}),
    ),
    Cell(
        "accessesTo",
        f'{{ accessesTo(subject: {{uscc: "{A}"}}, {P}) {{ index }} }}',
        "Query.accessesTo",
        frozenset({CO}),
    ),
    Cell(
        "auditEntries",
        "{ auditEntries(first: 1) { nodes { index } } }",
        "Query.auditEntries",
        frozenset({AU}),
    ),
    Cell(
        "auditCheckpoint",
        "{ auditCheckpoint { treeSize } }",
        "Query.auditCheckpoint",
        frozenset({AG, CO, AU}),
    ),
    Cell(
        "auditInclusionProof",
        "{ auditInclusionProof(index: 0, treeSize: 1) { hashes } }",
        "Query.auditInclusionProof",
        frozenset({AG, CO, AU}),
    ),
    Cell(
        "auditConsistencyProof",
        "{ auditConsistencyProof(from: 1, to: 1) { hashes } }",
        "Query.auditConsistencyProof",
        frozenset({AG, CO, AU}),
    ),
]
# nested fields: reached through listEntries (own records), the one root an agency shares
for name, selection in [
    ("Institution.roles", "institution { roles { role } }"),
    ("Institution.listEntries", "institution { listEntries { id } }"),
    ("Institution.penalties", "institution { penalties { basis } }"),
    ("Institution.evaluations", "institution { evaluations { year } }"),
    ("Institution.commitments", "institution { commitments { text } }"),
    ("Person.roles", "responsible { roles { role } }"),
    ("Person.listEntries", "responsible { listEntries { id } }"),
    ("Person.penalties", "responsible { penalties { basis } }"),
    ("Person.commitments", "responsible { commitments { text } }"),
    ("Person.idNumber", "responsible { idNumber }"),
]:
    CELLS.append(
        Cell(
            name,
            f"{{ listEntries{OWN} {{ nodes {{ {selection} }} }} }}",
            name,
            frozenset({CO}),
            root="Query.listEntries",
        )
    )
CELLS.append(
    Cell(
        "Person.idNumberMasked (open)",
        f"{{ listEntries{OWN} {{ nodes {{ responsible {{ idNumberMasked }} }} }} }}",
        "Person.idNumberMasked",
        frozenset({AG, CO}),
        root="Query.listEntries",
    )
)


def test_every_policy_row_has_cells() -> None:
    from tests.workflows_api.test_policy import CELLS as WORKFLOW_CELLS  # their own hub

    covered = {c.coordinate for c in CELLS} | {c.coordinate for c in WORKFLOW_CELLS}
    assert set(POLICY) <= covered


def _refused_field(cell: Cell, role: Role) -> str:
    """A nested cell is refused at its root for roles that may not use the root at all."""
    if cell.root is None:
        return cell.coordinate
    root_roles = POLICY[cell.root].roles if cell.root in POLICY else frozenset()
    own_agency_ok = role is AG  # the cells' listEntries use the agency's own filter
    return cell.coordinate if role in root_roles or own_agency_ok else cell.root


@pytest.mark.parametrize("role", [PU, AG, CO, AU], ids=lambda r: r.value)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.name)
def test_cell(hub: LiveHub, cell: Cell, role: Role) -> None:
    response = hub.post(cell.query, key=KEY[role], headers={"X-Purpose": "policy test"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    index, _ = response.headers["X-Audit-Receipt"].split(":")
    leaf = hub.services.audit.entry(int(index)).leaf.to_json()
    assert leaf["role"] == role.value
    if role in cell.allowed:
        assert "errors" not in body, body
        assert body["data"] and all(v is not None for v in body["data"].values())
        assert leaf["result"]["outcome"] == "allowed"
    else:
        field = _refused_field(cell, role)
        for error in body["errors"]:  # a nested field is refused once per parent object
            assert error["extensions"] == {"code": "FORBIDDEN", "field": field, "role": role.value}
            assert error["message"].startswith(
                f"forbidden: the {role.value} role may not use {field}"
            )
        assert leaf["result"]["outcome"] == "refused"
        assert leaf["result"]["error_class"] == "FORBIDDEN"
        if field.startswith("Query."):  # refused at the root: nothing was read
            assert leaf["result"]["subjects"] == 0 and leaf["subjects"] == []


def test_agency_may_not_read_another_agencys_entries(hub: LiveHub) -> None:
    body = hub.post(
        f'{{ listEntries(filter: {{decidedBy: "ps"}}, {P}) {{ nodes {{ id }} }} }}', key="agency"
    ).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert 'set filter: {decidedBy: "hc"}' in error["message"]


def test_public_refusal_says_how_to_authenticate(hub: LiveHub) -> None:
    body = hub.post(f'{{ sanctions(subject: {{uscc: "{A}"}}, {P}) {{ asOf }} }}', key=None).json()
    assert "send Authorization: Bearer <key>" in body["errors"][0]["message"]


def test_refusal_in_a_mixed_request_keeps_the_allowed_fields(hub: LiveHub) -> None:
    query = f'{{ measures {{ code }} institution(uscc: "{A}", {P}) {{ name }} }}'
    body = hub.post(query, key="agency").json()
    assert body["data"]["measures"] and body["data"]["institution"] is None
    assert body["errors"][0]["extensions"]["field"] == "Query.institution"
