"""Objections (异议): filed → answered in writing within the time limit → upheld or corrected.

An objection is filed against a notified or an active entry. While it is open an
active entry shows as `under_objection` (the engine flags it) and a notified one cannot
take effect. The written answer either keeps the entry (upheld: the objection and the
finding stay on record) or corrects it (fixed or revoked) and raises a repair request
to the credit office (a Repair of kind `correction`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Literal

from hub.graph.cypher_store import Run
from hub.graph.port import Row
from hub.records import Severity
from hub.workflows import queries as wq
from hub.workflows.config import period_end
from hub.workflows.context import Context, iso, need_text, new_key
from hub.workflows.errors import WorkflowError
from hub.workflows.lifecycle import Case, Lifecycle

Outcome = Literal["upheld", "corrected"]


@dataclass(frozen=True, slots=True)
class Correction:
    """How a corrected entry is fixed; `revoke=True` withdraws it instead."""

    revoke: bool = False
    reason: str | None = None
    basis: str | None = None
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class ObjectionView:
    objection_key: str
    entry_id: str
    agency: str
    filed_on: str
    grounds: str
    due_on: str
    state: str  # filed | upheld | corrected
    answered_on: str | None
    answered_by: str | None
    answer: str | None
    late: bool
    repair_key: str | None = None


def _view(row: Row, repair_key: str | None = None) -> ObjectionView:
    return ObjectionView(
        objection_key=row["objection_key"],
        entry_id=row["entry_id"],
        agency=row["agency"],
        filed_on=row["filed_on"],
        grounds=row["grounds"],
        due_on=row["due_on"],
        state=row["state"],
        answered_on=row.get("answered_on"),
        answered_by=row.get("answered_by"),
        answer=row.get("answer"),
        late=row.get("late") == "true",
        repair_key=repair_key,
    )


class Objections:
    def __init__(self, ctx: Context, lifecycle: Lifecycle) -> None:
        self.ctx = ctx
        self.lc = lifecycle

    async def file(
        self, agency: str, role: str, entry_id: str, on: dt.date, grounds: str
    ) -> ObjectionView:
        """Record a subject's written objection (received by the deciding agency or the
        credit office); the answer is due within the configured number of days."""
        grounds = need_text("grounds", grounds)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            case = await self.lc.load(run, entry_id)
            self.lc.authorise(actor, case)
            self.lc.check_date(case, on)
            case = await self.lc.expire_if_due(run, case, on)
            self.lc.require_state(case, ("notified", "active"), "an objection")
            pending = await run(
                wq.select("Objection", ("entry_id", "state")),
                {"entry_id": entry_id, "state": "filed"},
            )
            if pending:
                raise WorkflowError("entry_id", "an objection to this entry is already open")
            due = on + dt.timedelta(days=self.ctx.config.listing.objection_answer_days)
            row: Row = {
                "objection_key": new_key("ob"),
                "entry_id": entry_id,
                "agency": case.decided_by,
                "filed_on": iso(on),
                "grounds": grounds,
                "due_on": iso(due),
                "state": "filed",
                "answered_on": None,
                "answered_by": None,
                "answer": None,
                "late": "false",
            }
            await run(wq.upsert("Objection"), {"rows": [row]})
            case = await self.lc.set_status(run, case, "under_objection", on)
            await self.lc.save(run, replace(case, last_step_on=iso(on)))
            await self.ctx.record(
                run,
                "list_entry",
                entry_id,
                "objection.filed",
                on,
                actor,
                grounds,
                row["objection_key"],
            )
        return _view(row)

    async def answer(
        self,
        agency: str,
        role: str,
        objection_key: str,
        on: dt.date,
        outcome: Outcome,
        answer: str,
        correction: Correction | None = None,
    ) -> ObjectionView:
        """The written answer. `upheld` keeps the entry as it was; `corrected` fixes or
        revokes it (per `correction`) and raises a repair request to the credit office."""
        answer = need_text("answer", answer)
        if outcome not in ("upheld", "corrected"):
            raise WorkflowError("outcome", "must be upheld or corrected")
        if outcome == "corrected" and correction is None:
            raise WorkflowError("correction", "a corrected entry says how it is fixed or revoked")
        if outcome == "upheld" and correction is not None:
            raise WorkflowError("correction", "an upheld entry is not corrected")
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            rows = await run(wq.get("Objection"), {"keys": [objection_key]})
            if not rows:
                raise WorkflowError("objection_key", f"no objection {objection_key!r}")
            row = rows[0]
            if row["state"] != "filed":
                raise WorkflowError("objection_key", f"the objection was answered ({row['state']})")
            case = await self.lc.load(run, row["entry_id"])
            self.lc.authorise(actor, case)
            self.lc.check_date(case, on)
            late = iso(on) > row["due_on"]
            repair_key = None
            if outcome == "upheld":
                if case.state == "active":
                    case = await self.lc.set_status(run, case, "active", on)
            else:
                assert correction is not None
                if correction.revoke:
                    case = await self.lc.set_status(run, case, "revoked", on)
                    case = replace(case, state="revoked")
                else:
                    case = self._correct(case, correction)
                    if case.entry is not None:
                        case = await self._write_correction(run, case)
                        case = await self.lc.set_status(run, case, "active", on)
                repair_key = new_key("rp")
                request = {
                    "repair_key": repair_key,
                    "entry_id": case.entry_id,
                    "kind": "correction",
                    "agency": case.decided_by,
                    "applied_on": iso(on),
                    "evidence": "[]",
                    "commitment_key": None,
                    "training": None,
                    "state": "requested",
                    "decided_on": None,
                    "decided_by": None,
                    "note": answer,
                }
                await run(wq.upsert("Repair"), {"rows": [request]})
            case = replace(case, last_step_on=iso(on))
            await self.lc.save(run, case)
            fields = ("state", "answered_on", "answered_by", "answer", "late")
            values = {
                "state": outcome,
                "answered_on": iso(on),
                "answered_by": actor.agency,
                "answer": answer,
                "late": "true" if late else "false",
            }
            await run(wq.update("Objection", fields), {"key": objection_key, **values})
            note = answer + (" (answered after the time limit)" if late else "")
            await self.ctx.record(
                run,
                "list_entry",
                case.entry_id,
                f"objection.{outcome}",
                on,
                actor,
                note,
                objection_key,
            )
            if repair_key:
                await self.ctx.record(
                    run,
                    "list_entry",
                    case.entry_id,
                    "repair.requested",
                    on,
                    actor,
                    answer,
                    repair_key,
                )
        return _view({**row, **values}, repair_key)

    @staticmethod
    def _correct(case: Case, correction: Correction) -> Case:
        if not (correction.reason or correction.basis or correction.severity):
            raise WorkflowError("correction", "names what is corrected, or revokes the entry")
        return replace(
            case,
            reason=need_text("correction.reason", correction.reason)
            if correction.reason
            else case.reason,
            basis=need_text("correction.basis", correction.basis)
            if correction.basis
            else case.basis,
            severity=correction.severity or case.severity,
        )

    async def _write_correction(self, run: Run, case: Case) -> Case:
        """Rewrite the published entry's corrected fields; validity stays within the new
        severity's maximum publicity."""
        assert case.entry is not None
        entry = dict(case.entry)
        entry.update(reason=case.reason, basis=case.basis, severity=case.severity)
        start = dt.date.fromisoformat(entry["valid_from"])
        cap = iso(
            period_end(
                start, self.ctx.config.publicity.period(case.list_type, case.severity).max_months
            )
        )
        if not entry.get("valid_until") or entry["valid_until"] > cap:
            entry["valid_until"] = cap
        fields = ("reason", "basis", "severity", "valid_until")
        await run(
            wq.update("ListEntry", fields), {"key": case.entry_id, **{f: entry[f] for f in fields}}
        )
        return replace(case, entry=entry)

    async def of_entry(self, entry_id: str) -> list[ObjectionView]:
        rows = await self.ctx.store.read(
            wq.select("Objection", ("entry_id",)), {"entry_id": entry_id}
        )
        return sorted((_view(r) for r in rows), key=lambda o: (o.filed_on, o.objection_key))

    async def overdue(self, today: dt.date) -> list[ObjectionView]:
        """Open objections whose written answer is past its time limit."""
        rows = await self.ctx.store.read(wq.select("Objection", ("state",)), {"state": "filed"})
        return sorted((_view(r) for r in rows if r["due_on"] < iso(today)), key=lambda o: o.due_on)
