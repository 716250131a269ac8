"""Every cell of the workflows' role × operation table, over real HTTP: an allowed cell
succeeds (its preconditions are made first, through the API, by a role allowed to), a
refused one gets FORBIDDEN naming the field and the role and reads nothing; each is one
leaf in the access log with the caller's role and the outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from hub.access.policy import POLICY
from hub.access.roles import Role
from tests.api.conftest import LiveHub
from tests.workflows.conftest import DOCTOR, A, B
from tests.workflows_api.conftest import PURPOSE, gql

CO, AG, AU, PU = Role.CREDIT_OFFICE, Role.AGENCY, Role.AUDITOR, Role.PUBLIC
KEY = {CO: "credit_office", AG: "agency", AU: "auditor", PU: None}
PARTNERS = frozenset({AG, CO})
EVERYONE = frozenset(Role)
TODAY = dt.date.today()
DAY = dt.timedelta(days=1)

SCORES = (
    "["
    + ", ".join(
        f'{{area: "{a}", score: 90}}'
        for a in (
            "practice_management",
            "maternal_infant_care",
            "special_technology",
            "infectious_disease",
            "general_management",
        )
    )
    + "]"
)
PROPOSE = (
    "mutation($u: String!, $sev: Severity!, $on: Date) { proposeListing(input: "
    '{subject: {uscc: $u}, list: BLACK, reason: "违规执业", basis: "《医疗机构管理条例》", '
    "severity: $sev}, on: $on) { entryId } }"
)
NOTIFY = "mutation($e: String!, $on: Date) { notifyListing(entryId: $e, on: $on) { state } }"
ACTIVATE = "mutation($e: String!) { activateListing(entryId: $e) { state } }"
FILE = 'mutation($e: String!) { fileObjection(entryId: $e, grounds: "不服") { key } }'
APPLY = (
    'mutation($e: String!) { applyForRepair(entryId: $e, evidence: ["整改报告"], '
    "commitment: true) { key } }"
)
ORDER = (
    "mutation($u: String!, $on: Date, $d: Date!) { orderRectification("
    'subject: {uscc: $u}, deadline: $d, reason: "整改", on: $on) { key } }'
)


def _key(role: Role) -> str:
    """The key that makes an allowed cell's preconditions: the role itself."""
    return KEY[role] or "credit_office"


def proposed(hub: LiveHub, role: Role, severity: str = "ORDINARY", on: dt.date = TODAY) -> str:
    data = gql(hub, PROPOSE, {"u": B, "sev": severity, "on": on.isoformat()}, _key(role))
    entry_id: str = data["proposeListing"]["entryId"]
    return entry_id


def notified(hub: LiveHub, role: Role, severity: str = "ORDINARY", on: dt.date = TODAY) -> str:
    entry_id = proposed(hub, role, severity, on)
    gql(hub, NOTIFY, {"e": entry_id, "on": on.isoformat()}, _key(role))
    return entry_id


def active(hub: LiveHub, role: Role, severity: str = "MINOR") -> str:
    """Proposed and notified 10 days ago (the black list's notice), in force today."""
    entry_id = notified(hub, role, severity, TODAY - 10 * DAY)
    gql(hub, ACTIVATE, {"e": entry_id}, _key(role))
    return entry_id


def objected(hub: LiveHub, role: Role) -> str:
    entry_id = notified(hub, role)
    key: str = gql(hub, FILE, {"e": entry_id})["fileObjection"]["key"]
    return key


def applied(hub: LiveHub, role: Role) -> str:
    entry_id = active(hub, role)
    key: str = gql(hub, APPLY, {"e": entry_id})["applyForRepair"]["key"]
    return key


def ordered(hub: LiveHub, role: Role, on: dt.date = TODAY, deadline: dt.date | None = None) -> str:
    variables = {"u": B, "on": on.isoformat(), "d": (deadline or TODAY + 30 * DAY).isoformat()}
    key: str = gql(hub, ORDER, variables, _key(role))["orderRectification"]["key"]
    return key


def signed(hub: LiveHub, role: Role) -> str:
    query = (
        "mutation($u: String!) { signCommitment(subject: {uscc: $u}, "
        'template: "MISSING-DOCUMENTS") { key } }'
    )
    key: str = gql(hub, query, {"u": B}, _key(role))["signCommitment"]["key"]
    return key


def statement(hub: LiveHub, _: Role) -> str:
    query = "mutation($u: String!) { issueStatement(uscc: $u) { token } }"
    token: str = gql(hub, query, {"u": A})["issueStatement"]["token"]
    return token


@dataclass(frozen=True)
class Cell:
    name: str  # the field: Mutation.<name> or Query.<name>
    query: str
    allowed: frozenset[Role]
    variables: Callable[[LiveHub, Role], dict[str, Any]] = lambda hub, role: {}
    dummy: dict[str, Any] = field(default_factory=dict)  # for refused roles: never read

    @property
    def coordinate(self) -> str:
        root = "Mutation" if self.query.lstrip().startswith("mutation") else "Query"
        return f"{root}.{self.name}"


E = {"e": "NO-SUCH-ENTRY"}
CELLS = [
    # --- mutations -----------------------------------------------------------------------
    Cell(
        "recordEvaluation",
        f'mutation {{ recordEvaluation(uscc: "{B}", year: 2025, scores: {SCORES}) {{ grade }} }}',
        frozenset({AG}),
    ),
    Cell(
        "recordViolation",
        f'mutation {{ recordViolation(uscc: "{B}", severity: MINOR, reason: "违规") '
        "{ uscc downgrade { toGrade } } }",
        frozenset({AG}),
    ),
    Cell(
        "signCommitment",
        "mutation($u: String!) { signCommitment(subject: {uscc: $u}, "
        'template: "PRACTICE-LAW") { key } }',
        PARTNERS,
        lambda hub, role: {"u": A if role is AG else B},
        {"u": A},
    ),
    Cell(
        "markCommitment",
        "mutation($k: String!) { markCommitment(commitmentKey: $k, kept: true) { kept } }",
        PARTNERS,
        lambda hub, role: {"k": signed(hub, role)},
        {"k": "none"},
    ),
    Cell(
        "proposeListing",
        PROPOSE,
        PARTNERS,
        lambda hub, role: {"u": B, "sev": "MINOR"},
        {"u": B, "sev": "MINOR"},
    ),
    Cell(
        "notifyListing",
        NOTIFY,
        PARTNERS,
        lambda hub, role: {"e": proposed(hub, role)},
        E,
    ),
    Cell(
        "activateListing",
        ACTIVATE,
        PARTNERS,
        lambda hub, role: {"e": notified(hub, role, "MINOR", TODAY - 10 * DAY)},
        E,
    ),
    Cell(
        "revokeListing",
        'mutation($e: String!) { revokeListing(entryId: $e, reason: "撤销") { state } }',
        frozenset({CO}),
        lambda hub, role: {"e": proposed(hub, role)},
        E,
    ),
    Cell("expireListings", "mutation { expireListings }", frozenset({CO})),
    Cell("fileObjection", FILE, frozenset({CO}), lambda hub, role: {"e": notified(hub, role)}, E),
    Cell(
        "answerObjection",
        'mutation($k: String!) { answerObjection(objectionKey: $k, outcome: UPHELD, answer: "维持") '
        "{ state } }",
        PARTNERS,
        lambda hub, role: {"k": objected(hub, role)},
        {"k": "none"},
    ),
    Cell("applyForRepair", APPLY, frozenset({CO}), lambda hub, role: {"e": active(hub, role)}, E),
    Cell(
        "decideRepair",
        "mutation($k: String!) { decideRepair(repairKey: $k, approve: true) { state } }",
        PARTNERS,
        lambda hub, role: {"k": applied(hub, role)},
        {"k": "none"},
    ),
    Cell(
        "orderRectification",
        ORDER,
        PARTNERS,
        lambda hub, role: {"u": B, "d": (TODAY + 30 * DAY).isoformat()},
        {"u": B, "d": TODAY.isoformat()},
    ),
    Cell(
        "markRectified",
        "mutation($k: String!) { markRectified(rectificationKey: $k) { rectifiedOn } }",
        PARTNERS,
        lambda hub, role: {"k": ordered(hub, role)},
        {"k": "none"},
    ),
    Cell(
        "holdInterview",
        "mutation($k: String!) { holdInterview(rectificationKey: $k, kind: PROMPT) "
        "{ interviewKind } }",
        PARTNERS,
        lambda hub, role: {"k": ordered(hub, role, TODAY - 20 * DAY, TODAY - 5 * DAY)},
        {"k": "none"},
    ),
    Cell(
        "triggerMeasures",
        "mutation($e: String!) { triggerMeasures(entryId: $e) { measure agency } }",
        PARTNERS,
        lambda hub, role: {"e": active(hub, role)},
        E,
    ),
    Cell(
        "reportFeedback",
        "mutation($e: String!) { reportFeedback(entryId: $e, measure: "
        '"BLACK-INDUSTRY-BAN", outcome: APPLIED) { outcome } }',
        frozenset({AG}),
        lambda hub, role: {"e": active(hub, role)},
        E,
    ),
    Cell(
        "issueStatement",
        f'mutation {{ issueStatement(uscc: "{B}") {{ token statement {{ serial }} }} }}',
        PARTNERS,
    ),
    # --- queries -------------------------------------------------------------------------
    Cell("supervisionPlan", "{ supervisionPlan(year: 2026) { uscc tier } }", PARTNERS),
    Cell(
        "downgrades",
        '{ downgrades(from: "2020-01-01", to: "2022-12-31") { uscc toGrade } }',
        EVERYONE,
    ),
    Cell("interviewsDue", "{ interviewsDue { daysOverdue kind } }", PARTNERS),
    Cell("feedbackOverview", "{ feedbackOverview { measure agency applied } }", frozenset({CO})),
    Cell(
        "listCase",
        "query($e: String!) { listCase(entryId: $e) { state history { action role } } }",
        PARTNERS,
        lambda hub, role: {"e": proposed(hub, role)},
        E,
    ),
    Cell(
        "objections",
        "query($e: String!) { objections(entryId: $e) { state } }",
        PARTNERS,
        lambda hub, role: {"e": proposed(hub, role)},
        E,
    ),
    Cell(
        "repairs",
        "query($e: String!) { repairs(entryId: $e) { state } }",
        PARTNERS,
        lambda hub, role: {"e": proposed(hub, role)},
        E,
    ),
    Cell(
        "workReport",
        '{ workReport(from: "2026-01-01", to: "2026-12-31") { totals { name value } } }',
        frozenset({CO}),
    ),
    Cell("publishedList", "{ publishedList { asOf entries { subjectId } } }", EVERYONE),
    Cell("commitmentTemplates", "{ commitmentTemplates { code } }", EVERYONE),
    Cell(
        "verifyStatement",
        "query($t: String!) { verifyStatement(token: $t) { status } }",
        EVERYONE,
        lambda hub, role: {"t": statement(hub, role)},
        {"t": "x"},
    ),
]


def test_every_workflow_field_has_a_cell() -> None:
    coordinates = {c.coordinate for c in CELLS}
    assert len(coordinates) == len(CELLS)
    assert {k for k in POLICY if k.startswith("Mutation.")} <= coordinates
    for cell in CELLS:
        assert POLICY[cell.coordinate].roles == cell.allowed, cell.name


@pytest.mark.parametrize("role", [PU, AG, CO, AU], ids=lambda r: r.value)
@pytest.mark.parametrize("cell", CELLS, ids=lambda c: c.name)
def test_cell(hub: LiveHub, cell: Cell, role: Role) -> None:
    allowed = role in cell.allowed
    variables = cell.variables(hub, role) if allowed else cell.dummy
    response = hub.post(cell.query, variables, key=KEY[role], headers=PURPOSE)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    index, _ = response.headers["X-Audit-Receipt"].split(":")
    leaf = hub.services.audit.entry(int(index)).leaf.to_json()
    assert leaf["role"] == role.value
    if allowed:
        assert "errors" not in body, body
        assert body["data"] and all(v is not None for v in body["data"].values())
        assert leaf["result"]["outcome"] == "allowed"
        if cell.coordinate.startswith("Mutation."):
            assert leaf["purpose"] == f"workflow: {cell.name}"
            if cell.name not in ("expireListings",):
                assert leaf["result"]["subjects"] >= 1  # the subject of the step
    else:
        (error,) = body["errors"]
        assert error["extensions"] == {
            "code": "FORBIDDEN",
            "field": cell.coordinate,
            "role": role.value,
        }
        assert leaf["result"]["outcome"] == "refused"
        assert leaf["result"]["subjects"] == 0 and leaf["subjects"] == []


# --- the agency's own-records rule, enforced on the entry ----------------------------------


@pytest.mark.parametrize("field_name", ["listCase", "objections", "repairs"])
def test_agency_reads_only_the_cases_it_decided(hub: LiveHub, field_name: str) -> None:
    entry_id = proposed(hub, CO)  # decided by the credit office, not by hc
    selection = "{ state }" if field_name != "listCase" else "{ entryId }"
    query = f"query($e: String!) {{ {field_name}(entryId: $e) {selection} }}"
    response = hub.post(query, {"e": entry_id}, key="agency", headers=PURPOSE)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "decided by co" in error["message"]
    index = int(response.headers["X-Audit-Receipt"].split(":")[0])
    assert hub.services.audit.entry(index).leaf.to_json()["result"]["outcome"] == "refused"


def test_agency_may_not_step_on_another_agencys_entry(hub: LiveHub) -> None:
    entry_id = proposed(hub, CO)
    response = hub.post(NOTIFY, {"e": entry_id}, key="agency")
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "agency"}
    assert "decided by co" in error["message"]


def test_evaluations_are_the_health_commissions(hub: LiveHub) -> None:
    query = f'mutation {{ recordViolation(uscc: "{B}", severity: MINOR, reason: "x") {{ uscc }} }}'
    (error,) = hub.post(query, key="mr").json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "agency"}


def test_feedback_comes_from_the_enforcing_kind(hub: LiveHub) -> None:
    entry_id = active(hub, AG)
    query = (
        "mutation($e: String!) { reportFeedback(entryId: $e, measure: "
        '"BLACK-INDUSTRY-BAN", outcome: APPLIED) { outcome } }'
    )
    (error,) = hub.post(query, {"e": entry_id}, key="mi").json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "agency"}
    assert "health_commission" in error["message"]


def test_interviews_due_shows_an_agency_its_own_orders(hub: LiveHub) -> None:
    ordered(hub, AG, TODAY - 20 * DAY, TODAY - 5 * DAY)
    ordered(hub, CO, TODAY - 20 * DAY, TODAY - 5 * DAY)
    query = "{ interviewsDue { rectification { agency subject { uscc } } } }"
    mine = gql(hub, query, key="agency")["interviewsDue"]
    everyone = gql(hub, query)["interviewsDue"]
    assert mine and {d["rectification"]["agency"] for d in mine} == {"hc"}
    assert {d["rectification"]["agency"] for d in everyone} >= {"hc", "co"}


def test_responsible_persons_are_given_by_document_and_logged(hub: LiveHub) -> None:
    query = (
        "mutation($u: String!, $n: String!) { proposeListing(input: {subject: {uscc: $u}, "
        'list: BLACK, reason: "r", basis: "b", severity: MINOR, '
        "responsible: [{idType: RESIDENT_ID, idNumber: $n}]}) { entryId } }"
    )
    response = hub.post(query, {"u": A, "n": DOCTOR}, key="agency")
    assert "errors" not in response.json()
    index = int(response.headers["X-Audit-Receipt"].split(":")[0])
    leaf = hub.services.audit.entry(index).leaf.to_json()
    assert leaf["result"]["subjects"] == 2  # the institution and the responsible doctor
    assert DOCTOR not in str(leaf)
