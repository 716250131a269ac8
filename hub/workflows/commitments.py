"""Credit commitments (信用承诺): published templates, signed commitments, kept or breached.

A signed commitment is a Commitment node (the one ingest writes and the API reads), its
text the template's. Marking it breached writes a credit record about the subject.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hub.graph.cypher_store import Run
from hub.graph.port import Row
from hub.workflows import queries as wq
from hub.workflows.config import CommitmentTemplate
from hub.workflows.context import (
    Actor,
    Context,
    SubjectInput,
    SubjectRef,
    iso,
    need_text,
    new_key,
    now_stamp,
)
from hub.workflows.errors import WorkflowError

_PREFIX = "wf-cm/"


@dataclass(frozen=True, slots=True)
class SignedCommitment:
    cm_key: str
    template: str
    subject_kind: str
    subject_key: str
    signed_on: str
    kept: bool | None
    text: str


def template_of(cm_key: str) -> str:
    """The template code of a commitment signed through the workflows ('' otherwise)."""
    return cm_key.split("/")[1] if cm_key.startswith(_PREFIX) else ""


def _commitment(row: Row) -> SignedCommitment:
    kept = row.get("kept")
    return SignedCommitment(
        cm_key=row["cm_key"],
        template=template_of(row["cm_key"]),
        subject_kind=row["subject_kind"],
        subject_key=row["subject_key"],
        signed_on=row["signed_on"],
        kept=None if kept is None else kept == "true",
        text=row["text"],
    )


class Commitments:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def templates(self) -> list[CommitmentTemplate]:
        """The published standard templates (信用承诺书范本)."""
        return list(self.ctx.config.commitment_template)

    async def sign(
        self,
        agency: str,
        role: str,
        subject: SubjectInput,
        template: str,
        on: dt.date,
        note: str = "",
    ) -> SignedCommitment:
        """Record that `subject` signed the standard commitment `template` on `on`."""
        ref = self.ctx.subject(subject)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            return await self.sign_in(run, actor, ref, template, on, note)

    async def sign_in(
        self, run: Run, actor: Actor, ref: SubjectRef, template: str, on: dt.date, note: str = ""
    ) -> SignedCommitment:
        """Sign within a running step (a repair application signs its commitment so)."""
        found = self.ctx.config.template(template)
        if found is None:
            raise WorkflowError("template", f"no published commitment template {template!r}")
        if not found.fits(ref.kind):
            raise WorkflowError("template", f"{template} is signed by {found.applies_to} subjects")
        await self.ctx.require_subject(run, ref)
        query = (
            wq.COMMITMENTS_OF_INSTITUTIONS
            if ref.kind == "institution"
            else (wq.COMMITMENTS_OF_PERSONS)
        )
        for row in await run(query, {"keys": [ref.key]}):
            if template_of(row["cm_key"]) == template and row.get("kept") is None:
                raise WorkflowError(
                    "template",
                    f"the subject signed {template} on {row['signed_on']} and it is still open",
                )
        cm_key = f"{_PREFIX}{template}/{new_key('cm')}"
        row = {
            "cm_key": cm_key,
            "subject_kind": ref.kind,
            "subject_key": ref.key,
            "text": f"【{found.title}】{found.text}",
            "signed_on": iso(on),
            "kept": None,
            "src_agency": actor.agency,
            "src_record": cm_key,
        }
        await run(wq.upsert("Commitment", provenance=True), {"rows": [row], "now": now_stamp()})
        edge = (
            wq.COMMITMENT_TO_INSTITUTION if ref.kind == "institution" else (wq.COMMITMENT_TO_PERSON)
        )
        await run(edge, {"rows": [{"key": cm_key, "subject_key": ref.key}]})
        await self.ctx.record(
            run, "commitment", cm_key, "commitment.signed", on, actor, note, detail=template
        )
        return _commitment(row)

    async def mark(
        self,
        agency: str,
        role: str,
        cm_key: str,
        kept: bool,
        on: dt.date,
        note: str = "",
    ) -> SignedCommitment:
        """Mark a commitment kept or breached (once); a breach becomes a credit record."""
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            rows = await run(wq.get("Commitment", provenance=True), {"keys": [cm_key]})
            if not rows:
                raise WorkflowError("cm_key", f"no commitment {cm_key!r}")
            row = rows[0]
            if row.get("kept") is not None:
                state = "kept" if row["kept"] == "true" else "breached"
                raise WorkflowError("kept", f"the commitment is already marked {state}")
            if iso(on) < row["signed_on"]:
                raise WorkflowError("on", f"before the commitment was signed ({row['signed_on']})")
            if actor.agency != row.get("src_agency") and actor.kind != "credit_office":
                raise WorkflowError(
                    "agency", "only the agency that recorded it or the credit office marks it"
                )
            if not kept:
                note = need_text("note", note)
            value = "true" if kept else "false"
            await run(wq.update("Commitment", ("kept",)), {"key": cm_key, "kept": value})
            if not kept:
                credit = {
                    "credit_key": new_key("cr"),
                    "kind": "commitment_breach",
                    "subject_kind": row["subject_kind"],
                    "subject_key": row["subject_key"],
                    "agency": actor.agency,
                    "on_date": iso(on),
                    "note": note,
                    "source_key": cm_key,
                }
                await run(wq.upsert("CreditRecord"), {"rows": [credit]})
            action = "commitment.kept" if kept else "commitment.breached"
            await self.ctx.record(run, "commitment", cm_key, action, on, actor, note)
        return _commitment({**row, "kept": value})

    async def credit_records(self, subject: SubjectInput) -> list[Row]:
        """Credit records (breaches, violations) the workflows wrote about a subject."""
        ref = self.ctx.subject(subject)
        rows = await self.ctx.store.read(
            wq.select("CreditRecord", ("subject_kind", "subject_key")),
            {"subject_kind": ref.kind, "subject_key": ref.key},
        )
        return sorted(rows, key=lambda r: (r["on_date"], r["credit_key"]))
