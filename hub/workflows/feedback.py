"""Measure feedback: trigger → respond → feedback (发起—响应—反馈).

When a listing takes effect, every agency that enforces one of its measures is
triggered (a MeasureTrigger per entry, measure and agency). The agency answers
"applied on D" or "not applied, because …" (a Feedback node, the same table ingested
feedback lands in). The credit office sees per measure and agency what was applied,
refused, or never answered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from hub.graph.cypher_store import Run
from hub.graph.port import Row
from hub.workflows import queries as wq
from hub.workflows.context import Actor, Context, SubjectInput, iso, need_text, now_stamp
from hub.workflows.errors import WorkflowError

Outcome = Literal["applied", "not_applied"]


@dataclass(frozen=True, slots=True)
class Trigger:
    trigger_key: str
    entry_id: str
    measure: str
    agency: str
    subject_kind: str
    subject_key: str
    triggered_on: str


@dataclass(frozen=True, slots=True)
class FeedbackAnswer:
    fb_key: str
    entry_id: str
    measure: str
    agency: str
    subject_kind: str
    subject_key: str
    outcome: str
    on: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """One measure at one agency: how many triggers were applied, refused, unanswered."""

    measure: str
    agency: str
    triggered: int
    applied: int
    refused: int
    unanswered: int


def _trigger(row: Row) -> Trigger:
    return Trigger(
        trigger_key=row["trigger_key"],
        entry_id=row["entry_id"],
        measure=row["measure"],
        agency=row["agency"],
        subject_kind=row["subject_kind"],
        subject_key=row["subject_key"],
        triggered_on=row["triggered_on"],
    )


def _answer(row: Row) -> FeedbackAnswer:
    return FeedbackAnswer(
        fb_key=row["fb_key"],
        entry_id=row["entry_id"],
        measure=row["measure"],
        agency=row["agency"],
        subject_kind=row["subject_kind"],
        subject_key=row["subject_key"],
        outcome=row["outcome"],
        on=row["on_date"],
        reason=row.get("reason"),
    )


async def trigger_measures(
    ctx: Context, run: Run, entry: Row, on: dt.date, actor: Actor | None
) -> list[Trigger]:
    """Trigger every enforcing agency of every measure of an entry's list (idempotent)."""
    agencies = await run(wq.AGENCIES, {})
    rows = []
    for measure in ctx.catalogue.measure:
        if measure.trigger.list != entry["list_type"]:
            continue
        for agency in agencies:
            if agency["kind"] != measure.enforcing_agency_kind:
                continue
            rows.append(
                {
                    "trigger_key": f"{entry['entry_id']}/{measure.code}/{agency['code']}",
                    "entry_id": entry["entry_id"],
                    "measure": measure.code,
                    "agency": agency["code"],
                    "subject_kind": entry["subject_kind"],
                    "subject_key": entry["subject_key"],
                    "triggered_on": iso(on),
                }
            )
    if not rows:
        return []
    known = await run(wq.get("MeasureTrigger"), {"keys": [r["trigger_key"] for r in rows]})
    seen = {r["trigger_key"] for r in known}
    new = [r for r in rows if r["trigger_key"] not in seen]
    if new:
        await run(wq.upsert("MeasureTrigger"), {"rows": new})
        await ctx.record(
            run,
            "list_entry",
            entry["entry_id"],
            "measures.triggered",
            on,
            actor,
            ", ".join(sorted({f"{r['measure']}@{r['agency']}" for r in new})),
            str(len(new)),
        )
    return [_trigger(r) for r in new]


class Feedback:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def trigger(self, agency: str, role: str, entry_id: str, on: dt.date) -> list[Trigger]:
        """Trigger the enforcing agencies of an entry in force (e.g. one that came by ingest)."""
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            entry = await self._entry(run, entry_id)
            if actor.agency != entry["decided_by"] and actor.kind != "credit_office":
                raise WorkflowError("agency", "the deciding agency or the credit office initiates")
            if entry["status"] not in ("active", "under_objection"):
                raise WorkflowError("entry_id", f"entry {entry_id} is {entry['status']}")
            return await trigger_measures(self.ctx, run, entry, on, actor)

    async def _entry(self, run: Run, entry_id: str) -> Row:
        rows = await run(wq.get("ListEntry"), {"keys": [entry_id]})
        if not rows:
            raise WorkflowError("entry_id", f"no list entry {entry_id!r} in force")
        return rows[0]

    async def report(
        self,
        agency: str,
        role: str,
        entry_id: str,
        measure: str,
        outcome: Outcome,
        on: dt.date,
        reason: str | None = None,
        subject: SubjectInput | None = None,
    ) -> FeedbackAnswer:
        """The enforcing agency's answer for one measure of one entry (the latest counts)."""
        if outcome not in ("applied", "not_applied"):
            raise WorkflowError("outcome", "must be applied or not_applied")
        if outcome == "not_applied":
            reason = need_text("reason", reason)
        found = next((m for m in self.ctx.catalogue.measure if m.code == measure), None)
        if found is None:
            raise WorkflowError("measure", f"no measure {measure!r} in the catalogue")
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            entry = await self._entry(run, entry_id)
            if found.trigger.list != entry["list_type"]:
                raise WorkflowError(
                    "measure", f"{measure} is not a measure of the {entry['list_type']} list"
                )
            if actor.kind != found.enforcing_agency_kind:
                raise WorkflowError(
                    "agency",
                    f"{measure} is enforced by {found.enforcing_agency_kind} agencies, "
                    f"not by {actor.agency} ({actor.kind})",
                )
            if iso(on) < entry["valid_from"]:
                raise WorkflowError("on", f"before the entry took effect ({entry['valid_from']})")
            if subject is None:
                kind, key = entry["subject_kind"], entry["subject_key"]
            else:
                ref = self.ctx.subject(subject)
                await self.ctx.require_subject(run, ref)
                kind, key = ref.kind, ref.key
            row = {
                "fb_key": f"wf-fb/{entry_id}/{measure}/{actor.agency}/{key}",
                "entry_id": entry_id,
                "measure": measure,
                "subject_kind": kind,
                "subject_key": key,
                "agency": actor.agency,
                "outcome": outcome,
                "on_date": iso(on),
                "reason": reason,
                "src_agency": actor.agency,
                "src_record": f"workflow:{entry_id}/{measure}",
            }
            await run(wq.upsert("Feedback", provenance=True), {"rows": [row], "now": now_stamp()})
            await self.ctx.record(
                run, "list_entry", entry_id, f"feedback.{outcome}", on, actor, reason or "", measure
            )
        return _answer(row)

    async def answers(self, entry_id: str) -> list[FeedbackAnswer]:
        rows = await self.ctx.store.read(
            wq.select("Feedback", ("entry_id",)), {"entry_id": entry_id}
        )
        return sorted((_answer(r) for r in rows), key=lambda a: (a.measure, a.agency, a.on))

    async def triggers(self, entry_id: str) -> list[Trigger]:
        rows = await self.ctx.store.read(
            wq.select("MeasureTrigger", ("entry_id",)), {"entry_id": entry_id}
        )
        return sorted((_trigger(r) for r in rows), key=lambda t: t.trigger_key)

    async def overview(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[FeedbackSummary]:
        """Per measure and agency: triggered, applied, refused, never answered.

        Triggers count when triggered in [start, end] (all by default); each is answered
        by the agency's latest feedback for that entry and measure. Feedback that arrived
        by ingest without a trigger counts as applied or refused too.
        """
        span = {"first_day": iso(start or dt.date.min), "last_day": iso(end or dt.date.max)}
        triggers = await self.ctx.store.read(
            wq.select("MeasureTrigger", between="triggered_on"), span
        )
        answers = await self.ctx.store.read(wq.select("Feedback"), {})
        latest: dict[tuple[str, str, str], Row] = {}
        for a in sorted(answers, key=lambda r: (r["on_date"] or "", r["fb_key"])):
            latest[(a["entry_id"], a["measure"], a["agency"])] = a
        counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
            lambda: {"triggered": 0, "applied": 0, "refused": 0, "unanswered": 0}
        )
        answered: set[tuple[str, str, str]] = set()
        for t in triggers:
            ident = (t["entry_id"], t["measure"], t["agency"])
            bucket = counts[(t["measure"], t["agency"])]
            bucket["triggered"] += 1
            answer = latest.get(ident)
            if answer is None:
                bucket["unanswered"] += 1
            else:
                answered.add(ident)
                bucket["applied" if answer["outcome"] == "applied" else "refused"] += 1
        for ident, answer in latest.items():
            if ident not in answered and span["first_day"] <= answer["on_date"] <= span["last_day"]:
                bucket = counts[(ident[1], ident[2])]
                bucket["applied" if answer["outcome"] == "applied" else "refused"] += 1
        return [
            FeedbackSummary(measure, agency, **c) for (measure, agency), c in sorted(counts.items())
        ]
