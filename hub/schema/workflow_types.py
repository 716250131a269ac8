"""GraphQL types of the workflows (issue 6): evaluation, commitments, the list lifecycle
with objections and repairs, interviews, feedback, publication, statements, statistics.

Subjects appear as a USCC or a person's opaque reference (never a graph key, never an
ID number). Dates are ISO dates.
"""

from __future__ import annotations

import builtins
import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from hub.personal_data import Keyring
from hub.resolvers.context import HubContext
from hub.schema.enums import EntryStatus, Grade, ListKind, Severity, SubjectKind
from hub.schema.types import SubjectInput
from hub.workflows import commitments as wc
from hub.workflows import context as wctx
from hub.workflows import evaluation as we
from hub.workflows import feedback as wfb
from hub.workflows import interviews as wi
from hub.workflows import lifecycle as wl
from hub.workflows import objections as wo
from hub.workflows import publication as wp
from hub.workflows import repair as wr
from hub.workflows import statistics as ws
from hub.workflows import verification as wv
from hub.workflows.config import CommitmentTemplate as TemplateModel

Info = strawberry.Info[HubContext, None]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


# --- enums -------------------------------------------------------------------------------


@strawberry.enum
class ListCaseState(Enum):
    PROPOSED = "proposed"
    NOTIFIED = "notified"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REPAIRED = "repaired"


@strawberry.enum
class ObjectionOutcome(Enum):
    UPHELD = "upheld"
    CORRECTED = "corrected"


@strawberry.enum
class ObjectionState(Enum):
    FILED = "filed"
    UPHELD = "upheld"
    CORRECTED = "corrected"


@strawberry.enum
class RepairKind(Enum):
    CREDIT_REPAIR = "credit_repair"
    CORRECTION = "correction"


@strawberry.enum
class RepairState(Enum):
    APPLIED = "applied"
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


@strawberry.enum
class FeedbackOutcome(Enum):
    APPLIED = "applied"
    NOT_APPLIED = "not_applied"


@strawberry.enum
class InterviewKind(Enum):
    PROMPT = "prompt"  # 提示约谈
    WARNING = "warning"  # 警示约谈


@strawberry.enum
class StatementStatus(Enum):
    INVALID = "invalid"
    CURRENT = "current"
    OUTDATED = "outdated"


# --- inputs ------------------------------------------------------------------------------


@strawberry.input(description="One evaluation area's score, 0–100 (areas: `workflowRules`).")
class AreaScoreInput:
    area: str
    score: float


@strawberry.input(description="A listing proposal; the proposing agency is the deciding agency.")
class ProposeListingInput:
    subject: SubjectInput
    list: ListKind
    reason: str
    basis: str
    severity: Severity
    violation_on: dt.date | None = None
    validity_months: int | None = None
    responsible: builtins.list[SubjectInput] = strawberry.field(default_factory=list)
    entry_id: str | None = None
    note: str = ""


@strawberry.input(
    description="How a corrected entry is fixed: revoked, or new reason/basis/severity."
)
class CorrectionInput:
    revoke: bool = False
    reason: str | None = None
    basis: str | None = None
    severity: Severity | None = None


# --- shared ------------------------------------------------------------------------------


@strawberry.type(description="An institution (uscc) or a person (opaque reference).")
class WorkflowSubject:
    kind: SubjectKind
    uscc: str | None
    person_ref: str | None

    @classmethod
    def of(cls, kind: str, key: str, keyring: Keyring) -> WorkflowSubject:
        if kind == "person":
            return cls(kind=SubjectKind.PERSON, uscc=None, person_ref=keyring.person_ref(key))
        return cls(kind=SubjectKind.INSTITUTION, uscc=key, person_ref=None)


@strawberry.type(description="One recorded step: date, acting agency and role, note.")
class HistoryEvent:
    action: str
    on: dt.date
    agency: str
    role: str
    detail: str
    note: str
    recorded_at: str

    @classmethod
    def of(cls, e: wctx.HistoryEvent) -> HistoryEvent:
        return cls(
            action=e.action,
            on=_day(e.on),
            agency=e.agency,
            role=e.role,
            detail=e.detail,
            note=e.note,
            recorded_at=e.recorded_at,
        )


# --- evaluation --------------------------------------------------------------------------


@strawberry.type
class EvaluationResult:
    key: str
    uscc: str
    year: int
    grade: Grade
    average: float
    tier: str
    inspections_per_year: int

    @classmethod
    def of(cls, r: we.EvaluationResult) -> EvaluationResult:
        return cls(
            key=r.ev_key,
            uscc=r.uscc,
            year=r.year,
            grade=Grade(r.grade),
            average=r.average,
            tier=r.tier,
            inspections_per_year=r.inspections_per_year,
        )


@strawberry.type(description="A grade lowered after a violation (published).")
class Downgrade:
    key: str
    uscc: str
    year: int
    from_grade: Grade
    to_grade: Grade
    on: dt.date
    agency: str
    severity: Severity
    reason: str

    @classmethod
    def of(cls, d: we.Downgrade) -> Downgrade:
        return cls(
            key=d.downgrade_key,
            uscc=d.uscc,
            year=d.year,
            from_grade=Grade(d.from_grade),
            to_grade=Grade(d.to_grade),
            on=_day(d.on),
            agency=d.agency,
            severity=Severity(d.severity),
            reason=d.reason,
        )


@strawberry.type(description="A violation kept as a credit record, and the downgrade if any.")
class ViolationResult:
    uscc: str
    on: dt.date
    severity: Severity
    downgrade: Downgrade | None


@strawberry.type
class SupervisionPlanRow:
    uscc: str
    name: str | None
    grade: Grade | None
    evaluation_year: int | None
    tier: str
    tier_name: str
    inspections_per_year: int

    @classmethod
    def of(cls, p: we.PlanRow) -> SupervisionPlanRow:
        return cls(
            uscc=p.uscc,
            name=p.name,
            grade=Grade(p.grade) if p.grade else None,
            evaluation_year=p.evaluation_year,
            tier=p.tier,
            tier_name=p.tier_name,
            inspections_per_year=p.inspections_per_year,
        )


# --- commitments -------------------------------------------------------------------------


@strawberry.type(description="A published standard commitment template (信用承诺书范本).")
class CommitmentTemplate:
    code: str
    title: str
    applies_to: str
    text: str

    @classmethod
    def of(cls, t: TemplateModel) -> CommitmentTemplate:
        return cls(code=t.code, title=t.title, applies_to=t.applies_to, text=t.text)


@strawberry.type
class SignedCommitment:
    key: str
    template: str
    subject: WorkflowSubject
    signed_on: dt.date
    kept: bool | None
    text: str

    @classmethod
    def of(cls, c: wc.SignedCommitment, keyring: Keyring) -> SignedCommitment:
        return cls(
            key=c.cm_key,
            template=c.template,
            subject=WorkflowSubject.of(c.subject_kind, c.subject_key, keyring),
            signed_on=_day(c.signed_on),
            kept=c.kept,
            text=c.text,
        )


# --- the list lifecycle ------------------------------------------------------------------


@strawberry.type(description="An objection (异议) to a list entry and its written answer.")
class Objection:
    key: str
    entry_id: str
    agency: str
    filed_on: dt.date
    grounds: str
    due_on: dt.date
    state: ObjectionState
    answered_on: dt.date | None
    answered_by: str | None
    answer: str | None
    late: bool
    repair_key: str | None

    @classmethod
    def of(cls, o: wo.ObjectionView) -> Objection:
        return cls(
            key=o.objection_key,
            entry_id=o.entry_id,
            agency=o.agency,
            filed_on=_day(o.filed_on),
            grounds=o.grounds,
            due_on=_day(o.due_on),
            state=ObjectionState(o.state),
            answered_on=_date(o.answered_on),
            answered_by=o.answered_by,
            answer=o.answer,
            late=o.late,
            repair_key=o.repair_key,
        )


@strawberry.type(description="A credit repair application (信用修复) or a correction request.")
class Repair:
    key: str
    entry_id: str
    kind: RepairKind
    agency: str
    applied_on: dt.date
    evidence: list[str]
    commitment_key: str | None
    training: str | None
    state: RepairState
    decided_on: dt.date | None
    decided_by: str | None
    note: str | None

    @classmethod
    def of(cls, r: wr.RepairView) -> Repair:
        return cls(
            key=r.repair_key,
            entry_id=r.entry_id,
            kind=RepairKind(r.kind),
            agency=r.agency,
            applied_on=_day(r.applied_on),
            evidence=list(r.evidence),
            commitment_key=r.commitment_key,
            training=r.training,
            state=RepairState(r.state),
            decided_on=_date(r.decided_on),
            decided_by=r.decided_by,
            note=r.note,
        )


@strawberry.type(description="An enforcing agency asked to apply a measure (发起).")
class MeasureTrigger:
    key: str
    entry_id: str
    measure: str
    agency: str
    subject: WorkflowSubject
    triggered_on: dt.date

    @classmethod
    def of(cls, t: wfb.Trigger, keyring: Keyring) -> MeasureTrigger:
        return cls(
            key=t.trigger_key,
            entry_id=t.entry_id,
            measure=t.measure,
            agency=t.agency,
            subject=WorkflowSubject.of(t.subject_kind, t.subject_key, keyring),
            triggered_on=_day(t.triggered_on),
        )


@strawberry.type(description="An enforcing agency's answer: applied on a date, or not and why.")
class FeedbackAnswer:
    key: str
    entry_id: str
    measure: str
    agency: str
    subject: WorkflowSubject
    outcome: FeedbackOutcome
    on: dt.date
    reason: str | None

    @classmethod
    def of(cls, a: wfb.FeedbackAnswer, keyring: Keyring) -> FeedbackAnswer:
        return cls(
            key=a.fb_key,
            entry_id=a.entry_id,
            measure=a.measure,
            agency=a.agency,
            subject=WorkflowSubject.of(a.subject_kind, a.subject_key, keyring),
            outcome=FeedbackOutcome(a.outcome),
            on=_day(a.on),
            reason=a.reason,
        )


@strawberry.type(description="A list entry's lifecycle: proposed → notified → active → …")
class ListCase:
    entry_id: str
    state: ListCaseState
    entry_status: EntryStatus | None
    list: ListKind
    subject: WorkflowSubject
    severity: Severity
    decided_by: str
    proposed_on: dt.date | None
    notified_on: dt.date | None
    notice_ends: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    publicity_ends: dt.date | None
    repair_possible_from: dt.date | None
    last_step_on: dt.date

    @classmethod
    def of(cls, v: wl.CaseView, keyring: Keyring) -> ListCase:
        return cls(
            entry_id=v.entry_id,
            state=ListCaseState(v.state),
            entry_status=EntryStatus(v.entry_status) if v.entry_status else None,
            list=ListKind(v.list_type),
            subject=WorkflowSubject.of(v.subject_kind, v.subject_key, keyring),
            severity=Severity(v.severity),
            decided_by=v.decided_by,
            proposed_on=_date(v.proposed_on),
            notified_on=_date(v.notified_on),
            notice_ends=_date(v.notice_ends),
            valid_from=_date(v.valid_from),
            valid_until=_date(v.valid_until),
            publicity_ends=_date(v.publicity_ends),
            repair_possible_from=_date(v.repair_possible_from),
            last_step_on=_day(v.last_step_on),
        )

    @strawberry.field(description="Every recorded step of this entry, in date order.")
    async def history(self, info: Info) -> builtins.list[HistoryEvent]:
        events = await info.context.services.workflows.history("list_entry", self.entry_id)
        return [HistoryEvent.of(e) for e in events]

    @strawberry.field
    async def objections(self, info: Info) -> builtins.list[Objection]:
        found = await info.context.services.workflows.objections.of_entry(self.entry_id)
        return [Objection.of(o) for o in found]

    @strawberry.field
    async def repairs(self, info: Info) -> builtins.list[Repair]:
        found = await info.context.services.workflows.repairs.of_entry(self.entry_id)
        return [Repair.of(r) for r in found]

    @strawberry.field(description="The enforcing agencies triggered by this entry.")
    async def triggers(self, info: Info) -> builtins.list[MeasureTrigger]:
        keyring = info.context.services.keyring
        found = await info.context.services.workflows.feedback.triggers(self.entry_id)
        return [MeasureTrigger.of(t, keyring) for t in found]

    @strawberry.field(description="The enforcing agencies' answers for this entry.")
    async def feedback(self, info: Info) -> builtins.list[FeedbackAnswer]:
        keyring = info.context.services.keyring
        found = await info.context.services.workflows.feedback.answers(self.entry_id)
        return [FeedbackAnswer.of(a, keyring) for a in found]


# --- interviews --------------------------------------------------------------------------


@strawberry.type(description="An order to rectify by a deadline (责令整改) and its interviews.")
class Rectification:
    key: str
    subject: WorkflowSubject
    agency: str
    ordered_on: dt.date
    deadline: dt.date
    reason: str
    rectified_on: dt.date | None
    interview_kind: InterviewKind | None
    interviewed_on: dt.date | None

    @classmethod
    def of(cls, r: wi.Rectification, keyring: Keyring) -> Rectification:
        return cls(
            key=r.rect_key,
            subject=WorkflowSubject.of(r.subject_kind, r.subject_key, keyring),
            agency=r.agency,
            ordered_on=_day(r.ordered_on),
            deadline=_day(r.deadline),
            reason=r.reason,
            rectified_on=_date(r.rectified_on),
            interview_kind=InterviewKind(r.interview_kind) if r.interview_kind else None,
            interviewed_on=_date(r.interviewed_on),
        )


@strawberry.type(description="A subject that did not rectify in time, and the interview due.")
class InterviewDue:
    rectification: Rectification
    subject_name: str | None
    days_overdue: int
    kind: InterviewKind

    @classmethod
    def of(cls, d: wi.InterviewDue, keyring: Keyring) -> InterviewDue:
        return cls(
            rectification=Rectification.of(d.rectification, keyring),
            subject_name=d.subject_name,
            days_overdue=d.days_overdue,
            kind=InterviewKind(d.kind),
        )


# --- feedback and statistics ---------------------------------------------------------------


@strawberry.type(description="Per measure and agency: triggered, applied, refused, unanswered.")
class FeedbackSummary:
    measure: str
    agency: str
    triggered: int
    applied: int
    refused: int
    unanswered: int

    @classmethod
    def of(cls, s: wfb.FeedbackSummary) -> FeedbackSummary:
        return cls(
            measure=s.measure,
            agency=s.agency,
            triggered=s.triggered,
            applied=s.applied,
            refused=s.refused,
            unanswered=s.unanswered,
        )


@strawberry.type
class ReportCount:
    name: str
    value: int


@strawberry.type
class AgencyCounts:
    agency: str
    counts: list[ReportCount]


def _counts(counts: dict[str, int]) -> list[ReportCount]:
    return [ReportCount(name=k, value=v) for k, v in sorted(counts.items())]


@strawberry.type(description="Counts for the periodic work report, by agency and in total.")
class WorkReport:
    start: dt.date = strawberry.field(name="from")
    end: dt.date = strawberry.field(name="to")
    by_agency: list[AgencyCounts]
    totals: list[ReportCount]

    @classmethod
    def of(cls, r: ws.WorkReport) -> WorkReport:
        return cls(
            start=_day(r.start),
            end=_day(r.end),
            by_agency=[AgencyCounts(agency=a, counts=_counts(c)) for a, c in r.by_agency.items()],
            totals=_counts(r.totals),
        )


# --- publication ---------------------------------------------------------------------------


@strawberry.type
class PublishedField:
    key: str
    label: str


@strawberry.type(description="One published row: exactly the fields the rules require.")
class PublishedEntry:
    list: str
    subject_name: str
    subject_id_type: str
    subject_id: str = strawberry.field(description="The USCC, or a masked ID number.")
    legal_representative_name: str
    legal_representative_id_type: str
    legal_representative_id: str = strawberry.field(description="Masked.")
    reason: str
    deciding_agency: str
    basis: str
    decided_on: str
    valid_from: str
    valid_until: str


@strawberry.type(description="The red/black list in publicity on a date (红黑榜).")
class PublishedList:
    title: str
    as_of: dt.date
    fields: list[PublishedField]
    entries: list[PublishedEntry]

    @classmethod
    def of(cls, t: wp.Table) -> PublishedList:
        return cls(
            title=t.title,
            as_of=_day(t.as_of),
            fields=[PublishedField(key=k, label=label) for k, label in t.fields],
            entries=[PublishedEntry(**{k: row[k] for k, _ in wp.LIST_FIELDS}) for row in t.rows],
        )


# --- public statements ---------------------------------------------------------------------


@strawberry.type
class StatementListing:
    list: ListKind
    entry_id: str
    status: EntryStatus


@strawberry.type(description="What a notice-board statement asserts, as signed.")
class StatementFacts:
    uscc: str
    name: str | None
    grade: Grade | None
    grade_year: int | None
    lists: list[StatementListing]
    as_of: dt.date
    serial: int

    @classmethod
    def of(cls, s: dict[str, Any]) -> StatementFacts:
        return cls(
            uscc=str(s.get("uscc")),
            name=s.get("name"),
            grade=Grade(s["grade"]) if s.get("grade") else None,
            grade_year=s.get("grade_year"),
            lists=[
                StatementListing(
                    list=ListKind(x["list"]), entry_id=x["entry"], status=EntryStatus(x["status"])
                )
                for x in s.get("lists") or []
            ],
            as_of=_day(str(s.get("as_of"))),
            serial=int(s.get("serial") or 0),
        )


@strawberry.type(description="A signed statement for the QR code on the notice board.")
class PublicStatement:
    token: str
    url: str
    statement: StatementFacts

    @classmethod
    def of(cls, s: wv.IssuedStatement) -> PublicStatement:
        return cls(token=s.token, url=s.url, statement=StatementFacts.of(s.statement))

    @strawberry.field(description="The QR code of `url`, as SVG.")
    def qr_svg(self) -> str:
        return wv.qr_svg(self.url).decode("utf-8")


@strawberry.type(description="Does the signature hold, and is the statement still current?")
class StatementVerification:
    status: StatementStatus
    valid: bool
    current: bool
    reason: str
    statement: StatementFacts | None

    @classmethod
    def of(cls, r: wv.VerificationResult) -> StatementVerification:
        return cls(
            status=StatementStatus(r.status),
            valid=r.valid,
            current=r.current,
            reason=r.reason,
            statement=StatementFacts.of(r.statement) if r.statement else None,
        )
