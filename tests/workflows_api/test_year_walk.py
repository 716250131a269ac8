"""One institution through a year, over HTTP: every step a GraphQL mutation by the role it
belongs to (the hub's clock moved to the step's day), and `sanctions` asked on the dates in
between. The same walk as tests/workflows/test_year_walk.py, through the API."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import httpx
import openpyxl

from hub.workflows.publication import LIST_FIELDS
from hub.workflows.verification import qr_svg
from tests.api.conftest import LiveHub
from tests.workflows.conftest import CLEAR_IDS, DOCTOR, LR, SCORES, A
from tests.workflows_api.conftest import at, gql, gql_error

D = dt.date
BLACK = {"BLACK-MARKET-BAN", "BLACK-INDUSTRY-BAN", "BLACK-REVOKE-HONOURS", "BLACK-NO-AWARDS"}
RED = {"RED-GREEN-CHANNEL", "RED-FEWER-INSPECTIONS", "RED-HONOURS-PRIORITY"}
EXCELLENT = {"EXCELLENT-FEWER-INSPECTIONS", "EXCELLENT-GREEN-CHANNEL"}
HC, CO, MR, MI = "agency", "credit_office", "mr", "mi"

SANCTIONS = (
    "query($s: SubjectInput!, $d: Date!) { sanctions(subject: $s, asOf: $d, "
    'purpose: "year walk") { measures { measure { code } entry { status } } } }'
)
SCORE_LIST = [{"area": k, "score": v} for k, v in SCORES.items()]


def report(hub: LiveHub, day: dt.date, subject: dict[str, str] | None = None) -> dict[str, Any]:
    variables = {"s": subject or {"uscc": A}, "d": day.isoformat()}
    sanctions: dict[str, Any] = gql(hub, SANCTIONS, variables, key=HC)["sanctions"]
    return sanctions


def measures(hub: LiveHub, day: dt.date, subject: dict[str, str] | None = None) -> set[str]:
    return {m["measure"]["code"] for m in report(hub, day, subject)["measures"]}


def statuses(hub: LiveHub, day: dt.date) -> set[str]:
    return {m["entry"]["status"] for m in report(hub, day)["measures"] if m["entry"]}


def person(number: str) -> dict[str, str]:
    return {"idType": "RESIDENT_ID", "idNumber": number}


def propose(hub: LiveHub, key: str, day: dt.date, **fields: Any) -> dict[str, Any]:
    at(hub, day)
    query = (
        "mutation($i: ProposeListingInput!) { proposeListing(input: $i) "
        "{ entryId state noticeEnds validUntil } }"
    )
    data: dict[str, Any] = gql(hub, query, {"i": {"subject": {"uscc": A}, **fields}}, key)
    return data["proposeListing"]


def step(hub: LiveHub, key: str, day: dt.date, mutation: str, **variables: Any) -> Any:
    """Run one mutation on `day` (the hub's today) as `key`; its result."""
    at(hub, day)
    data = gql(hub, mutation, variables, key)
    (result,) = data.values()
    return result


NOTIFY = "mutation($e: String!) { notifyListing(entryId: $e) { state noticeEnds } }"
ACTIVATE = (
    "mutation($e: String!) { activateListing(entryId: $e) "
    "{ state entryStatus validFrom validUntil repairPossibleFrom } }"
)
APPLY = (
    "mutation($e: String!, $t: String) { applyForRepair(entryId: $e, "
    'evidence: ["罚款缴纳凭证", "整改报告"], commitment: true, training: $t) '
    "{ key state commitmentKey } }"
)
DECIDE = (
    "mutation($k: String!, $a: Boolean!, $n: String!) { decideRepair(repairKey: $k, "
    "approve: $a, note: $n) { state decidedOn } }"
)


def get(hub: LiveHub, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{hub.url}{path}", params=params, timeout=30)


def test_one_institution_through_a_year_over_http(hub: LiveHub) -> None:
    # --- before: a signed commitment (the health commission) ---------------------------
    signed = step(
        hub,
        HC,
        D(2025, 1, 6),
        "mutation($u: String!) { signCommitment(subject: {uscc: $u}, "
        'template: "PRACTICE-LAW") { key kept text signedOn } }',
        u=A,
    )
    assert signed["kept"] is None and signed["text"].startswith("【医疗机构依法执业承诺书】")
    assert signed["signedOn"] == "2025-01-06"
    assert measures(hub, D(2025, 1, 7)) == set()

    # --- during: the 2024 evaluation sets this year's supervision ----------------------
    result = step(
        hub,
        HC,
        D(2025, 1, 20),
        "mutation($u: String!, $s: [AreaScoreInput!]!) { recordEvaluation(uscc: $u, "
        "year: 2024, scores: $s) { grade tier inspectionsPerYear } }",
        u=A,
        s=SCORE_LIST,
    )
    assert result == {"grade": "EXCELLENT", "tier": "A", "inspectionsPerYear": 1}
    plan = gql(hub, "{ supervisionPlan(year: 2025) { uscc tier inspectionsPerYear grade } }")
    assert {"uscc": A, "tier": "A", "inspectionsPerYear": 1, "grade": "EXCELLENT"} in plan[
        "supervisionPlan"
    ]
    assert measures(hub, D(2025, 1, 21)) == EXCELLENT

    # The red list follows the excellent grade, after its notice period (7 days).
    red = propose(
        hub,
        HC,
        D(2025, 1, 22),
        list="RED",
        reason="2024年度信用评价优秀",
        basis="年度信用评价结果",
        severity="MINOR",
        entryId="RED-A",
    )
    assert red["state"] == "PROPOSED"
    step(hub, HC, D(2025, 1, 22), NOTIFY, e="RED-A")
    assert measures(hub, D(2025, 1, 25)) == EXCELLENT
    step(hub, HC, D(2025, 1, 29), ACTIVATE, e="RED-A")
    assert measures(hub, D(2025, 2, 1)) == EXCELLENT | RED

    # --- a violation: downgrade, commitment breached, red listing revoked --------------
    violation = step(
        hub,
        HC,
        D(2025, 3, 3),
        'mutation($u: String!) { recordViolation(uscc: $u, severity: ORDINARY, reason: "超范围执业") '
        "{ downgrade { fromGrade toGrade year } } }",
        u=A,
    )
    assert violation["downgrade"] == {"fromGrade": "EXCELLENT", "toGrade": "PASS", "year": 2024}
    breached = step(
        hub,
        HC,
        D(2025, 3, 3),
        "mutation($k: String!) { markCommitment(commitmentKey: $k, kept: false, "
        'note: "违反依法执业承诺：超范围执业") { kept } }',
        k=signed["key"],
    )
    assert breached["kept"] is False
    revoked = step(
        hub,
        CO,
        D(2025, 3, 3),
        'mutation { revokeListing(entryId: "RED-A", reason: "发生违法违规行为") { state } }',
    )
    assert revoked["state"] == "REVOKED"
    assert measures(hub, D(2025, 3, 4)) == set()
    plan = gql(hub, "{ supervisionPlan(year: 2025) { uscc tier inspectionsPerYear } }")
    assert {"uscc": A, "tier": "B", "inspectionsPerYear": 2} in plan["supervisionPlan"]
    public = hub.post(
        '{ downgrades(from: "2025-01-01", to: "2025-12-31") { uscc fromGrade toGrade } }', key=None
    ).json()["data"]["downgrades"]
    assert public == [{"uscc": A, "fromGrade": "EXCELLENT", "toGrade": "PASS"}]

    # --- black listing with notice -------------------------------------------------------
    propose(
        hub,
        HC,
        D(2025, 3, 10),
        list="BLACK",
        reason="超范围执业，情节较重",
        basis="《医疗机构管理条例》第四十七条",
        severity="ORDINARY",
        violationOn="2025-03-01",
        responsible=[person(DOCTOR)],
        entryId="BLK-A",
    )
    notice = step(hub, HC, D(2025, 3, 12), NOTIFY, e="BLK-A")
    assert notice == {"state": "NOTIFIED", "noticeEnds": "2025-03-22"}
    at(hub, D(2025, 3, 20))
    early = gql_error(hub, ACTIVATE, {"e": "BLK-A"}, HC)
    assert early["extensions"] == {"code": "BAD_USER_INPUT", "field": "on"}
    assert "2025-03-22" in early["message"]
    assert measures(hub, D(2025, 3, 21)) == set()
    view = step(hub, HC, D(2025, 3, 24), ACTIVATE, e="BLK-A")
    assert view == {
        "state": "ACTIVE",
        "entryStatus": "ACTIVE",
        "validFrom": "2025-03-24",
        "validUntil": "2026-03-23",
        "repairPossibleFrom": "2025-06-24",
    }
    assert measures(hub, D(2025, 3, 23)) == set()
    assert measures(hub, D(2025, 3, 24)) == BLACK
    assert measures(hub, D(2025, 3, 24), person(LR)) == BLACK  # the legal representative
    assert measures(hub, D(2025, 3, 24), person(DOCTOR)) == BLACK  # directly responsible

    # Trigger → respond → feedback: the enforcing agencies answer.
    feedback = (
        "mutation($m: String!, $o: FeedbackOutcome!, $r: String) { reportFeedback("
        'entryId: "BLK-A", measure: $m, outcome: $o, reason: $r) { outcome agency } }'
    )
    step(hub, MR, D(2025, 3, 25), feedback, m="BLACK-MARKET-BAN", o="APPLIED")
    step(
        hub,
        HC,
        D(2025, 3, 26),
        feedback,
        m="BLACK-REVOKE-HONOURS",
        o="NOT_APPLIED",
        r="该机构无卫健系统荣誉称号",
    )
    rows = gql(hub, "{ feedbackOverview { measure agency applied refused unanswered } }")
    overview = {(r["measure"], r["agency"]): r for r in rows["feedbackOverview"]}
    assert overview[("BLACK-MARKET-BAN", "mr")]["applied"] == 1
    assert overview[("BLACK-REVOKE-HONOURS", "hc")]["refused"] == 1
    assert overview[("BLACK-INDUSTRY-BAN", "hc")]["unanswered"] == 1

    # --- objection, filed by the credit office, answered by the agency: upheld ----------
    objection = step(
        hub,
        CO,
        D(2025, 4, 1),
        'mutation { fileObjection(entryId: "BLK-A", grounds: "超范围执业系外聘专家会诊，不应认定") '
        "{ key dueOn state } }",
    )
    assert (objection["dueOn"], objection["state"]) == ("2025-04-16", "FILED")
    assert statuses(hub, D(2025, 4, 2)) == {"UNDER_OBJECTION"}
    answered = step(
        hub,
        HC,
        D(2025, 4, 10),
        "mutation($k: String!) { answerObjection(objectionKey: $k, outcome: UPHELD, "
        'answer: "经核查，会诊未办理备案手续，认定无误，维持列入决定。") { state late } }',
        k=objection["key"],
    )
    assert answered == {"state": "UPHELD", "late": False}
    assert statuses(hub, D(2025, 4, 11)) == {"ACTIVE"}

    # --- the published list on 15 April, over the public endpoint ------------------------
    at(hub, D(2025, 4, 15))
    listed = get(hub, "/public/lists", asOf="2025-04-15", format="json")
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    body = json.loads(listed.content)
    assert [f["key"] for f in body["fields"]] == [k for k, _ in LIST_FIELDS]
    (row,) = body["entries"]
    assert set(row) == {k for k, _ in LIST_FIELDS}
    assert row["subject_name"] == "甲市人民医院" and row["subject_id"] == A
    assert row["legal_representative_name"] == "王法人"
    assert row["legal_representative_id"] == LR[:6] + "********" + LR[-4:]
    assert (row["deciding_agency"], row["basis"]) == ("卫健委", "《医疗机构管理条例》第四十七条")
    assert (row["decided_on"], row["valid_from"], row["valid_until"]) == (
        "2025-03-24",
        "2025-03-24",
        "2026-03-23",
    )
    annual = get(hub, "/public/lists", year="2025", format="json")  # the running year: today
    assert json.loads(annual.content)["entries"] == body["entries"]
    csv_body = get(hub, "/public/lists", asOf="2025-04-15", format="csv")
    xlsx_body = get(hub, "/public/lists", asOf="2025-04-15", format="xlsx")
    assert csv_body.headers["content-disposition"].startswith("attachment")
    assert "王法人" in csv_body.content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_body.content)).active
    cells = [str(c) for line in sheet.iter_rows(values_only=True) for c in line if c is not None]
    assert "王法人" in cells and A in cells
    graphql = hub.post('{ publishedList(asOf: "2025-04-15") { entries { subjectId } } }', key=None)
    assert graphql.json()["data"]["publishedList"]["entries"] == [{"subjectId": A}]
    with zipfile.ZipFile(io.BytesIO(xlsx_body.content)) as book:
        xlsx_parts = b"".join(book.read(name) for name in book.namelist())
    for number in CLEAR_IDS:  # grep every published byte for clear ID numbers
        for published in (listed.content, csv_body.content, xlsx_parts, graphql.content):
            assert number.encode() not in published

    # --- the notice-board statement, its QR code and the verification page ---------------
    issue = "mutation($u: String!) { issueStatement(uscc: $u) { token url statement { grade serial lists { list entryId status } } } }"
    first = step(hub, HC, D(2025, 4, 15), issue, u=A)
    assert first["statement"]["grade"] == "PASS"
    assert first["statement"]["lists"] == [
        {"list": "BLACK", "entryId": "BLK-A", "status": "ACTIVE"}
    ]
    page = get(hub, "/verify", s=first["token"])
    assert page.status_code == 200 and page.headers["X-Statement-Status"] == "current"
    assert "甲市人民医院" in page.text and "合格" in page.text and "2025-04-15" in page.text
    assert "黑榜" in page.text and "公示中" in page.text
    tampered = bytearray(first["token"].encode())
    tampered[10] = ord("A") if tampered[10] != ord("A") else ord("B")
    bad = get(hub, "/verify", s=tampered.decode())
    assert bad.headers["X-Statement-Status"] == "invalid" and "签名无效" in bad.text
    assert "甲市人民医院" not in bad.text  # nothing of an unsigned statement is shown
    second = step(hub, HC, D(2025, 4, 16), issue, u=A)
    superseded = get(hub, "/verify", s=first["token"], format="json").json()
    assert (superseded["valid"], superseded["current"]) == (True, False)
    assert "superseded" in superseded["reason"]
    qr = get(hub, f"/public/qr/{A}.svg")
    assert qr.headers["content-type"] == "image/svg+xml" and qr.headers["X-Statement-Serial"] == "2"
    assert qr.content == qr_svg(second["url"])  # the current statement's URL

    # --- credit repair: refused before the minimum publicity, then refused on its merits,
    # then granted -------------------------------------------------------------------------
    at(hub, D(2025, 5, 15))
    too_soon = gql_error(hub, APPLY, {"e": "BLK-A"})
    assert too_soon["extensions"] == {"code": "BAD_USER_INPUT", "field": "on"}
    assert "2025-06-24" in too_soon["message"]
    assert measures(hub, D(2025, 5, 16)) == BLACK
    first_try = step(hub, CO, D(2025, 7, 1), APPLY, e="BLK-A", t="2025年6月信用修复专题培训")
    assert first_try["state"] == "APPLIED" and first_try["commitmentKey"]
    refused = step(
        hub, HC, D(2025, 7, 3), DECIDE, k=first_try["key"], a=False, n="罚款缴纳凭证不全"
    )
    assert refused == {"state": "REFUSED", "decidedOn": "2025-07-03"}
    assert measures(hub, D(2025, 7, 4)) == BLACK
    second_try = step(hub, CO, D(2025, 7, 5), APPLY, e="BLK-A", t=None)
    assert second_try["commitmentKey"] == first_try["commitmentKey"]  # still open: reused
    assert measures(hub, D(2025, 7, 5)) == BLACK
    approved = step(hub, HC, D(2025, 7, 10), DECIDE, k=second_try["key"], a=True, n="")
    assert approved["state"] == "APPROVED"
    assert measures(hub, D(2025, 7, 9)) == BLACK
    assert measures(hub, D(2025, 7, 10)) == set()
    assert measures(hub, D(2025, 7, 10), person(LR)) == set()
    at(hub, D(2025, 7, 11))
    assert json.loads(get(hub, "/public/lists", format="json").content)["entries"] == []
    outdated = get(hub, "/verify", s=second["token"])
    assert outdated.headers["X-Statement-Status"] == "outdated" and "lists" in outdated.text

    # --- a focus listing by medical insurance that expires by itself ----------------------
    focus = {
        "list": "FOCUS",
        "reason": "医保结算不规范",
        "basis": "《医疗保障基金使用监督管理条例》",
        "severity": "MINOR",
    }
    at(hub, D(2025, 8, 1))
    too_long = gql_error(
        hub,
        "mutation($i: ProposeListingInput!) { proposeListing(input: $i) { entryId } }",
        {"i": {"subject": {"uscc": A}, **focus, "validityMonths": 6}},
        MI,
    )
    assert too_long["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.validityMonths"}
    entry_id = propose(hub, MI, D(2025, 8, 1), **focus, validityMonths=3)["entryId"]
    step(hub, MI, D(2025, 8, 1), NOTIFY, e=entry_id)
    view = step(hub, MI, D(2025, 8, 11), ACTIVATE, e=entry_id)
    assert view["validUntil"] == "2025-11-10"
    assert measures(hub, D(2025, 11, 10)) == {"FOCUS-KEY-SUPERVISION"}
    assert step(hub, CO, D(2025, 11, 10), "mutation { expireListings }") == []
    assert step(hub, CO, D(2025, 11, 11), "mutation { expireListings }") == [entry_id]
    case = gql(
        hub, "query($e: String!) { listCase(entryId: $e) { state entryStatus } }", {"e": entry_id}
    )
    assert case["listCase"] == {"state": "EXPIRED", "entryStatus": "EXPIRED"}
    assert measures(hub, D(2025, 11, 10)) == {"FOCUS-KEY-SUPERVISION"}
    assert measures(hub, D(2025, 11, 11)) == set()

    # Past dates still answer as they were for the listings.
    assert measures(hub, D(2025, 3, 23)) == set()
    assert measures(hub, D(2025, 6, 1)) == BLACK
    assert measures(hub, D(2025, 9, 1)) == {"FOCUS-KEY-SUPERVISION"}

    # --- the history, the objections and repairs of the entry, the year's statistics -----
    history_query = (
        'query { listCase(entryId: "BLK-A") { state history { action on agency role } '
        "objections { state } repairs { state } feedback { measure outcome } } }"
    )
    black = gql(hub, history_query, key=HC)["listCase"]  # hc decided it: its own record
    assert [e["action"] for e in black["history"]] == [
        "entry.proposed",
        "entry.notified",
        "entry.activated",
        "measures.triggered",
        "feedback.applied",
        "feedback.not_applied",
        "objection.filed",
        "objection.upheld",
        "repair.applied",
        "repair.refused",
        "repair.applied",
        "repair.approved",
    ]
    roles = {(e["action"], e["agency"], e["role"].split("/")[0]) for e in black["history"]}
    assert ("objection.filed", "co", "credit_office") in roles
    assert ("objection.upheld", "hc", "agency") in roles
    assert black["state"] == "REPAIRED"
    assert [o["state"] for o in black["objections"]] == ["UPHELD"]
    assert [r["state"] for r in black["repairs"]] == ["REFUSED", "APPROVED"]
    assert gql(hub, 'query { repairs(entryId: "BLK-A") { state } }')["repairs"] == black["repairs"]
    report_data = gql(
        hub,
        '{ workReport(from: "2025-01-01", to: "2025-12-31") '
        "{ byAgency { agency counts { name value } } } }",
    )
    counts = {
        a["agency"]: {c["name"]: c["value"] for c in a["counts"]}
        for a in report_data["workReport"]["byAgency"]
    }
    hc = counts["hc"]
    assert hc["commitments.signed"] == 1 and hc["commitments.breached"] == 1
    assert counts["co"]["commitments.signed"] == 1  # the repair commitment, taken by the office
    assert hc["evaluations.excellent"] == 1 and hc["evaluations.downgraded"] == 1
    assert hc["listings.red"] == 1 and hc["listings.black"] == 1
    assert hc["objections.filed"] == 1 and hc["objections.upheld"] == 1
    assert hc["repairs.approved"] == 1 and hc["repairs.refused"] == 1
    assert hc["measures.refused"] == 1
    assert counts["mi"]["listings.focus"] == 1 and counts["mr"]["measures.applied"] == 1

    # Each step is a leaf of the access log: the principal, the step, the subject.
    leaves = [e.leaf.to_json() for e in hub.services.audit.entries(None, 10_000)]
    steps = [leaf for leaf in leaves if leaf["purpose"].startswith("workflow: ")]
    assert {leaf["purpose"] for leaf in steps} >= {
        "workflow: proposeListing",
        "workflow: activateListing",
        "workflow: fileObjection",
        "workflow: decideRepair",
        "workflow: expireListings",
    }
    done = [leaf for leaf in steps if leaf["result"]["outcome"] == "allowed"]
    listing = [leaf for leaf in done if leaf["purpose"].endswith("Listing")]
    objection = [leaf for leaf in done if leaf["purpose"].endswith("Objection")]
    assert len(listing) == 10 and len(objection) == 2
    assert all(leaf["result"]["subjects"] >= 1 for leaf in listing + objection)
    public = [leaf for leaf in leaves if leaf["operation"].startswith("GET /")]
    assert {leaf["operation"] for leaf in public} == {
        "GET /public/lists",
        "GET /verify",
        "GET /public/qr",
    }
    assert all(leaf["role"] == "public" for leaf in public)
