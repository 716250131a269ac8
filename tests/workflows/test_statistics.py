"""Statistics for the periodic work report: by agency, by period."""

from __future__ import annotations

import datetime as dt

from hub.workflows import WorkflowService
from tests.workflows.conftest import SCORES, A, B, uscc
from tests.workflows.helpers import listed

D = dt.date


async def test_counts_by_agency_and_period(wf: WorkflowService) -> None:
    await wf.commitments.sign("hc", "officer", uscc(A), "PRACTICE-LAW", D(2025, 1, 5))
    await wf.commitments.sign("co", "officer", uscc(B), "PRACTICE-LAW", D(2025, 4, 5))
    await wf.evaluations.record("hc", "evaluator", uscc(A), 2024, SCORES, D(2025, 1, 20))
    await listed(wf)  # in force 2025-03-11
    filed = await wf.objections.file("hc", "officer", "E1", D(2025, 4, 1), "不服")
    await wf.objections.answer(
        "hc", "officer", filed.objection_key, D(2025, 4, 30), "upheld", "维持"
    )
    await wf.feedback.report("mr", "clerk", "E1", "BLACK-MARKET-BAN", "applied", D(2025, 4, 2))

    q1 = await wf.statistics.report(D(2025, 1, 1), D(2025, 3, 31))
    assert q1.by_agency == {
        "hc": {
            "commitments.signed": 1,
            "evaluations.excellent": 1,
            "listings.black": 1,
        }
    }
    q2 = await wf.statistics.report(D(2025, 4, 1), D(2025, 6, 30))
    assert q2.by_agency["co"] == {"commitments.signed": 1}
    assert q2.by_agency["hc"] == {
        "objections.answered_late": 1,
        "objections.filed": 1,
        "objections.upheld": 1,
    }
    assert q2.by_agency["mr"] == {"measures.applied": 1}
    assert q2.totals["commitments.signed"] == 1
