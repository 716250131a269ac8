"""The list lifecycle: each transition, each refusal, and what the engine sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.graph import CypherStore
from hub.personal_data import Keyring
from hub.sanctions.service import SanctionService
from hub.workflows import WorkflowError, WorkflowService
from tests import factories as f
from tests.conftest import ingest_records
from tests.workflows.conftest import RIOTER, A, B, person, uscc
from tests.workflows.helpers import listed

D = dt.date


async def codes(sanctions: SanctionService, subject: object, day: dt.date) -> set[str]:
    report = await sanctions.report(subject, day)  # type: ignore[arg-type]
    return {m.measure.code for m in report.measures}


async def test_propose_refusals(wf: WorkflowService) -> None:
    good = {
        "agency": "hc",
        "role": "officer",
        "subject": uscc(A),
        "list_type": "black",
        "reason": "r",
        "basis": "b",
        "severity": "serious",
        "on": D(2025, 3, 1),
    }
    cases = [
        ({"basis": "  "}, "basis"),
        ({"reason": ""}, "reason"),
        ({"list_type": "grey"}, "list_type"),
        ({"severity": "huge"}, "severity"),
        ({"list_type": "red", "subject": person(RIOTER)}, "subject"),
        ({"list_type": "medical_order"}, "subject"),
        ({"subject": uscc(f.uscc())}, "subject"),  # not in the hub
        ({"violation_on": D(2025, 3, 2)}, "violation_on"),
        ({"validity_months": 37}, "validity_months"),
        ({"validity_months": 0}, "validity_months"),
        ({"agency": "nobody"}, "agency"),
        ({"role": ""}, "role"),
        ({"subject": person(RIOTER), "responsible": (person(RIOTER),)}, "responsible"),
    ]
    for change, field in cases:
        with pytest.raises(WorkflowError) as err:
            await wf.lists.propose(**{**good, **change})  # type: ignore[arg-type]
        assert err.value.field == field, (change, err.value)
    await wf.lists.propose(**good, entry_id="X")  # type: ignore[arg-type]
    with pytest.raises(WorkflowError) as dup:
        await wf.lists.propose(**good, entry_id="X")  # type: ignore[arg-type]
    assert dup.value.field == "entry_id"


async def test_transitions_in_order_only(wf: WorkflowService) -> None:
    await wf.lists.propose(
        "hc", "officer", uscc(A), "black", "r", "b", "serious", D(2025, 3, 1), entry_id="E"
    )
    with pytest.raises(WorkflowError) as not_notified:
        await wf.lists.activate("hc", "officer", "E", D(2025, 4, 1))
    assert not_notified.value.field == "entry_id" and "proposed" in not_notified.value.reason
    with pytest.raises(WorkflowError) as backwards:
        await wf.lists.notify("hc", "officer", "E", D(2025, 2, 1))
    assert backwards.value.field == "on"
    with pytest.raises(WorkflowError) as stranger:
        await wf.lists.notify("mr", "officer", "E", D(2025, 3, 2))
    assert stranger.value.field == "agency"
    await wf.lists.notify("co", "officer", "E", D(2025, 3, 2))  # the credit office may act
    with pytest.raises(WorkflowError) as twice:
        await wf.lists.notify("hc", "officer", "E", D(2025, 3, 3))
    assert twice.value.field == "entry_id"
    with pytest.raises(WorkflowError) as unknown:
        await wf.lists.notify("hc", "officer", "NOPE", D(2025, 3, 3))
    assert unknown.value.field == "entry_id"
    view = await wf.lists.activate("hc", "officer", "E", D(2025, 3, 12))
    assert (view.state, view.entry_status) == ("active", "active")
    history = await wf.history("list_entry", "E")
    assert [(e.action, e.agency) for e in history][:3] == [
        ("entry.proposed", "hc"),
        ("entry.notified", "co"),
        ("entry.activated", "hc"),
    ]
    assert "可于2025-03-12前提出书面异议" in history[1].note


async def test_revoked_before_taking_effect_never_applies(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await wf.lists.propose(
        "hc", "officer", uscc(A), "black", "r", "b", "serious", D(2025, 3, 1), entry_id="E"
    )
    await wf.lists.notify("hc", "officer", "E", D(2025, 3, 1))
    view = await wf.lists.revoke("hc", "officer", "E", D(2025, 3, 5), "证据不足")
    assert (view.state, view.entry_status) == ("revoked", None)
    with pytest.raises(WorkflowError):
        await wf.lists.activate("hc", "officer", "E", D(2025, 3, 20))
    with pytest.raises(WorkflowError) as again:
        await wf.lists.revoke("hc", "officer", "E", D(2025, 3, 21), "x")
    assert again.value.field == "entry_id"
    assert await codes(sanctions, uscc(A), D(2025, 3, 20)) == set()
    with pytest.raises(WorkflowError) as bare:
        await wf.lists.revoke("hc", "officer", "E", D(2025, 3, 21), "")
    assert bare.value.field == "reason"


async def test_revoking_an_active_entry_ends_it_that_day(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await listed(wf)
    await wf.lists.revoke("hc", "officer", "E1", D(2025, 5, 1), "上级复核撤销")
    assert "BLACK-MARKET-BAN" in await codes(sanctions, uscc(A), D(2025, 4, 30))
    assert await codes(sanctions, uscc(A), D(2025, 5, 1)) == set()


async def test_person_on_the_medical_order_list(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await wf.lists.propose(
        "ps",
        "officer",
        person(RIOTER),
        "medical_order",
        "殴打医务人员，被处以行政拘留",
        "《治安管理处罚法》",
        "serious",
        D(2025, 5, 1),
        violation_on=D(2025, 4, 20),
        validity_months=36,
        entry_id="MO",
    )
    await wf.lists.notify("ps", "officer", "MO", D(2025, 5, 2))
    view = await wf.lists.activate("ps", "officer", "MO", D(2025, 5, 12))
    assert view.valid_until == "2028-05-11"
    assert "MO-PUBLICATION" in await codes(sanctions, person(RIOTER), D(2025, 5, 12))
    assert await codes(sanctions, person(RIOTER), D(2025, 5, 11)) == set()


async def test_expiry_stops_at_the_maximum_publicity_of_an_ingested_entry(
    wf: WorkflowService,
    sanctions: SanctionService,
    store: CypherStore,
    keyring: Keyring,
    data_dir: Path,
) -> None:
    # Ingested with five years' validity: publication stops after the serious maximum (3 years).
    entry = f.entry("ING", {"uscc": B}, valid_from="2025-04-01", valid_until="2030-03-31")
    await ingest_records(store, keyring, [entry], data_dir)
    assert (await wf.lists.get("ING")).publicity_ends == "2028-03-31"
    assert await wf.lists.expire_due(D(2028, 3, 31)) == []
    assert await wf.lists.expire_due(D(2029, 1, 1)) == ["ING"]
    assert "BLACK-MARKET-BAN" in await codes(sanctions, uscc(B), D(2028, 3, 31))
    assert await codes(sanctions, uscc(B), D(2028, 4, 1)) == set()
    view = await wf.lists.get("ING")
    assert (view.state, view.entry_status) == ("expired", "expired")
    assert await wf.lists.expire_due(D(2029, 1, 2)) == []
    (event,) = await wf.history("list_entry", "ING")
    assert (event.action, event.on, event.agency) == ("entry.expired", "2028-04-01", "system")


async def test_a_step_after_the_end_of_publicity_finds_the_entry_expired(
    wf: WorkflowService,
) -> None:
    await listed(wf, severity="minor")  # in force 2025-03-11, at most 3 months
    with pytest.raises(WorkflowError) as late:
        await wf.objections.file("hc", "officer", "E1", D(2025, 7, 1), "不服")
    assert late.value.field == "entry_id" and "expired" in late.value.reason
