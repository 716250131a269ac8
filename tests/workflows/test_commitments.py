"""Commitments: templates, signing, kept or breached."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.workflows import WorkflowError, WorkflowService
from tests import factories as f
from tests.workflows.conftest import DOCTOR, A, person, uscc

D = dt.date


async def test_templates_are_published(wf: WorkflowService) -> None:
    codes = {t.code for t in wf.commitments.templates()}
    assert {"PRACTICE-LAW", "MISSING-DOCUMENTS", "PRACTITIONER", "CREDIT-REPAIR"} <= codes


async def test_sign_refusals(wf: WorkflowService) -> None:
    cases = [
        ((uscc(A), "NO-SUCH"), "template"),
        ((uscc(A), "PRACTITIONER"), "template"),  # a person's template
        ((person(f.resident_id()), "PRACTITIONER"), "subject"),  # unknown person
    ]
    for (subject, template), field in cases:
        with pytest.raises(WorkflowError) as err:
            await wf.commitments.sign("hc", "officer", subject, template, D(2025, 1, 1))
        assert err.value.field == field, err.value
    await wf.commitments.sign("hc", "officer", uscc(A), "PRACTICE-LAW", D(2025, 1, 1))
    with pytest.raises(WorkflowError) as open_one:
        await wf.commitments.sign("hc", "officer", uscc(A), "PRACTICE-LAW", D(2025, 2, 1))
    assert open_one.value.field == "template" and "still open" in open_one.value.reason


async def test_kept_once_and_by_whom(wf: WorkflowService) -> None:
    signed = await wf.commitments.sign(
        "hc", "officer", person(DOCTOR), "PRACTITIONER", D(2025, 1, 1)
    )
    assert signed.subject_kind == "person" and DOCTOR not in signed.subject_key
    with pytest.raises(WorkflowError) as other:
        await wf.commitments.mark("mr", "officer", signed.cm_key, True, D(2025, 12, 31))
    assert other.value.field == "agency"
    with pytest.raises(WorkflowError) as early:
        await wf.commitments.mark("hc", "officer", signed.cm_key, True, D(2024, 12, 31))
    assert early.value.field == "on"
    kept = await wf.commitments.mark("co", "officer", signed.cm_key, True, D(2025, 12, 31))
    assert kept.kept is True
    with pytest.raises(WorkflowError) as twice:
        await wf.commitments.mark("hc", "officer", signed.cm_key, False, D(2026, 1, 5), "x")
    assert twice.value.field == "kept"
    assert await wf.commitments.credit_records(person(DOCTOR)) == []
    # Kept: a new one may be signed.
    await wf.commitments.sign("hc", "officer", person(DOCTOR), "PRACTITIONER", D(2026, 1, 1))


async def test_breach_needs_a_note_and_becomes_a_credit_record(wf: WorkflowService) -> None:
    signed = await wf.commitments.sign("hc", "officer", uscc(A), "MISSING-DOCUMENTS", D(2025, 1, 1))
    with pytest.raises(WorkflowError) as bare:
        await wf.commitments.mark("hc", "officer", signed.cm_key, False, D(2025, 3, 1))
    assert bare.value.field == "note"
    await wf.commitments.mark(
        "hc", "officer", signed.cm_key, False, D(2025, 3, 1), "逾期未补齐材料"
    )
    (record,) = await wf.commitments.credit_records(uscc(A))
    assert (record["kind"], record["source_key"], record["on_date"]) == (
        "commitment_breach",
        signed.cm_key,
        "2025-03-01",
    )
    with pytest.raises(WorkflowError) as missing:
        await wf.commitments.mark("hc", "officer", "nope", True, D(2025, 3, 1))
    assert missing.value.field == "cm_key"
