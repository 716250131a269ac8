"""Warning interviews for subjects that did not rectify by their deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.workflows import WorkflowError, WorkflowService
from tests.workflows.conftest import DOCTOR, A, B, person, uscc

D = dt.date


async def test_prompt_then_warning_interviews(wf: WorkflowService) -> None:
    a = await wf.interviews.order(
        "hc", "inspector", uscc(A), D(2025, 3, 1), D(2025, 3, 31), "消毒记录缺失"
    )
    b = await wf.interviews.order(
        "hc", "inspector", uscc(B), D(2025, 3, 1), D(2025, 3, 31), "处方不规范"
    )
    doc = await wf.interviews.order(
        "hc", "inspector", person(DOCTOR), D(2025, 3, 1), D(2025, 4, 15), "超范围执业"
    )
    assert await wf.interviews.due(D(2025, 3, 31)) == []
    await wf.interviews.rectified("hc", "inspector", b.rect_key, D(2025, 3, 30))
    (due,) = await wf.interviews.due(D(2025, 4, 1))
    assert (due.rectification.rect_key, due.kind, due.days_overdue) == (a.rect_key, "prompt", 1)
    assert due.subject_name == "甲市人民医院"
    held = await wf.interviews.held(
        "hc", "inspector", a.rect_key, D(2025, 4, 2), "prompt", "提示约谈"
    )
    assert held.interview_kind == "prompt"
    later = {d.rectification.rect_key: d for d in await wf.interviews.due(D(2025, 4, 20))}
    assert later[a.rect_key].kind == "warning"  # a prompt interview did not help
    assert (later[doc.rect_key].kind, later[doc.rect_key].subject_name) == ("prompt", "张医师")
    far = {d.rectification.rect_key: d for d in await wf.interviews.due(D(2025, 5, 20))}
    assert far[doc.rect_key].kind == "warning"  # more than 30 days overdue
    await wf.interviews.rectified("hc", "inspector", a.rect_key, D(2025, 5, 21), "已整改")
    assert [d.rectification.rect_key for d in await wf.interviews.due(D(2025, 5, 22))] == [
        doc.rect_key
    ]
    actions = [e.action for e in await wf.history("rectification", a.rect_key)]
    assert actions == ["rectification.ordered", "interview.prompt", "rectification.done"]


async def test_refusals(wf: WorkflowService) -> None:
    with pytest.raises(WorkflowError) as deadline:
        await wf.interviews.order("hc", "inspector", uscc(A), D(2025, 3, 1), D(2025, 3, 1), "x")
    assert deadline.value.field == "deadline"
    order = await wf.interviews.order(
        "hc", "inspector", uscc(A), D(2025, 3, 1), D(2025, 3, 31), "x"
    )
    with pytest.raises(WorkflowError) as early:
        await wf.interviews.held("hc", "inspector", order.rect_key, D(2025, 3, 31), "prompt")
    assert early.value.field == "on"
    with pytest.raises(WorkflowError) as kind:
        await wf.interviews.held("hc", "inspector", order.rect_key, D(2025, 4, 1), "stern")  # type: ignore[arg-type]
    assert kind.value.field == "kind"
    with pytest.raises(WorkflowError) as stranger:
        await wf.interviews.rectified("mr", "inspector", order.rect_key, D(2025, 3, 5))
    assert stranger.value.field == "agency"
    await wf.interviews.rectified("co", "officer", order.rect_key, D(2025, 3, 5))
    with pytest.raises(WorkflowError) as twice:
        await wf.interviews.rectified("hc", "inspector", order.rect_key, D(2025, 3, 6))
    assert twice.value.field == "rect_key"
