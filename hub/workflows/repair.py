"""Credit repair (信用修复): after the minimum publicity period, with evidence and a
signed repair commitment (training optional); approved → the entry leaves publication
early (status `repaired` from that day) and the repair record is kept.

Repair requests raised by a corrected objection (kind `correction`) go to the credit
office, which acknowledges them through the same decision step.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from hub.graph.cypher_store import Run
from hub.graph.port import Row
from hub.workflows import queries as wq
from hub.workflows.commitments import Commitments, template_of
from hub.workflows.context import Actor, Context, SubjectRef, iso, need_text
from hub.workflows.context import new_key as _new_key
from hub.workflows.errors import WorkflowError
from hub.workflows.lifecycle import Case, Lifecycle


@dataclass(frozen=True, slots=True)
class RepairView:
    repair_key: str
    entry_id: str
    kind: str  # credit_repair | correction
    agency: str
    applied_on: str
    evidence: tuple[str, ...]
    commitment_key: str | None
    training: str | None
    state: str  # applied | requested | approved | refused
    decided_on: str | None
    decided_by: str | None
    note: str | None


def _view(row: Row) -> RepairView:
    return RepairView(
        repair_key=row["repair_key"],
        entry_id=row["entry_id"],
        kind=row["kind"],
        agency=row["agency"],
        applied_on=row["applied_on"],
        evidence=tuple(json.loads(row.get("evidence") or "[]")),
        commitment_key=row.get("commitment_key"),
        training=row.get("training"),
        state=row["state"],
        decided_on=row.get("decided_on"),
        decided_by=row.get("decided_by"),
        note=row.get("note"),
    )


class Repairs:
    def __init__(self, ctx: Context, lifecycle: Lifecycle, commitments: Commitments) -> None:
        self.ctx = ctx
        self.lc = lifecycle
        self.commitments = commitments

    async def apply(
        self,
        agency: str,
        role: str,
        entry_id: str,
        on: dt.date,
        evidence: list[str],
        commitment: bool,
        training: str | None = None,
        note: str = "",
    ) -> RepairView:
        """A subject's application, recorded by the deciding agency or the credit office.

        Refused (WorkflowError) before the minimum publicity period for the severity,
        without evidence of rectification, or without the signed repair commitment.
        """
        evidence = [need_text(f"evidence.{i}", e) for i, e in enumerate(evidence)]
        if not evidence:
            raise WorkflowError("evidence", "evidence that the behaviour was corrected is required")
        if not commitment:
            raise WorkflowError("commitment", "a credit repair needs a signed repair commitment")
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            case = await self.lc.load(run, entry_id)
            self.lc.authorise(actor, case)
            self.lc.check_date(case, on)
            case = await self.lc.expire_if_due(run, case, on)
            self.lc.require_state(case, ("active",), "a credit repair")
            await self._check_repairable(run, case, on)
            commitment_key = await self._repair_commitment(run, actor, case, on)
            row: Row = {
                "repair_key": _new_key("rp"),
                "entry_id": entry_id,
                "kind": "credit_repair",
                "agency": case.decided_by,
                "applied_on": iso(on),
                "evidence": json.dumps(evidence, ensure_ascii=False),
                "commitment_key": commitment_key,
                "training": (training or "").strip() or None,
                "state": "applied",
                "decided_on": None,
                "decided_by": None,
                "note": note or None,
            }
            await run(wq.upsert("Repair"), {"rows": [row]})
            await self.lc.save(run, replace(case, last_step_on=iso(on)))
            await self.ctx.record(
                run, "list_entry", entry_id, "repair.applied", on, actor, note, row["repair_key"]
            )
        return _view(row)

    async def _check_repairable(self, run: Run, case: Case, on: dt.date) -> None:
        if case.list_type not in self.ctx.config.publicity.by_severity_lists:
            raise WorkflowError("entry_id", f"{case.list_type}-list entries are not repaired")
        if case.entry_status == "under_objection":
            raise WorkflowError("entry_id", "an objection to this entry is awaiting its answer")
        earliest = self.lc.repair_possible_from(case)
        if earliest is not None and on < earliest:
            period = self.ctx.config.publicity.period(case.list_type, case.severity)
            raise WorkflowError(
                "on",
                f"a {case.severity} record can be repaired only after its minimum publicity "
                f"of {period.min_months} months: from {iso(earliest)}",
            )
        pending = await run(
            wq.select("Repair", ("entry_id", "state")),
            {"entry_id": case.entry_id, "state": "applied"},
        )
        if pending:
            raise WorkflowError("entry_id", "a repair application is awaiting its decision")

    async def _repair_commitment(self, run: Run, actor: Actor, case: Case, on: dt.date) -> str:
        """The subject's open repair commitment, or a newly signed one."""
        template = self.ctx.config.repair.commitment_template
        query = (
            wq.COMMITMENTS_OF_INSTITUTIONS
            if case.subject_kind == "institution"
            else (wq.COMMITMENTS_OF_PERSONS)
        )
        for row in await run(query, {"keys": [case.subject_key]}):
            if template_of(row["cm_key"]) == template and row.get("kept") is None:
                return str(row["cm_key"])
        ref = SubjectRef(
            "institution" if case.subject_kind == "institution" else "person", case.subject_key
        )
        signed = await self.commitments.sign_in(run, actor, ref, template, on, case.entry_id)
        return signed.cm_key

    async def decide(
        self,
        agency: str,
        role: str,
        repair_key: str,
        on: dt.date,
        approve: bool,
        note: str = "",
    ) -> RepairView:
        """Approve (the entry is `repaired` from `on`) or refuse (with the reason) an
        application; acknowledge or refuse a correction request."""
        if not approve:
            note = need_text("note", note)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            rows = await run(wq.get("Repair"), {"keys": [repair_key]})
            if not rows:
                raise WorkflowError("repair_key", f"no repair {repair_key!r}")
            row = rows[0]
            if row["state"] not in ("applied", "requested"):
                raise WorkflowError(
                    "repair_key", f"the repair was decided already ({row['state']})"
                )
            if iso(on) < row["applied_on"]:
                raise WorkflowError("on", f"before the application ({row['applied_on']})")
            case = await self.lc.load(run, row["entry_id"])
            if row["kind"] == "correction":
                if actor.kind != "credit_office" and actor.agency != case.decided_by:
                    raise WorkflowError(
                        "agency", "correction requests are decided by the credit office"
                    )
            else:
                self.lc.authorise(actor, case)
                self.lc.check_date(case, on)
                case = await self.lc.expire_if_due(run, case, on)
                if approve:
                    self.lc.require_state(case, ("active",), "approving a repair")
                    case = await self.lc.set_status(run, case, "repaired", on)
                    case = replace(case, state="repaired")
                await self.lc.save(run, replace(case, last_step_on=max(case.last_step_on, iso(on))))
            state = "approved" if approve else "refused"
            values = {
                "state": state,
                "decided_on": iso(on),
                "decided_by": actor.agency,
                "note": note,
            }
            await run(wq.update("Repair", tuple(values)), {"key": repair_key, **values})
            await self.ctx.record(
                run, "list_entry", case.entry_id, f"repair.{state}", on, actor, note, repair_key
            )
        return _view({**row, **values})

    async def of_entry(self, entry_id: str) -> list[RepairView]:
        rows = await self.ctx.store.read(wq.select("Repair", ("entry_id",)), {"entry_id": entry_id})
        return sorted((_view(r) for r in rows), key=lambda r: (r.applied_on, r.repair_key))
