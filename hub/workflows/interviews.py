"""Rectification orders and warning interviews (提示约谈 / 警示约谈).

An agency orders a subject to rectify by a deadline. A subject that has not rectified
by then is due a prompt interview (提示约谈); once it is `warning_after_days` further
overdue, a warning interview (警示约谈). `due` lists them on a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from hub.graph.port import Row
from hub.workflows import queries as wq
from hub.workflows.context import Context, SubjectInput, iso, need_text, new_key
from hub.workflows.errors import WorkflowError

InterviewKind = Literal["prompt", "warning"]


@dataclass(frozen=True, slots=True)
class Rectification:
    rect_key: str
    subject_kind: str
    subject_key: str
    agency: str
    ordered_on: str
    deadline: str
    reason: str
    rectified_on: str | None
    interview_kind: str | None
    interviewed_on: str | None


@dataclass(frozen=True, slots=True)
class InterviewDue:
    """A subject that did not rectify by its deadline, and the interview now due."""

    rectification: Rectification
    subject_name: str | None
    days_overdue: int
    kind: InterviewKind


def _rect(row: Row) -> Rectification:
    return Rectification(
        rect_key=row["rect_key"],
        subject_kind=row["subject_kind"],
        subject_key=row["subject_key"],
        agency=row["agency"],
        ordered_on=row["ordered_on"],
        deadline=row["deadline"],
        reason=row["reason"],
        rectified_on=row.get("rectified_on"),
        interview_kind=row.get("interview_kind"),
        interviewed_on=row.get("interviewed_on"),
    )


class Interviews:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def order(
        self,
        agency: str,
        role: str,
        subject: SubjectInput,
        on: dt.date,
        deadline: dt.date,
        reason: str,
    ) -> Rectification:
        """Order a subject to rectify by `deadline` (责令整改)."""
        reason = need_text("reason", reason)
        if deadline <= on:
            raise WorkflowError("deadline", "is after the order date")
        ref = self.ctx.subject(subject)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            await self.ctx.require_subject(run, ref)
            row: Row = {
                "rect_key": new_key("rc"),
                "subject_kind": ref.kind,
                "subject_key": ref.key,
                "agency": actor.agency,
                "ordered_on": iso(on),
                "deadline": iso(deadline),
                "reason": reason,
                "rectified_on": None,
                "interview_kind": None,
                "interviewed_on": None,
            }
            await run(wq.upsert("Rectification"), {"rows": [row]})
            await self.ctx.record(
                run, "rectification", row["rect_key"], "rectification.ordered", on, actor, reason
            )
        return _rect(row)

    async def _load(self, agency: str, rows: list[Row], rect_key: str, kind: str) -> Row:
        if not rows:
            raise WorkflowError("rect_key", f"no rectification order {rect_key!r}")
        row = rows[0]
        if row.get("rectified_on"):
            raise WorkflowError("rect_key", f"rectified already on {row['rectified_on']}")
        if agency != row["agency"] and kind != "credit_office":
            raise WorkflowError(
                "agency", "only the ordering agency or the credit office acts on it"
            )
        return row

    async def rectified(
        self, agency: str, role: str, rect_key: str, on: dt.date, note: str = ""
    ) -> Rectification:
        """The subject has rectified (checked by the ordering agency)."""
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            rows = await run(wq.get("Rectification"), {"keys": [rect_key]})
            row = await self._load(actor.agency, rows, rect_key, actor.kind)
            if iso(on) < row["ordered_on"]:
                raise WorkflowError("on", f"before the order ({row['ordered_on']})")
            await run(
                wq.update("Rectification", ("rectified_on",)),
                {"key": rect_key, "rectified_on": iso(on)},
            )
            late = iso(on) > row["deadline"]
            await self.ctx.record(
                run,
                "rectification",
                rect_key,
                "rectification.done",
                on,
                actor,
                note,
                "late" if late else "in_time",
            )
        return _rect({**row, "rectified_on": iso(on)})

    async def held(
        self,
        agency: str,
        role: str,
        rect_key: str,
        on: dt.date,
        kind: InterviewKind,
        note: str = "",
    ) -> Rectification:
        """Record that the interview took place."""
        if kind not in ("prompt", "warning"):
            raise WorkflowError("kind", "must be prompt or warning")
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            rows = await run(wq.get("Rectification"), {"keys": [rect_key]})
            row = await self._load(actor.agency, rows, rect_key, actor.kind)
            if iso(on) <= row["deadline"]:
                raise WorkflowError("on", f"the deadline ({row['deadline']}) has not passed")
            values = {"interview_kind": kind, "interviewed_on": iso(on)}
            await run(wq.update("Rectification", tuple(values)), {"key": rect_key, **values})
            await self.ctx.record(
                run, "rectification", rect_key, f"interview.{kind}", on, actor, note, kind
            )
        return _rect({**row, **values})

    async def due(self, today: dt.date) -> list[InterviewDue]:
        """Subjects not rectified by their deadline, with the interview due on `today`
        (a prompt interview, or a warning one once overdue long enough or after a
        prompt interview that did not help)."""
        rows = await self.ctx.store.read(wq.select("Rectification"), {})
        open_rows = [r for r in rows if not r.get("rectified_on") and r["deadline"] < iso(today)]
        names = {
            n["uscc"]: n.get("name")
            for n in (
                await self.ctx.store.get_nodes(
                    "Institution",
                    sorted(
                        {r["subject_key"] for r in open_rows if r["subject_kind"] == "institution"}
                    ),
                )
            ).values()
        }
        persons = await self.ctx.store.get_nodes(
            "Person", sorted({r["subject_key"] for r in open_rows if r["subject_kind"] == "person"})
        )
        names.update({k: v.get("name") for k, v in persons.items()})
        warn_after = self.ctx.config.interviews.warning_after_days
        out = []
        for row in open_rows:
            overdue = (today - dt.date.fromisoformat(row["deadline"])).days
            kind: InterviewKind = "prompt"
            if overdue > warn_after or row.get("interview_kind") in ("prompt", "warning"):
                kind = "warning"
            out.append(InterviewDue(_rect(row), names.get(row["subject_key"]), overdue, kind))
        return sorted(out, key=lambda d: (-d.days_overdue, d.rectification.rect_key))
