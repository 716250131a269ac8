"""Credit repair: the minimum publicity period, evidence, commitment, decision."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.sanctions.service import SanctionService
from hub.workflows import WorkflowError, WorkflowService
from tests.workflows.conftest import A, uscc
from tests.workflows.helpers import listed

D = dt.date


@pytest.mark.parametrize(
    ("severity", "too_early", "earliest"),
    [("ordinary", D(2025, 6, 10), D(2025, 6, 11)), ("serious", D(2026, 3, 10), D(2026, 3, 11))],
)
async def test_minimum_publicity_by_severity(
    wf: WorkflowService, severity: str, too_early: dt.date, earliest: dt.date
) -> None:
    if severity == "serious":
        await wf.lists.propose(
            "hc",
            "officer",
            uscc(A),
            "black",
            "r",
            "b",
            "serious",
            D(2025, 3, 1),
            validity_months=24,
            entry_id="E1",
        )
        await wf.lists.notify("hc", "officer", "E1", D(2025, 3, 1))
        await wf.lists.activate("hc", "officer", "E1", D(2025, 3, 11))
    else:
        await listed(wf, severity=severity)  # type: ignore[arg-type]
    with pytest.raises(WorkflowError) as err:
        await wf.repairs.apply("hc", "officer", "E1", too_early, ["凭证"], commitment=True)
    assert err.value.field == "on" and earliest.isoformat() in err.value.reason
    repair = await wf.repairs.apply("hc", "officer", "E1", earliest, ["凭证"], commitment=True)
    assert repair.state == "applied"


async def test_a_minor_record_can_be_repaired_at_once(wf: WorkflowService) -> None:
    await listed(wf, severity="minor")
    repair = await wf.repairs.apply(
        "hc", "officer", "E1", D(2025, 3, 11), ["凭证"], commitment=True
    )
    assert repair.kind == "credit_repair"


async def test_application_refusals(wf: WorkflowService) -> None:
    await listed(wf)
    on = D(2025, 7, 1)
    with pytest.raises(WorkflowError) as no_evidence:
        await wf.repairs.apply("hc", "officer", "E1", on, [], commitment=True)
    assert no_evidence.value.field == "evidence"
    with pytest.raises(WorkflowError) as blank:
        await wf.repairs.apply("hc", "officer", "E1", on, ["ok", " "], commitment=True)
    assert blank.value.field == "evidence.1"
    with pytest.raises(WorkflowError) as no_commitment:
        await wf.repairs.apply("hc", "officer", "E1", on, ["凭证"], commitment=False)
    assert no_commitment.value.field == "commitment"
    with pytest.raises(WorkflowError) as stranger:
        await wf.repairs.apply("mr", "officer", "E1", on, ["凭证"], commitment=True)
    assert stranger.value.field == "agency"
    filed = await wf.objections.file("hc", "officer", "E1", on, "不服")
    with pytest.raises(WorkflowError) as objecting:
        await wf.repairs.apply("hc", "officer", "E1", on, ["凭证"], commitment=True)
    assert objecting.value.field == "entry_id" and "objection" in objecting.value.reason
    await wf.objections.answer("hc", "officer", filed.objection_key, on, "upheld", "维持")
    await wf.repairs.apply("hc", "officer", "E1", on, ["凭证"], commitment=True)
    with pytest.raises(WorkflowError) as pending:
        await wf.repairs.apply("hc", "officer", "E1", on, ["凭证"], commitment=True)
    assert pending.value.field == "entry_id" and "awaiting" in pending.value.reason


async def test_red_list_entries_are_not_repaired(wf: WorkflowService) -> None:
    await wf.lists.propose(
        "hc", "officer", uscc(A), "red", "优秀", "评价结果", "minor", D(2025, 1, 1), entry_id="R"
    )
    await wf.lists.notify("hc", "officer", "R", D(2025, 1, 1))
    await wf.lists.activate("hc", "officer", "R", D(2025, 1, 8))
    with pytest.raises(WorkflowError) as err:
        await wf.repairs.apply("hc", "officer", "R", D(2025, 6, 1), ["x"], commitment=True)
    assert err.value.field == "entry_id"


async def test_refused_then_granted(wf: WorkflowService, sanctions: SanctionService) -> None:
    await listed(wf)
    first = await wf.repairs.apply(
        "hc", "officer", "E1", D(2025, 7, 1), ["整改报告"], commitment=True
    )
    with pytest.raises(WorkflowError) as no_reason:
        await wf.repairs.decide("hc", "officer", first.repair_key, D(2025, 7, 5), False)
    assert no_reason.value.field == "note"
    refused = await wf.repairs.decide(
        "hc", "officer", first.repair_key, D(2025, 7, 5), False, "罚款尚未缴纳"
    )
    assert refused.state == "refused"
    with pytest.raises(WorkflowError) as decided:
        await wf.repairs.decide("hc", "officer", first.repair_key, D(2025, 7, 6), True)
    assert decided.value.field == "repair_key"
    report = await sanctions.report(uscc(A), D(2025, 7, 6))
    assert report.measures  # still in force
    second = await wf.repairs.apply(
        "hc", "officer", "E1", D(2025, 8, 1), ["罚款缴纳凭证"], commitment=True
    )
    assert second.commitment_key == first.commitment_key  # the open repair commitment
    with pytest.raises(WorkflowError) as early:
        await wf.repairs.decide("hc", "officer", second.repair_key, D(2025, 7, 31), True)
    assert early.value.field == "on"
    await wf.repairs.decide("co", "officer", second.repair_key, D(2025, 8, 5), True)
    assert (await sanctions.report(uscc(A), D(2025, 8, 5))).measures == []
    view = await wf.lists.get("E1")
    assert (view.state, view.entry_status) == ("repaired", "repaired")
    with pytest.raises(WorkflowError) as after:
        await wf.lists.revoke("hc", "officer", "E1", D(2025, 9, 1), "x")
    assert after.value.field == "entry_id"
    states = [r.state for r in await wf.repairs.of_entry("E1")]
    assert sorted(states) == ["approved", "refused"]


async def test_approval_after_publicity_ended_is_refused(wf: WorkflowService) -> None:
    await listed(wf, severity="minor")  # publicity ends 2025-06-10
    repair = await wf.repairs.apply("hc", "officer", "E1", D(2025, 6, 1), ["x"], commitment=True)
    with pytest.raises(WorkflowError) as err:
        await wf.repairs.decide("hc", "officer", repair.repair_key, D(2025, 6, 20), True)
    assert err.value.field == "entry_id" and "expired" in err.value.reason
