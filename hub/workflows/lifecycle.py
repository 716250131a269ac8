"""The list lifecycle (名单管理) as a state machine with dates.

    proposed → notified → active → expired | revoked | repaired
        └──────────┴──────────┴──→ revoked

A case (ListCase) follows an entry from its proposal. The ListEntry node that the
sanctions engine and the API read exists only from the day the listing takes effect,
so nothing proposed or merely notified can ever apply. From then on its `status` and
`status_changed_on` are kept as the engine reads them (hub/sanctions/resolve.py):

| step                          | ListEntry.status   | status_changed_on      |
| ----------------------------- | ------------------ | ---------------------- |
| activated on D                | active             | D (valid_from = D)     |
| objection filed on D          | under_objection    | D                      |
| objection answered on D       | active / revoked   | D                      |
| repair approved on D          | repaired           | D                      |
| revoked on D                  | revoked            | D                      |
| publicity ends after day E    | expired            | E + 1 day              |

Entries that arrived by ingest (already active) are adopted into a case on their
first workflow step. Steps are dated and never go back before the case's last step.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, replace
from typing import Literal

from hub.graph.cypher_store import Run
from hub.graph.port import Row
from hub.identifiers import PersonId
from hub.records import ListKind, Severity
from hub.workflows import queries as wq
from hub.workflows.config import Publicity, add_months, period_end
from hub.workflows.context import Actor, Context, SubjectInput, iso, need_text, now_stamp
from hub.workflows.errors import WorkflowError
from hub.workflows.feedback import trigger_measures

State = Literal["proposed", "notified", "active", "expired", "revoked", "repaired"]
OPEN_STATES = ("proposed", "notified", "active")
_ENTRY_STATE = {
    "active": "active",
    "under_objection": "active",
    "repaired": "repaired",
    "revoked": "revoked",
    "expired": "expired",
}
LIST_SUBJECTS = {
    "black": ("institution", "person"),
    "focus": ("institution", "person"),
    "red": ("institution",),
    "medical_order": ("person",),
}


@dataclass(frozen=True, slots=True)
class Case:
    """One list entry's lifecycle; `entry` is the published ListEntry row, once active."""

    entry_id: str
    state: str
    list_type: str
    subject_kind: str
    subject_key: str
    reason: str
    basis: str
    severity: str
    decided_by: str
    violation_on: str | None
    proposed_on: str | None
    notified_on: str | None
    notice_ends: str | None
    validity_months: int
    responsible: tuple[str, ...]
    last_step_on: str
    entry: Row | None = None

    @property
    def entry_status(self) -> str | None:
        return self.entry["status"] if self.entry else None

    @property
    def valid_from(self) -> str | None:
        return self.entry["valid_from"] if self.entry else None

    @property
    def valid_until(self) -> str | None:
        return self.entry.get("valid_until") if self.entry else None

    def row(self) -> Row:
        return {
            "case_id": self.entry_id,
            "state": self.state,
            "list_type": self.list_type,
            "subject_kind": self.subject_kind,
            "subject_key": self.subject_key,
            "reason": self.reason,
            "basis": self.basis,
            "severity": self.severity,
            "decided_by": self.decided_by,
            "violation_on": self.violation_on,
            "proposed_on": self.proposed_on,
            "notified_on": self.notified_on,
            "notice_ends": self.notice_ends,
            "validity_months": str(self.validity_months),
            "responsible": json.dumps(list(self.responsible)),
            "last_step_on": self.last_step_on,
        }


def _case(row: Row, entry: Row | None) -> Case:
    return Case(
        entry_id=row["case_id"],
        state=row["state"],
        list_type=row["list_type"],
        subject_kind=row["subject_kind"],
        subject_key=row["subject_key"],
        reason=row["reason"],
        basis=row["basis"],
        severity=row["severity"],
        decided_by=row["decided_by"],
        violation_on=row.get("violation_on"),
        proposed_on=row.get("proposed_on"),
        notified_on=row.get("notified_on"),
        notice_ends=row.get("notice_ends"),
        validity_months=int(row["validity_months"]),
        responsible=tuple(json.loads(row.get("responsible") or "[]")),
        last_step_on=row["last_step_on"],
        entry=entry,
    )


def _adopt(entry: Row) -> Case:
    """A case for an entry that arrived by ingest: it starts where the entry stands."""
    status = entry.get("status") or "active"
    months = 0  # not used once active: the entry carries its own valid_until
    return Case(
        entry_id=entry["entry_id"],
        state=_ENTRY_STATE.get(status, "active"),
        list_type=entry["list_type"],
        subject_kind=entry["subject_kind"],
        subject_key=entry["subject_key"],
        reason=entry["reason"],
        basis=entry["basis"],
        severity=entry["severity"],
        decided_by=entry["decided_by"],
        violation_on=entry.get("violation_on"),
        proposed_on=None,
        notified_on=None,
        notice_ends=None,
        validity_months=months,
        responsible=(),
        last_step_on=entry.get("status_changed_on") or entry["decided_on"],
        entry=entry,
    )


def publicity_end(publicity: Publicity, entry: Row) -> dt.date:
    """Last day an entry is published: its validity, capped by the maximum publicity
    for its list and severity (publication stops by itself there)."""
    start = dt.date.fromisoformat(entry["valid_from"])
    cap = period_end(start, publicity.period(entry["list_type"], entry["severity"]).max_months)
    until = entry.get("valid_until")
    return min(cap, dt.date.fromisoformat(until)) if until else cap


@dataclass(frozen=True, slots=True)
class CaseView:
    """What a lifecycle step returns and `Lists.get` shows."""

    entry_id: str
    state: str
    entry_status: str | None
    list_type: str
    subject_kind: str
    subject_key: str
    severity: str
    decided_by: str
    proposed_on: str | None
    notified_on: str | None
    notice_ends: str | None
    valid_from: str | None
    valid_until: str | None
    publicity_ends: str | None
    repair_possible_from: str | None
    last_step_on: str


class Lifecycle:
    """State reading and writing shared by the lists, objections and repairs."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.publicity = ctx.config.publicity

    # --- reading -------------------------------------------------------------------------

    async def load(self, run: Run, entry_id: str) -> Case:
        cases = await run(wq.get("ListCase"), {"keys": [entry_id]})
        entries = await run(wq.get("ListEntry", provenance=True), {"keys": [entry_id]})
        entry = entries[0] if entries else None
        if cases:
            return _case(cases[0], entry)
        if entry is not None:
            return _adopt(entry)
        raise WorkflowError("entry_id", f"no list entry {entry_id!r}")

    def publicity_end(self, case: Case) -> dt.date | None:
        if case.entry is None:
            return None
        return publicity_end(self.publicity, case.entry)

    def repair_possible_from(self, case: Case) -> dt.date | None:
        if case.valid_from is None or case.list_type not in self.publicity.by_severity_lists:
            return None
        start = dt.date.fromisoformat(case.valid_from)
        return add_months(start, self.publicity.period(case.list_type, case.severity).min_months)

    def view(self, case: Case) -> CaseView:
        end = self.publicity_end(case)
        repair = self.repair_possible_from(case)
        return CaseView(
            entry_id=case.entry_id,
            state=case.state,
            entry_status=case.entry_status,
            list_type=case.list_type,
            subject_kind=case.subject_kind,
            subject_key=case.subject_key,
            severity=case.severity,
            decided_by=case.decided_by,
            proposed_on=case.proposed_on,
            notified_on=case.notified_on,
            notice_ends=case.notice_ends,
            valid_from=case.valid_from,
            valid_until=case.valid_until,
            publicity_ends=iso(end) if end else None,
            repair_possible_from=iso(repair) if repair else None,
            last_step_on=case.last_step_on,
        )

    # --- checks --------------------------------------------------------------------------

    @staticmethod
    def authorise(actor: Actor, case: Case) -> None:
        """Whoever decides is responsible (谁评定、谁负责): that agency or the credit office."""
        if actor.agency != case.decided_by and actor.kind != "credit_office":
            raise WorkflowError(
                "agency",
                f"entry {case.entry_id} was decided by {case.decided_by}; only that agency "
                "or the credit office acts on it",
            )

    @staticmethod
    def check_date(case: Case, on: dt.date) -> None:
        if iso(on) < case.last_step_on:
            raise WorkflowError(
                "on", f"{iso(on)} is before the entry's last step on {case.last_step_on}"
            )

    @staticmethod
    def require_state(case: Case, allowed: tuple[str, ...], step: str) -> None:
        if case.state not in allowed:
            raise WorkflowError(
                "entry_id",
                f"entry {case.entry_id} is {case.state}; {step} needs it {' or '.join(allowed)}",
            )

    async def expire_if_due(self, run: Run, case: Case, on: dt.date) -> Case:
        """An active entry whose publicity ended before `on` expires first (automatically)."""
        end = self.publicity_end(case)
        if case.state != "active" or end is None or end >= on:
            return case
        return await self.expire(run, case, end + dt.timedelta(days=1))

    # --- writing -------------------------------------------------------------------------

    async def save(self, run: Run, case: Case) -> None:
        await run(wq.upsert("ListCase"), {"rows": [case.row()]})

    async def set_status(self, run: Run, case: Case, status: str, on: dt.date) -> Case:
        """Set the published entry's status as the engine reads it (no-op before it exists)."""
        if case.entry is None:
            return case
        await run(
            wq.ENTRY_STATUS,
            {"key": case.entry_id, "status": status, "changed_on": iso(on), "now": now_stamp()},
        )
        return replace(case, entry={**case.entry, "status": status, "status_changed_on": iso(on)})

    async def expire(self, run: Run, case: Case, on: dt.date) -> Case:
        case = await self.set_status(run, case, "expired", on)
        case = replace(case, state="expired", last_step_on=max(case.last_step_on, iso(on)))
        await self.save(run, case)
        end = self.publicity_end(case)
        note = f"publicity ended on {iso(end)}" if end else "publicity ended"
        await self.ctx.record(run, "list_entry", case.entry_id, "entry.expired", on, None, note)
        return case


class Lists:
    """The listing steps: propose, notify, activate, revoke, expire."""

    def __init__(self, ctx: Context, lifecycle: Lifecycle) -> None:
        self.ctx = ctx
        self.lc = lifecycle
        self.rules = ctx.config.listing

    async def get(self, entry_id: str) -> CaseView:
        return self.lc.view(await self.lc.load(self.ctx.store.read, entry_id))

    async def propose(
        self,
        agency: str,
        role: str,
        subject: SubjectInput,
        list_type: ListKind,
        reason: str,
        basis: str,
        severity: Severity,
        on: dt.date,
        violation_on: dt.date | None = None,
        validity_months: int | None = None,
        responsible: tuple[PersonId, ...] = (),
        entry_id: str | None = None,
        note: str = "",
    ) -> CaseView:
        """Propose a listing; the proposing agency is the deciding agency (decided_by)."""
        reason = need_text("reason", reason)
        basis = need_text("basis", basis)  # no listing without a legal basis
        if list_type not in LIST_SUBJECTS:
            raise WorkflowError("list_type", "must be black, red, medical_order or focus")
        if severity not in ("minor", "ordinary", "serious"):
            raise WorkflowError("severity", "must be minor, ordinary or serious")
        ref = self.ctx.subject(subject)
        if ref.kind not in LIST_SUBJECTS[list_type]:
            raise WorkflowError(
                "subject", f"the {list_type} list takes {LIST_SUBJECTS[list_type][0]}s"
            )
        if violation_on is not None and violation_on > on:
            raise WorkflowError("violation_on", "is after the proposal date")
        longest = self.ctx.config.publicity.period(list_type, severity).max_months
        months = (
            min(self.rules.default_validity_months, longest)
            if validity_months is None
            else validity_months
        )
        if months < 1:
            raise WorkflowError("validity_months", "is at least 1")
        if months > longest:
            raise WorkflowError(
                "validity_months",
                f"{months} months exceeds the maximum publicity of {longest} months "
                f"for a {severity} record on the {list_type} list",
            )
        if responsible and ref.kind != "institution":
            raise WorkflowError(
                "responsible", "only an institution's entry names responsible persons"
            )
        entry_id = entry_id or f"WF-{on.year}-{agency.upper()}-{_short_id()}"
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            await self.ctx.require_subject(run, ref)
            pkeys = []
            for i, person in enumerate(responsible):
                pref = self.ctx.subject(person)
                await self.ctx.require_subject(run, pref, f"responsible.{i}")
                pkeys.append(pref.key)
            taken = await run(wq.get("ListCase"), {"keys": [entry_id]})
            if taken or await run(wq.get("ListEntry"), {"keys": [entry_id]}):
                raise WorkflowError("entry_id", f"{entry_id} exists already")
            case = Case(
                entry_id=entry_id,
                state="proposed",
                list_type=list_type,
                subject_kind=ref.kind,
                subject_key=ref.key,
                reason=reason,
                basis=basis,
                severity=severity,
                decided_by=actor.agency,
                violation_on=iso(violation_on) if violation_on else None,
                proposed_on=iso(on),
                notified_on=None,
                notice_ends=None,
                validity_months=months,
                responsible=tuple(sorted(set(pkeys))),
                last_step_on=iso(on),
            )
            await self.lc.save(run, case)
            await self.ctx.record(
                run, "list_entry", entry_id, "entry.proposed", on, actor, note, detail=list_type
            )
        return self.lc.view(case)

    async def notify(
        self, agency: str, role: str, entry_id: str, on: dt.date, note: str = ""
    ) -> CaseView:
        """Tell the subject the reason, the basis and the right to object (告知)."""
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            case = await self.lc.load(run, entry_id)
            self.lc.authorise(actor, case)
            self.lc.require_state(case, ("proposed",), "notifying the subject")
            self.lc.check_date(case, on)
            ends = on + dt.timedelta(days=self.rules.notice_days[case.list_type])  # type: ignore[index]
            case = replace(
                case,
                state="notified",
                notified_on=iso(on),
                notice_ends=iso(ends),
                last_step_on=iso(on),
            )
            await self.lc.save(run, case)
            notice = (
                f"拟列入{case.list_type}名单。事由：{case.reason}；依据：{case.basis}；"
                f"可于{iso(ends)}前提出书面异议，{iso(ends)}起方可生效。"
            )
            await self.ctx.record(
                run, "list_entry", entry_id, "entry.notified", on, actor, note or notice, iso(ends)
            )
        return self.lc.view(case)

    async def activate(
        self, agency: str, role: str, entry_id: str, on: dt.date, note: str = ""
    ) -> CaseView:
        """The listing takes effect on `on`: not before the notice period ends, and not
        while an objection is unanswered. Triggers the measures' enforcing agencies."""
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            case = await self.lc.load(run, entry_id)
            self.lc.authorise(actor, case)
            self.lc.require_state(case, ("notified",), "taking effect")
            self.lc.check_date(case, on)
            if case.notice_ends is None or iso(on) < case.notice_ends:
                raise WorkflowError(
                    "on",
                    f"the notice period runs until {case.notice_ends}; "
                    "the listing cannot take effect before",
                )
            pending = await run(
                wq.select("Objection", ("entry_id", "state")),
                {"entry_id": entry_id, "state": "filed"},
            )
            if pending:
                raise WorkflowError("entry_id", "an objection is awaiting its written answer")
            entry = {
                "entry_id": entry_id,
                "list_type": case.list_type,
                "reason": case.reason,
                "basis": case.basis,
                "severity": case.severity,
                "decided_by": case.decided_by,
                "violation_on": case.violation_on,
                "decided_on": iso(on),
                "valid_from": iso(on),
                "valid_until": iso(period_end(on, case.validity_months)),
                "status": "active",
                "status_changed_on": iso(on),
                "subject_kind": case.subject_kind,
                "subject_key": case.subject_key,
                "src_agency": case.decided_by,
                "src_record": f"workflow:{entry_id}",
            }
            await run(
                wq.upsert("ListEntry", provenance=True), {"rows": [entry], "now": now_stamp()}
            )
            link = (
                wq.ENTRY_TO_INSTITUTION
                if case.subject_kind == "institution"
                else (wq.ENTRY_TO_PERSON)
            )
            await run(link, {"rows": [{"key": entry_id, "subject_key": case.subject_key}]})
            if case.responsible:
                rows = [
                    {"entry_id": entry_id, "pkey": p, "role": "directly_responsible"}
                    for p in case.responsible
                ]
                await run(wq.ENTRY_RESPONSIBLE, {"rows": rows})
            case = replace(case, state="active", last_step_on=iso(on), entry=entry)
            await self.lc.save(run, case)
            await self.ctx.record(
                run, "list_entry", entry_id, "entry.activated", on, actor, note, case.list_type
            )
            await trigger_measures(self.ctx, run, entry, on, actor)
        return self.lc.view(case)

    async def revoke(
        self, agency: str, role: str, entry_id: str, on: dt.date, reason: str
    ) -> CaseView:
        """Withdraw a proposal or end a listing on `on` (撤销)."""
        reason = need_text("reason", reason)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            case = await self.lc.load(run, entry_id)
            self.lc.authorise(actor, case)
            self.lc.check_date(case, on)
            case = await self.lc.expire_if_due(run, case, on)
            self.lc.require_state(case, OPEN_STATES, "revoking")
            case = await self.lc.set_status(run, case, "revoked", on)
            case = replace(case, state="revoked", last_step_on=iso(on))
            await self.lc.save(run, case)
            await self.ctx.record(run, "list_entry", entry_id, "entry.revoked", on, actor, reason)
        return self.lc.view(case)

    async def expire_due(self, today: dt.date) -> list[str]:
        """Expire every active entry whose publicity ended before `today` (the daily sweep):
        at its valid_until, or at the maximum publicity for its severity if that is earlier."""
        expired = []
        async with self.ctx.store.transaction() as run:
            rows = await run(wq.ENTRIES_BY_STATUS, {"statuses": ["active", "under_objection"]})
            for entry in rows:
                case = await self.lc.load(run, entry["entry_id"])
                after = await self.lc.expire_if_due(run, case, today)
                if after.state == "expired" and case.state != "expired":
                    expired.append(case.entry_id)
        return sorted(expired)


def _short_id() -> str:
    return uuid.uuid4().hex[:8].upper()
