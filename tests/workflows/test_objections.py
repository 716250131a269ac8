"""Objections: filed, answered in writing within the limit, upheld or corrected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.graph import CypherStore
from hub.personal_data import Keyring
from hub.sanctions.service import SanctionService
from hub.workflows import WorkflowError, WorkflowService
from hub.workflows.objections import Correction
from tests import factories as f
from tests.conftest import ingest_records
from tests.workflows.conftest import A, uscc
from tests.workflows.helpers import listed

D = dt.date


async def entry_of(sanctions: SanctionService, day: dt.date) -> tuple[str, str, str | None] | None:
    report = await sanctions.report(uscc(A), day)
    refs = {
        (m.entry.status, m.entry.severity, m.entry.valid_until) for m in report.measures if m.entry
    }
    return refs.pop() if refs else None


async def test_only_notified_or_active_entries_take_objections(wf: WorkflowService) -> None:
    await wf.lists.propose(
        "hc", "officer", uscc(A), "black", "r", "b", "serious", D(2025, 3, 1), entry_id="E"
    )
    with pytest.raises(WorkflowError) as proposed:
        await wf.objections.file("hc", "officer", "E", D(2025, 3, 2), "不服")
    assert proposed.value.field == "entry_id"
    await wf.lists.notify("hc", "officer", "E", D(2025, 3, 2))
    with pytest.raises(WorkflowError) as bare:
        await wf.objections.file("hc", "officer", "E", D(2025, 3, 3), " ")
    assert bare.value.field == "grounds"
    with pytest.raises(WorkflowError) as stranger:
        await wf.objections.file("mi", "officer", "E", D(2025, 3, 3), "不服")
    assert stranger.value.field == "agency"
    first = await wf.objections.file("hc", "officer", "E", D(2025, 3, 3), "不服")
    with pytest.raises(WorkflowError) as second:
        await wf.objections.file("hc", "officer", "E", D(2025, 3, 4), "再次不服")
    assert second.value.field == "entry_id" and "open" in second.value.reason
    # An open objection holds the listing back even after the notice period.
    with pytest.raises(WorkflowError) as held:
        await wf.lists.activate("hc", "officer", "E", D(2025, 3, 20))
    assert held.value.field == "entry_id" and "objection" in held.value.reason
    await wf.objections.answer(
        "hc", "officer", first.objection_key, D(2025, 3, 15), "upheld", "维持"
    )
    view = await wf.lists.activate("hc", "officer", "E", D(2025, 3, 20))
    assert view.state == "active"


async def test_answer_refusals(wf: WorkflowService) -> None:
    await listed(wf)
    filed = await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "不服")
    key = filed.objection_key
    cases = [
        ({"outcome": "maybe"}, "outcome"),
        ({"answer": ""}, "answer"),
        ({"outcome": "corrected"}, "correction"),
        ({"correction": Correction(revoke=True)}, "correction"),  # upheld is not corrected
        ({"outcome": "corrected", "correction": Correction()}, "correction"),
        ({"objection_key": "nope"}, "objection_key"),
        ({"agency": "mr"}, "agency"),
        ({"on": D(2025, 3, 31)}, "on"),
    ]
    good = {
        "agency": "hc",
        "role": "officer",
        "objection_key": key,
        "on": D(2025, 4, 5),
        "outcome": "upheld",
        "answer": "维持",
        "correction": None,
    }
    for change, field in cases:
        with pytest.raises(WorkflowError) as err:
            await wf.objections.answer(**{**good, **change})  # type: ignore[arg-type]
        assert err.value.field == field, (change, err.value)
    await wf.objections.answer(**good)  # type: ignore[arg-type]
    with pytest.raises(WorkflowError) as twice:
        await wf.objections.answer(**good)  # type: ignore[arg-type]
    assert twice.value.field == "objection_key"


async def test_corrected_by_revoking_raises_a_repair_request(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await listed(wf)
    filed = await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "认定主体错误")
    assert await entry_of(sanctions, D(2025, 4, 1)) == ("under_objection", "ordinary", "2026-03-10")
    answer = await wf.objections.answer(
        "hc",
        "officer",
        filed.objection_key,
        D(2025, 4, 8),
        "corrected",
        "认定错误，予以撤销",
        Correction(revoke=True),
    )
    assert answer.state == "corrected" and answer.repair_key
    assert await entry_of(sanctions, D(2025, 4, 8)) is None
    assert (await wf.lists.get("E1")).entry_status == "revoked"
    (request,) = await wf.repairs.of_entry("E1")
    assert (request.kind, request.state) == ("correction", "requested")
    with pytest.raises(WorkflowError) as stranger:
        await wf.repairs.decide("mr", "officer", request.repair_key, D(2025, 4, 9), True)
    assert stranger.value.field == "agency"
    done = await wf.repairs.decide("co", "officer", request.repair_key, D(2025, 4, 9), True)
    assert (done.state, done.decided_by) == ("approved", "co")


async def test_corrected_by_fixing_keeps_the_entry_within_the_new_maximum(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await listed(wf, severity="serious")  # valid 2025-03-11 .. 2026-03-10
    filed = await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "情节认定过重")
    await wf.objections.answer(
        "hc",
        "officer",
        filed.objection_key,
        D(2025, 4, 8),
        "corrected",
        "改为一般失信",
        Correction(severity="minor", reason="违法执业，情节轻微"),
    )
    # A minor record is published for at most 3 months.
    assert await entry_of(sanctions, D(2025, 4, 8)) == ("active", "minor", "2025-06-10")
    report = await sanctions.report(uscc(A), D(2025, 4, 8))
    assert {m.entry.reason for m in report.measures if m.entry} == {"违法执业，情节轻微"}


async def test_late_answers_are_flagged_and_overdue_ones_listed(wf: WorkflowService) -> None:
    await listed(wf)
    filed = await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "不服")
    assert filed.due_on == "2025-04-16"
    assert await wf.objections.overdue(D(2025, 4, 16)) == []
    (overdue,) = await wf.objections.overdue(D(2025, 4, 17))
    assert overdue.objection_key == filed.objection_key
    answered = await wf.objections.answer(
        "hc", "officer", filed.objection_key, D(2025, 4, 20), "upheld", "维持"
    )
    assert answered.late
    assert await wf.objections.overdue(D(2025, 4, 21)) == []
    (kept,) = await wf.objections.of_entry("E1")
    assert (kept.state, kept.answer, kept.late) == ("upheld", "维持", True)


async def test_an_ingested_entry_is_adopted_on_its_first_step(
    wf: WorkflowService,
    sanctions: SanctionService,
    store: CypherStore,
    keyring: Keyring,
    data_dir: Path,
) -> None:
    await ingest_records(store, keyring, [f.entry("ING", {"uscc": A})], data_dir)  # from 2025-04-01
    filed = await wf.objections.file("hc", "officer", "ING", D(2025, 5, 1), "不服")
    assert await entry_of(sanctions, D(2025, 5, 1)) == ("under_objection", "serious", "2028-03-31")
    assert await entry_of(sanctions, D(2025, 4, 30)) == ("active", "serious", "2028-03-31")
    await wf.objections.answer(
        "co",
        "officer",
        filed.objection_key,
        D(2025, 5, 10),
        "corrected",
        "撤销",
        Correction(revoke=True),
    )
    assert await entry_of(sanctions, D(2025, 5, 9)) == ("active", "serious", "2028-03-31")
    assert await entry_of(sanctions, D(2025, 5, 10)) is None
