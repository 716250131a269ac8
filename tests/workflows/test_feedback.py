"""Measure feedback: trigger → respond → feedback, per measure and agency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hub.graph import CypherStore
from hub.personal_data import Keyring
from hub.workflows import WorkflowError, WorkflowService
from tests import factories as f
from tests.conftest import ingest_records
from tests.workflows.conftest import DOCTOR, B, person
from tests.workflows.helpers import listed

D = dt.date


async def test_activation_triggers_every_enforcing_agency(wf: WorkflowService) -> None:
    await listed(wf)
    triggered = {(t.measure, t.agency) for t in await wf.feedback.triggers("E1")}
    assert triggered == {
        ("BLACK-MARKET-BAN", "mr"),
        ("BLACK-INDUSTRY-BAN", "hc"),
        ("BLACK-REVOKE-HONOURS", "hc"),
        ("BLACK-NO-AWARDS", "hc"),
    }
    summary = await wf.feedback.overview()
    assert all(s.unanswered == 1 and s.triggered == 1 for s in summary)


async def test_report_refusals(wf: WorkflowService) -> None:
    await listed(wf)
    good = {
        "agency": "mr",
        "role": "clerk",
        "entry_id": "E1",
        "measure": "BLACK-MARKET-BAN",
        "outcome": "applied",
        "on": D(2025, 3, 20),
    }
    cases = [
        ({"outcome": "not_applied"}, "reason"),
        ({"outcome": "perhaps"}, "outcome"),
        ({"measure": "NOPE"}, "measure"),
        ({"measure": "FOCUS-KEY-SUPERVISION"}, "measure"),  # not a black-list measure
        ({"agency": "mi"}, "agency"),  # medical insurance does not enforce market bans
        ({"entry_id": "NOPE"}, "entry_id"),
        ({"on": D(2025, 3, 1)}, "on"),  # before the entry took effect
    ]
    for change, field in cases:
        with pytest.raises(WorkflowError) as err:
            await wf.feedback.report(**{**good, **change})  # type: ignore[arg-type]
        assert err.value.field == field, (change, err.value)


async def test_latest_answer_counts_and_derived_subjects(wf: WorkflowService) -> None:
    await listed(wf)
    await wf.feedback.report(
        "mr", "clerk", "E1", "BLACK-MARKET-BAN", "not_applied", D(2025, 3, 20), "尚未收到许可申请"
    )
    await wf.feedback.report("mr", "clerk", "E1", "BLACK-MARKET-BAN", "applied", D(2025, 4, 2))
    await wf.feedback.report(
        "hc", "clerk", "E1", "BLACK-INDUSTRY-BAN", "applied", D(2025, 4, 3), subject=person(DOCTOR)
    )
    overview = {(s.measure, s.agency): s for s in await wf.feedback.overview()}
    market = overview[("BLACK-MARKET-BAN", "mr")]
    assert (market.applied, market.refused, market.unanswered) == (1, 0, 0)
    answers = await wf.feedback.answers("E1")
    assert [(a.measure, a.subject_kind) for a in answers] == [
        ("BLACK-INDUSTRY-BAN", "person"),
        ("BLACK-MARKET-BAN", "institution"),
    ]
    in_march = {
        (s.measure, s.agency): s for s in await wf.feedback.overview(D(2025, 3, 1), D(2025, 3, 31))
    }
    assert in_march[("BLACK-MARKET-BAN", "mr")].applied == 1  # the answer as it stands


async def test_an_ingested_entry_is_triggered_on_request(
    wf: WorkflowService, store: CypherStore, keyring: Keyring, data_dir: Path
) -> None:
    await ingest_records(store, keyring, [f.entry("ING", {"uscc": B})], data_dir)
    with pytest.raises(WorkflowError) as stranger:
        await wf.feedback.trigger("mr", "clerk", "ING", D(2025, 4, 2))
    assert stranger.value.field == "agency"
    assert len(await wf.feedback.trigger("co", "officer", "ING", D(2025, 4, 2))) == 4
    assert await wf.feedback.trigger("co", "officer", "ING", D(2025, 4, 3)) == []  # idempotent
