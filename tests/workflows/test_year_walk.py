"""One institution through a year, and what the sanctions engine answers on each date.

Commitment, evaluation, violation and downgrade, a red listing revoked, a black listing
with notice, an objection upheld, a repair refused before the minimum publicity period
and granted after it, a focus listing that expires by itself; the published list, the
notice-board statement and the year's statistics.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from hub.sanctions.service import SanctionService
from hub.workflows import WorkflowError, WorkflowService
from hub.workflows.publication import LIST_FIELDS, render
from hub.workflows.verification import qr_svg
from tests.workflows.conftest import CLEAR_IDS, DOCTOR, LR, SCORES, A, person, uscc

D = dt.date
BLACK = {"BLACK-MARKET-BAN", "BLACK-INDUSTRY-BAN", "BLACK-REVOKE-HONOURS", "BLACK-NO-AWARDS"}
RED = {"RED-GREEN-CHANNEL", "RED-FEWER-INSPECTIONS", "RED-HONOURS-PRIORITY"}
EXCELLENT = {"EXCELLENT-FEWER-INSPECTIONS", "EXCELLENT-GREEN-CHANNEL"}


async def measures(sanctions: SanctionService, day: dt.date, subject: object = None) -> set[str]:
    report = await sanctions.report(subject or uscc(A), day)  # type: ignore[arg-type]
    return {m.measure.code for m in report.measures}


async def statuses(sanctions: SanctionService, day: dt.date) -> set[str]:
    report = await sanctions.report(uscc(A), day)
    return {m.entry.status for m in report.measures if m.entry}


async def test_one_institution_through_a_year(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    # --- before: a signed commitment --------------------------------------------------
    signed = await wf.commitments.sign("hc", "officer", uscc(A), "PRACTICE-LAW", D(2025, 1, 6))
    assert signed.kept is None and signed.text.startswith("【医疗机构依法执业承诺书】")
    assert await measures(sanctions, D(2025, 1, 7)) == set()

    # --- during: the 2024 evaluation sets this year's supervision ----------------------
    result = await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 20))
    assert (result.grade, result.tier, result.inspections_per_year) == ("excellent", "A", 1)
    plan = {p.uscc: p for p in await wf.evaluations.supervision_plan(2025)}
    assert (plan[A].tier, plan[A].inspections_per_year, plan[A].grade) == ("A", 1, "excellent")
    assert await measures(sanctions, D(2025, 1, 21)) == EXCELLENT

    # The red list follows the excellent grade, after its notice period.
    await wf.lists.propose(
        "hc",
        "officer",
        uscc(A),
        "red",
        "2024年度信用评价优秀",
        "年度信用评价结果",
        "minor",
        D(2025, 1, 22),
        entry_id="RED-A",
    )
    await wf.lists.notify("hc", "officer", "RED-A", D(2025, 1, 22))
    assert await measures(sanctions, D(2025, 1, 25)) == EXCELLENT
    await wf.lists.activate("hc", "officer", "RED-A", D(2025, 1, 29))
    assert await measures(sanctions, D(2025, 2, 1)) == EXCELLENT | RED

    # --- a violation: downgrade, commitment breached, red listing revoked -------------
    downgrade = await wf.evaluations.record_violation(
        "hc", "inspector", uscc(A), D(2025, 3, 3), "ordinary", "超范围执业"
    )
    assert downgrade is not None
    assert (downgrade.from_grade, downgrade.to_grade, downgrade.year) == ("excellent", "pass", 2024)
    breached = await wf.commitments.mark(
        "hc", "officer", signed.cm_key, False, D(2025, 3, 3), "违反依法执业承诺：超范围执业"
    )
    assert breached.kept is False
    assert sorted(r["kind"] for r in await wf.commitments.credit_records(uscc(A))) == [
        "commitment_breach",
        "violation",
    ]
    await wf.lists.revoke("hc", "officer", "RED-A", D(2025, 3, 3), "发生违法违规行为")
    assert await measures(sanctions, D(2025, 3, 4)) == set()
    plan = {p.uscc: p for p in await wf.evaluations.supervision_plan(2025)}
    assert (plan[A].tier, plan[A].inspections_per_year) == ("B", 2)
    published = await wf.publication.downgrades(D(2025, 1, 1), D(2025, 12, 31))
    assert [(r["uscc"], r["from_grade"], r["to_grade"]) for r in published.rows] == [
        (A, "优秀", "合格")
    ]

    # --- black listing with notice ----------------------------------------------------
    await wf.lists.propose(
        "hc",
        "officer",
        uscc(A),
        "black",
        "超范围执业，情节较重",
        "《医疗机构管理条例》第四十七条",
        "ordinary",
        D(2025, 3, 10),
        violation_on=D(2025, 3, 1),
        responsible=(person(DOCTOR),),
        entry_id="BLK-A",
    )
    view = await wf.lists.notify("hc", "officer", "BLK-A", D(2025, 3, 12))
    assert view.notice_ends == "2025-03-22"
    with pytest.raises(WorkflowError) as early:
        await wf.lists.activate("hc", "officer", "BLK-A", D(2025, 3, 20))
    assert early.value.field == "on" and "2025-03-22" in early.value.reason
    assert await measures(sanctions, D(2025, 3, 21)) == set()
    view = await wf.lists.activate("hc", "officer", "BLK-A", D(2025, 3, 24))
    assert (view.valid_from, view.valid_until, view.repair_possible_from) == (
        "2025-03-24",
        "2026-03-23",
        "2025-06-24",
    )
    assert await measures(sanctions, D(2025, 3, 23)) == set()
    assert await measures(sanctions, D(2025, 3, 24)) == BLACK
    assert await measures(sanctions, D(2025, 3, 24), person(LR)) == BLACK  # legal representative
    assert await measures(sanctions, D(2025, 3, 24), person(DOCTOR)) == BLACK  # responsible

    # Trigger → respond → feedback.
    await wf.feedback.report("mr", "clerk", "BLK-A", "BLACK-MARKET-BAN", "applied", D(2025, 3, 25))
    await wf.feedback.report(
        "hc",
        "clerk",
        "BLK-A",
        "BLACK-REVOKE-HONOURS",
        "not_applied",
        D(2025, 3, 26),
        reason="该机构无卫健系统荣誉称号",
    )
    overview = {(s.measure, s.agency): s for s in await wf.feedback.overview()}
    assert overview[("BLACK-MARKET-BAN", "mr")].applied == 1
    assert overview[("BLACK-REVOKE-HONOURS", "hc")].refused == 1
    assert overview[("BLACK-INDUSTRY-BAN", "hc")].unanswered == 1

    # --- objection, answered in writing: upheld ---------------------------------------
    objection = await wf.objections.file(
        "hc", "officer", "BLK-A", D(2025, 4, 1), "超范围执业系外聘专家会诊，不应认定"
    )
    assert objection.due_on == "2025-04-16"
    assert await statuses(sanctions, D(2025, 4, 2)) == {"under_objection"}
    answered = await wf.objections.answer(
        "hc",
        "officer",
        objection.objection_key,
        D(2025, 4, 10),
        "upheld",
        "经核查，会诊未办理备案手续，认定无误，维持列入决定。",
    )
    assert (answered.state, answered.late) == ("upheld", False)
    assert await statuses(sanctions, D(2025, 4, 11)) == {"active"}

    # --- the published list, in force on 15 April --------------------------------------
    table = await wf.publication.lists(D(2025, 4, 15))
    assert [set(r) for r in table.rows] == [{k for k, _ in LIST_FIELDS}]
    (row,) = table.rows
    assert row["subject_name"] == "甲市人民医院" and row["subject_id"] == A
    assert row["legal_representative_name"] == "王法人"
    assert row["legal_representative_id"] == LR[:6] + "********" + LR[-4:]
    assert (row["deciding_agency"], row["basis"]) == ("卫健委", "《医疗机构管理条例》第四十七条")
    assert (row["decided_on"], row["valid_from"], row["valid_until"]) == (
        "2025-03-24",
        "2025-03-24",
        "2026-03-23",
    )
    csv_body, _ = render(table, "csv")
    json_body, _ = render(table, "json")
    xlsx_body, _ = render(table, "xlsx")
    assert json.loads(json_body)["entries"] == table.rows
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_body)).active
    cells = [str(c) for line in sheet.iter_rows(values_only=True) for c in line if c is not None]
    assert "王法人" in csv_body.decode("utf-8-sig") and "王法人" in cells
    for number in CLEAR_IDS:
        assert number.encode() not in csv_body and number.encode() not in json_body
        assert not any(number in c for c in cells)

    # --- the notice-board statement -----------------------------------------------------
    first = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 4, 15))
    assert first.statement["grade"] == "pass"
    assert first.statement["lists"] == [{"list": "black", "entry": "BLK-A", "status": "active"}]
    assert (await wf.statements.verify(first.url, D(2025, 4, 15))).current
    assert qr_svg(first.url).startswith(b"<?xml")
    tampered = bytearray(first.token.encode())
    tampered[10] = ord("A") if tampered[10] != ord("A") else ord("B")
    assert not (await wf.statements.verify(tampered.decode(), D(2025, 4, 15))).valid
    second = await wf.statements.issue("hc", "officer", uscc(A), D(2025, 4, 16))
    superseded = await wf.statements.verify(first.url, D(2025, 4, 16))
    assert superseded.valid and not superseded.current and "superseded" in superseded.reason

    # --- credit repair: refused before the minimum publicity, granted after -----------
    with pytest.raises(WorkflowError) as too_soon:
        await wf.repairs.apply(
            "hc", "officer", "BLK-A", D(2025, 5, 15), ["整改报告"], commitment=True
        )
    assert too_soon.value.field == "on" and "2025-06-24" in too_soon.value.reason
    assert await measures(sanctions, D(2025, 5, 16)) == BLACK
    repair = await wf.repairs.apply(
        "hc",
        "officer",
        "BLK-A",
        D(2025, 7, 1),
        ["罚款缴纳凭证", "整改报告"],
        commitment=True,
        training="2025年6月信用修复专题培训",
    )
    assert repair.commitment_key is not None
    assert await measures(sanctions, D(2025, 7, 5)) == BLACK
    approved = await wf.repairs.decide("hc", "officer", repair.repair_key, D(2025, 7, 10), True)
    assert approved.state == "approved"
    assert await measures(sanctions, D(2025, 7, 9)) == BLACK
    assert await measures(sanctions, D(2025, 7, 10)) == set()
    assert await measures(sanctions, D(2025, 7, 10), person(LR)) == set()
    assert (await wf.publication.lists(D(2025, 7, 10))).rows == []
    outdated = await wf.statements.verify(second.url, D(2025, 7, 11))
    assert outdated.valid and not outdated.current and "lists" in outdated.reason

    # --- a focus listing by medical insurance that expires by itself ------------------
    with pytest.raises(WorkflowError) as too_long:
        await wf.lists.propose(
            "mi",
            "officer",
            uscc(A),
            "focus",
            "医保结算不规范",
            "《医疗保障基金使用监督管理条例》",
            "minor",
            D(2025, 8, 1),
            validity_months=6,
        )
    assert too_long.value.field == "validity_months"
    focus = await wf.lists.propose(
        "mi",
        "officer",
        uscc(A),
        "focus",
        "医保结算不规范",
        "《医疗保障基金使用监督管理条例》",
        "minor",
        D(2025, 8, 1),
        validity_months=3,
    )
    await wf.lists.notify("mi", "officer", focus.entry_id, D(2025, 8, 1))
    view = await wf.lists.activate("mi", "officer", focus.entry_id, D(2025, 8, 11))
    assert view.valid_until == "2025-11-10"
    assert await measures(sanctions, D(2025, 11, 10)) == {"FOCUS-KEY-SUPERVISION"}
    assert await wf.lists.expire_due(D(2025, 11, 10)) == []
    assert await wf.lists.expire_due(D(2025, 11, 11)) == [focus.entry_id]
    assert (await wf.lists.get(focus.entry_id)).entry_status == "expired"
    assert await measures(sanctions, D(2025, 11, 10)) == {"FOCUS-KEY-SUPERVISION"}
    assert await measures(sanctions, D(2025, 11, 11)) == set()

    # Past dates still answer as they were for the listings.
    assert await measures(sanctions, D(2025, 3, 23)) == set()
    assert await measures(sanctions, D(2025, 6, 1)) == BLACK
    assert await measures(sanctions, D(2025, 9, 1)) == {"FOCUS-KEY-SUPERVISION"}

    # --- the history and the year's statistics ----------------------------------------
    steps = [e.action for e in await wf.history("list_entry", "BLK-A")]
    assert steps == [
        "entry.proposed",
        "entry.notified",
        "entry.activated",
        "measures.triggered",
        "feedback.applied",
        "feedback.not_applied",
        "objection.filed",
        "objection.upheld",
        "repair.applied",
        "repair.approved",
    ]
    report = await wf.statistics.report(D(2025, 1, 1), D(2025, 12, 31))
    hc = report.by_agency["hc"]
    assert hc["commitments.signed"] == 2 and hc["commitments.breached"] == 1
    assert hc["evaluations.excellent"] == 1 and hc["evaluations.downgraded"] == 1
    assert hc["listings.red"] == 1 and hc["listings.black"] == 1
    assert hc["objections.filed"] == 1 and hc["objections.upheld"] == 1
    assert hc["repairs.approved"] == 1 and hc["measures.refused"] == 1
    assert report.by_agency["mi"]["listings.focus"] == 1
    assert report.by_agency["mr"]["measures.applied"] == 1
    assert (await wf.publication.annual(2025)).rows == []
