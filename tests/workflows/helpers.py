"""Steps the lifecycle tests share."""

from __future__ import annotations

import datetime as dt

from hub.records import Severity
from hub.workflows import WorkflowService
from hub.workflows.lifecycle import CaseView
from tests.workflows.conftest import A, uscc

D = dt.date
MARCH_1 = D(2025, 3, 1)


async def listed(
    wf: WorkflowService,
    entry_id: str = "E1",
    severity: Severity = "ordinary",
    on: dt.date = MARCH_1,
    agency: str = "hc",
) -> CaseView:
    """A black-list entry on A: proposed and notified on `on`, in force 10 days later."""
    await wf.lists.propose(
        agency,
        "officer",
        uscc(A),
        "black",
        "严重违法执业",
        "《医疗机构管理条例》",
        severity,
        on,
        entry_id=entry_id,
    )
    await wf.lists.notify(agency, "officer", entry_id, on)
    return await wf.lists.activate(agency, "officer", entry_id, on + dt.timedelta(days=10))
