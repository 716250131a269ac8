"""Statistics for the credit office's periodic work report (定期工作报告).

Counts by agency over a period [start, end]: commitments signed and how they ended,
evaluations by grade and downgrades, listings by list, objections and their outcomes,
repairs, and measures applied or refused. Each count is taken by the date that belongs
to it (signing, evaluation, taking effect, filing, application, feedback).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from hub.workflows import queries as wq
from hub.workflows.context import Context, iso


@dataclass(frozen=True, slots=True)
class WorkReport:
    start: str
    end: str
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for counts in self.by_agency.values():
            total.update(counts)
        return dict(sorted(total.items()))


class Statistics:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def report(self, start: dt.date, end: dt.date) -> WorkReport:
        span = {"first_day": iso(start), "last_day": iso(end)}
        read = self.ctx.store.read
        counts: dict[str, Counter[str]] = defaultdict(Counter)

        for c in await read(wq.select("Commitment", between="signed_on", provenance=True), span):
            bucket = counts[c["src_agency"] or "unknown"]
            bucket["commitments.signed"] += 1
            if c.get("kept") == "true":
                bucket["commitments.kept"] += 1
            elif c.get("kept") == "false":
                bucket["commitments.breached"] += 1
        for e in await read(wq.select("WorkflowEvent", between="on_date"), span):
            if e["action"] == "evaluation.recorded":
                counts[e["agency"]][f"evaluations.{e['detail']}"] += 1
            elif e["action"] == "evaluation.downgraded":
                counts[e["agency"]]["evaluations.downgraded"] += 1
        for e in await read(wq.ENTRIES_BETWEEN, span):
            counts[e["decided_by"]][f"listings.{e['list_type']}"] += 1
        for o in await read(wq.select("Objection", between="filed_on"), span):
            bucket = counts[o["agency"]]
            bucket["objections.filed"] += 1
            if o["state"] != "filed":
                bucket[f"objections.{o['state']}"] += 1
            if o.get("late") == "true":
                bucket["objections.answered_late"] += 1
        for r in await read(wq.select("Repair", between="applied_on"), span):
            prefix = "repairs" if r["kind"] == "credit_repair" else "corrections"
            counts[r["agency"]][f"{prefix}.{r['state']}"] += 1
        for f in await read(wq.select("Feedback", between="on_date"), span):
            outcome = "applied" if f["outcome"] == "applied" else "refused"
            counts[f["agency"]][f"measures.{outcome}"] += 1
        return WorkReport(
            start=iso(start),
            end=iso(end),
            by_agency={a: dict(sorted(c.items())) for a, c in sorted(counts.items())},
        )
