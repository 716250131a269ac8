"""Evaluation: grades from thresholds, tiers, downgrades, the supervision plan."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.sanctions.service import SanctionService
from hub.workflows import WorkflowError, WorkflowService
from tests.workflows.conftest import SCORES, A, B, uscc

D = dt.date


def scores(**changes: float) -> dict[str, float]:
    return {**SCORES, **changes}


@pytest.mark.parametrize(
    ("changes", "grade"),
    [
        ({}, "excellent"),
        ({"general_management": 70.0}, "pass"),  # average 90, but one area under 80
        ({k: 60.0 for k in SCORES}, "pass"),
        ({"infectious_disease": 30.0}, "poor"),  # one area under the pass floor
        ({k: 59.0 for k in SCORES}, "poor"),
    ],
)
async def test_grade_follows_the_thresholds(
    wf: WorkflowService, changes: dict[str, float], grade: str
) -> None:
    assert wf.evaluations.grade_of(scores(**changes))[0] == grade


async def test_refusals(wf: WorkflowService) -> None:
    cases = [
        (
            ("hc", uscc(A), 2024, {k: v for k, v in SCORES.items() if k != "special_technology"}),
            "scores.special_technology",
        ),
        (("hc", uscc(A), 2024, scores(extra_area=50.0)), "scores.extra_area"),
        (("hc", uscc(A), 2024, scores(general_management=101.0)), "scores.general_management"),
        (("mr", uscc(A), 2024, SCORES), "agency"),  # market regulation does not evaluate
        (("nobody", uscc(A), 2024, SCORES), "agency"),
        (("hc", uscc(A), 2026, SCORES), "year"),  # not begun yet
    ]
    for (agency, subject, year, given), field in cases:
        with pytest.raises(WorkflowError) as err:
            await wf.evaluations.record(agency, "evaluator", subject, year, given, D(2025, 1, 20))
        assert err.value.field == field, err.value
    await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 20))
    with pytest.raises(WorkflowError) as twice:
        await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 21))
    assert twice.value.field == "year"


async def test_serious_violation_drops_two_grades_and_poor_triggers_measures(
    wf: WorkflowService, sanctions: SanctionService
) -> None:
    await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 20))
    down = await wf.evaluations.record_violation(
        "hc", "inspector", uscc(A), D(2025, 2, 1), "serious", "非法开展医疗美容"
    )
    assert down is not None and (down.from_grade, down.to_grade) == ("excellent", "poor")
    report = await sanctions.report(uscc(A), D(2025, 2, 2))
    assert {m.measure.code for m in report.measures} == {
        "POOR-RECTIFICATION",
        "POOR-POSTPONED-REVALIDATION",
        "POOR-EXTRA-DOCUMENTS",
    }
    # Already the lowest grade: recorded as a credit record, no further downgrade.
    again = await wf.evaluations.record_violation(
        "hc", "inspector", uscc(A), D(2025, 3, 1), "minor", "病历书写不规范"
    )
    assert again is None
    assert len(await wf.evaluations.downgrades(D(2025, 1, 1), D(2025, 12, 31))) == 1
    actions = [e.action for e in await wf.history("evaluation", f"{A}/2024")]
    assert actions == ["evaluation.recorded", "evaluation.downgraded"]


async def test_violation_without_evaluation_in_force_downgrades_nothing(
    wf: WorkflowService,
) -> None:
    assert (
        await wf.evaluations.record_violation(
            "hc", "inspector", uscc(B), D(2025, 2, 1), "ordinary", "x"
        )
        is None
    )
    with pytest.raises(WorkflowError) as err:
        await wf.evaluations.record_violation(
            "hc", "inspector", uscc(B), D(2025, 2, 1), "ordinary", " "
        )
    assert err.value.field == "reason"


async def test_supervision_plan_lists_every_institution(wf: WorkflowService) -> None:
    await wf.evaluations.record(
        "hc", "evaluator", uscc(A), 2024, scores(infectious_disease=20.0), D(2025, 1, 20)
    )
    plan = {p.uscc: p for p in await wf.evaluations.supervision_plan(2025)}
    assert (plan[A].grade, plan[A].tier, plan[A].inspections_per_year) == ("poor", "C", 4)
    assert (plan[B].grade, plan[B].tier, plan[B].inspections_per_year) == (None, "B", 2)
    assert plan[B].name == "乙镇卫生院"
    # The grade of 2024 no longer applies in 2026.
    later = {p.uscc: p for p in await wf.evaluations.supervision_plan(2026)}
    assert later[A].grade is None
