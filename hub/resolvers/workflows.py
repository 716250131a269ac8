"""Resolvers of the workflows (issue 6): the mutations and the queries around them.

The acting agency is the caller's (the API key's agency); the history records the role
and key id (``credit_office/3fa2…``), which links a step to its access-log leaf. Every
step is logged with the purpose ``workflow: <mutation>`` and the subjects it concerns.

Dates: a step's `on` defaults to the hub's today. It is never in the future; an agency
may date a step back by at most ``HUB_WORKFLOW_BACKDATE_DAYS`` (30) days, the credit
office by any number (it enters paper files after the fact). The history keeps both the
step's date and the time it was recorded.

`WorkflowError(field, reason)` becomes a BAD_USER_INPUT error naming the GraphQL
argument (``entryId``, ``on``, ``scores.<area>`` …) and the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Iterable
from typing import Annotated, TypeVar

import strawberry

from hub.access.forbidden import Forbidden
from hub.access.roles import Role
from hub.identifiers import PersonId, Uscc
from hub.resolvers.inputs import subject_of
from hub.schema.enums import ListKind, Severity
from hub.schema.errors import BadInput
from hub.schema.types import Ctx, SubjectInput
from hub.schema.workflow_types import (
    AreaScoreInput,
    CommitmentTemplate,
    CorrectionInput,
    Downgrade,
    EvaluationResult,
    FeedbackAnswer,
    FeedbackOutcome,
    FeedbackSummary,
    InterviewDue,
    InterviewKind,
    ListCase,
    MeasureTrigger,
    Objection,
    ObjectionOutcome,
    ProposeListingInput,
    PublicStatement,
    PublishedList,
    Rectification,
    Repair,
    SignedCommitment,
    StatementVerification,
    SupervisionPlanRow,
    ViolationResult,
    WorkReport,
)
from hub.workflows import WorkflowError, WorkflowService
from hub.workflows.lifecycle import CaseView
from hub.workflows.objections import Correction

T = TypeVar("T")
From = Annotated[dt.date, strawberry.argument(name="from")]
To = Annotated[dt.date, strawberry.argument(name="to")]
OptFrom = Annotated[dt.date | None, strawberry.argument(name="from")]
OptTo = Annotated[dt.date | None, strawberry.argument(name="to")]

PUBLISHED_LISTS = ("red", "black")
MAX_SPAN_DAYS = 3 * 366 + 1  # reports and downgrades: at most about three years at once
MAX_TOKEN = 4096  # a statement token (the QR code holds far less)

# the service's field names that differ from the GraphQL argument
_FIELD_NAMES = {
    "cm_key": "commitmentKey",
    "rect_key": "rectificationKey",
    "list_type": "list",
    "subject": "subject",
}


def graphql_field(field: str) -> str:
    """The GraphQL name of a WorkflowError's field (first segment camel-cased)."""
    head, dot, rest = field.partition(".")
    name = _FIELD_NAMES.get(head) or re.sub(r"_([a-z])", lambda m: m.group(1).upper(), head)
    return f"{name}{dot}{rest}"


async def step(call: Awaitable[T], within: str = "") -> T:
    """Run one workflow call; its WorkflowError becomes BAD_USER_INPUT naming the field
    (prefixed by `within`, the input object the arguments came in, except `on`/`agency`)."""
    try:
        return await call
    except WorkflowError as err:
        name = graphql_field(err.field)
        if within and err.field not in ("on", "agency"):
            name = f"{within}.{name}"
        raise BadInput(name, err.reason) from None


# --- the caller, dates, the access log ------------------------------------------------------


def _wf(info: Ctx) -> WorkflowService:
    return info.context.services.workflows


def _today(info: Ctx) -> dt.date:
    return info.context.services.clock()


def _actor(info: Ctx) -> tuple[str, str]:
    """(agency, role as recorded in the history: ``<role>/<key id>``)."""
    p = info.context.access.principal
    return p.agency, f"{p.role.value}/{p.key_id}"


def step_date(info: Ctx, on: dt.date | None, name: str) -> dt.date:
    """The step's date: today by default; never in the future; back-dated within limits."""
    today = _today(info)
    access = info.context.access
    if on is None or on == today:
        access.purposes[f"workflow: {name}"] = None
        return today
    if on > today:
        raise BadInput("on", f"{on} is after today ({today}): a step is recorded once it happened")
    if access.principal.role is not Role.CREDIT_OFFICE:
        days = info.context.services.settings.workflow_backdate_days
        if (today - on).days > days:
            earliest = today - dt.timedelta(days=days)
            raise BadInput(
                "on",
                f"an agency may date a step back by at most {days} days (to {earliest}); "
                "older records are entered by the credit office",
            )
    access.purposes[f"workflow: {name} (dated {on})"] = None
    return on


def _note(info: Ctx, keys: Iterable[str | None]) -> None:
    info.context.access.note_subjects(keys)


def _subject_key(info: Ctx, subject: Uscc | PersonId) -> str:
    if isinstance(subject, Uscc):
        return subject.value
    return info.context.services.keyring.person_key(subject)


def _uscc(value: str, field: str = "uscc") -> Uscc:
    parsed = subject_of(SubjectInput(uscc=value), field)
    assert isinstance(parsed, Uscc)
    return parsed


async def _case(info: Ctx, entry_id: str) -> CaseView:
    return await step(_wf(info).lists.get(entry_id))


def _own_case(info: Ctx, case: CaseView) -> None:
    """An agency reads only the cases it decided (the credit office reads all)."""
    access = info.context.access
    principal = access.principal
    if principal.role is Role.AGENCY and case.decided_by != principal.agency:
        coordinate = f"Query.{info.field_name}"  # listCase, objections, repairs
        access.refused.append(coordinate)
        raise Forbidden(
            coordinate,
            Role.AGENCY,
            f"the agency role may not use {coordinate} beyond its own records: "
            f"entry {case.entry_id} was decided by {case.decided_by}",
        )


def _span(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise BadInput("to", "is before from")
    if (end - start).days > MAX_SPAN_DAYS:
        raise BadInput("to", f"at most {MAX_SPAN_DAYS} days after from")


# --- evaluation ---------------------------------------------------------------------------


async def record_evaluation(
    info: Ctx,
    uscc: str,
    year: int,
    scores: list[AreaScoreInput],
    on: dt.date | None = None,
    note: str = "",
) -> EvaluationResult:
    """Record a year's five area scores; the grade, tier and inspections follow."""
    day = step_date(info, on, "recordEvaluation")
    parsed = _uscc(uscc)
    values: dict[str, float] = {}
    for i, s in enumerate(scores):
        if s.area in values:
            raise BadInput(f"scores.{i}.area", f"{s.area} is scored twice")
        values[s.area] = s.score
    agency, role = _actor(info)
    _note(info, [parsed.value])
    result = await step(_wf(info).evaluations.record(agency, role, parsed, year, values, day, note))
    return EvaluationResult.of(result)


async def record_violation(
    info: Ctx, uscc: str, severity: Severity, reason: str, on: dt.date | None = None
) -> ViolationResult:
    """A violation found after the evaluation: kept as a credit record, and the grade in
    force lowered (1 step, 2 for serious); the downgrade is published."""
    day = step_date(info, on, "recordViolation")
    parsed = _uscc(uscc)
    agency, role = _actor(info)
    _note(info, [parsed.value])
    downgrade = await step(
        _wf(info).evaluations.record_violation(agency, role, parsed, day, severity.value, reason)
    )
    return ViolationResult(
        uscc=parsed.value,
        on=day,
        severity=severity,
        downgrade=Downgrade.of(downgrade) if downgrade else None,
    )


async def supervision_plan(
    info: Ctx, year: int, purpose: str | None = None
) -> list[SupervisionPlanRow]:
    """Every institution with its supervision tier and inspections for `year`."""
    if not 2000 <= year <= _today(info).year + 1:
        raise BadInput("year", f"between 2000 and {_today(info).year + 1}")
    plan = await _wf(info).evaluations.supervision_plan(year)
    _note(info, (p.uscc for p in plan))
    return [SupervisionPlanRow.of(p) for p in plan]


async def downgrades(info: Ctx, start: From, end: To) -> list[Downgrade]:
    """Grade downgrades decided in [from, to] (published: 降级公示)."""
    _span(start, end)
    found = await _wf(info).evaluations.downgrades(start, end)
    _note(info, (d.uscc for d in found))
    return [Downgrade.of(d) for d in found]


# --- commitments ----------------------------------------------------------------------------


def commitment_templates(info: Ctx) -> list[CommitmentTemplate]:
    """The published standard commitment templates."""
    return [CommitmentTemplate.of(t) for t in _wf(info).commitments.templates()]


async def sign_commitment(
    info: Ctx, subject: SubjectInput, template: str, on: dt.date | None = None, note: str = ""
) -> SignedCommitment:
    """Record that the subject signed a standard commitment."""
    day = step_date(info, on, "signCommitment")
    parsed = subject_of(subject)
    agency, role = _actor(info)
    _note(info, [_subject_key(info, parsed)])
    signed = await step(_wf(info).commitments.sign(agency, role, parsed, template, day, note))
    return SignedCommitment.of(signed, info.context.services.keyring)


async def mark_commitment(
    info: Ctx, commitment_key: str, kept: bool, on: dt.date | None = None, note: str = ""
) -> SignedCommitment:
    """Mark a commitment kept or breached (a breach needs a note; it becomes a credit record)."""
    day = step_date(info, on, "markCommitment")
    agency, role = _actor(info)
    marked = await step(_wf(info).commitments.mark(agency, role, commitment_key, kept, day, note))
    _note(info, [marked.subject_key])
    return SignedCommitment.of(marked, info.context.services.keyring)


# --- the list lifecycle ---------------------------------------------------------------------


def _case_out(info: Ctx, view: CaseView) -> ListCase:
    _note(info, [view.subject_key])
    return ListCase.of(view, info.context.services.keyring)


async def propose_listing(
    info: Ctx, input: ProposeListingInput, on: dt.date | None = None
) -> ListCase:
    """Propose a listing; the caller's agency becomes the deciding agency."""
    day = step_date(info, on, "proposeListing")
    subject = subject_of(input.subject, "input.subject")
    responsible: list[PersonId] = []
    for i, r in enumerate(input.responsible):
        person = subject_of(r, f"input.responsible.{i}")
        if not isinstance(person, PersonId):
            raise BadInput(f"input.responsible.{i}", "a responsible person: idType and idNumber")
        responsible.append(person)
    agency, role = _actor(info)
    _note(info, [_subject_key(info, subject), *(_subject_key(info, p) for p in responsible)])
    view = await step(
        _wf(info).lists.propose(
            agency,
            role,
            subject,
            input.list.value,
            input.reason,
            input.basis,
            input.severity.value,
            day,
            violation_on=input.violation_on,
            validity_months=input.validity_months,
            responsible=tuple(responsible),
            entry_id=(input.entry_id or "").strip() or None,
            note=input.note,
        ),
        within="input",
    )
    return _case_out(info, view)


async def notify_listing(
    info: Ctx, entry_id: str, on: dt.date | None = None, note: str = ""
) -> ListCase:
    """Tell the subject the reason, the basis and the right to object; the notice runs."""
    day = step_date(info, on, "notifyListing")
    agency, role = _actor(info)
    return _case_out(info, await step(_wf(info).lists.notify(agency, role, entry_id, day, note)))


async def activate_listing(
    info: Ctx, entry_id: str, on: dt.date | None = None, note: str = ""
) -> ListCase:
    """The listing takes effect (not before the notice ends nor with an objection open)."""
    day = step_date(info, on, "activateListing")
    agency, role = _actor(info)
    return _case_out(info, await step(_wf(info).lists.activate(agency, role, entry_id, day, note)))


async def revoke_listing(
    info: Ctx, entry_id: str, reason: str, on: dt.date | None = None
) -> ListCase:
    """Withdraw a proposal or end a listing (撤销)."""
    day = step_date(info, on, "revokeListing")
    agency, role = _actor(info)
    return _case_out(info, await step(_wf(info).lists.revoke(agency, role, entry_id, day, reason)))


async def expire_listings(info: Ctx, on: dt.date | None = None) -> list[str]:
    """The expiry sweep: every entry whose publicity ended before `on` expires."""
    day = step_date(info, on, "expireListings")
    expired = await step(_wf(info).lists.expire_due(day))
    for entry_id in expired:
        _note(info, [(await _case(info, entry_id)).subject_key])
    return expired


async def list_case(info: Ctx, entry_id: str, purpose: str | None = None) -> ListCase:
    """One entry's lifecycle with its history, objections, repairs and feedback."""
    case = await _case(info, entry_id)
    _own_case(info, case)
    return _case_out(info, case)


async def file_objection(
    info: Ctx, entry_id: str, grounds: str, on: dt.date | None = None
) -> Objection:
    """Record a subject's written objection (filed by the credit office on its behalf)."""
    day = step_date(info, on, "fileObjection")
    agency, role = _actor(info)
    filed = await step(_wf(info).objections.file(agency, role, entry_id, day, grounds))
    _note(info, [(await _case(info, entry_id)).subject_key])
    return Objection.of(filed)


async def answer_objection(
    info: Ctx,
    objection_key: str,
    outcome: ObjectionOutcome,
    answer: str,
    correction: CorrectionInput | None = None,
    on: dt.date | None = None,
) -> Objection:
    """The written answer: upheld (kept on record) or corrected (fixed or revoked, and a
    repair request to the credit office)."""
    day = step_date(info, on, "answerObjection")
    agency, role = _actor(info)
    fix = (
        Correction(
            revoke=correction.revoke,
            reason=correction.reason,
            basis=correction.basis,
            severity=correction.severity.value if correction.severity else None,
        )
        if correction is not None
        else None
    )
    answered = await step(
        _wf(info).objections.answer(
            agency,
            role,
            objection_key,
            day,
            outcome.value,
            answer,
            fix,
        )
    )
    _note(info, [(await _case(info, answered.entry_id)).subject_key])
    return Objection.of(answered)


async def objections(info: Ctx, entry_id: str, purpose: str | None = None) -> list[Objection]:
    """The objections to an entry and their answers."""
    case = await _case(info, entry_id)
    _own_case(info, case)
    _note(info, [case.subject_key])
    return [Objection.of(o) for o in await _wf(info).objections.of_entry(entry_id)]


async def apply_for_repair(
    info: Ctx,
    entry_id: str,
    evidence: list[str],
    commitment: bool,
    training: str | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> Repair:
    """A subject's credit repair application (recorded by the credit office): only after
    the minimum publicity, with evidence and the signed repair commitment."""
    day = step_date(info, on, "applyForRepair")
    agency, role = _actor(info)
    applied = await step(
        _wf(info).repairs.apply(
            agency, role, entry_id, day, evidence, commitment, training=training, note=note
        )
    )
    _note(info, [(await _case(info, entry_id)).subject_key])
    return Repair.of(applied)


async def decide_repair(
    info: Ctx, repair_key: str, approve: bool, note: str = "", on: dt.date | None = None
) -> Repair:
    """Approve (the entry leaves publication that day) or refuse (with the reason)."""
    day = step_date(info, on, "decideRepair")
    agency, role = _actor(info)
    decided = await step(_wf(info).repairs.decide(agency, role, repair_key, day, approve, note))
    _note(info, [(await _case(info, decided.entry_id)).subject_key])
    return Repair.of(decided)


async def repairs(info: Ctx, entry_id: str, purpose: str | None = None) -> list[Repair]:
    """The repair applications and correction requests of an entry."""
    case = await _case(info, entry_id)
    _own_case(info, case)
    _note(info, [case.subject_key])
    return [Repair.of(r) for r in await _wf(info).repairs.of_entry(entry_id)]


# --- interviews -----------------------------------------------------------------------------


async def order_rectification(
    info: Ctx, subject: SubjectInput, deadline: dt.date, reason: str, on: dt.date | None = None
) -> Rectification:
    """Order a subject to rectify by a deadline (责令整改)."""
    day = step_date(info, on, "orderRectification")
    parsed = subject_of(subject)
    agency, role = _actor(info)
    _note(info, [_subject_key(info, parsed)])
    order = await step(_wf(info).interviews.order(agency, role, parsed, day, deadline, reason))
    return Rectification.of(order, info.context.services.keyring)


async def mark_rectified(
    info: Ctx, rectification_key: str, on: dt.date | None = None, note: str = ""
) -> Rectification:
    """The subject has rectified (checked by the ordering agency)."""
    day = step_date(info, on, "markRectified")
    agency, role = _actor(info)
    done = await step(_wf(info).interviews.rectified(agency, role, rectification_key, day, note))
    _note(info, [done.subject_key])
    return Rectification.of(done, info.context.services.keyring)


async def hold_interview(
    info: Ctx,
    rectification_key: str,
    kind: InterviewKind,
    on: dt.date | None = None,
    note: str = "",
) -> Rectification:
    """Record that a prompt or warning interview (提示/警示约谈) took place."""
    day = step_date(info, on, "holdInterview")
    agency, role = _actor(info)
    held = await step(
        _wf(info).interviews.held(
            agency,
            role,
            rectification_key,
            day,
            kind.value,
            note,
        )
    )
    _note(info, [held.subject_key])
    return Rectification.of(held, info.context.services.keyring)


async def interviews_due(
    info: Ctx, date: dt.date | None = None, purpose: str | None = None
) -> list[InterviewDue]:
    """Subjects not rectified by their deadline, and the interview due (an agency: the
    orders it gave; the credit office: all)."""
    due = await _wf(info).interviews.due(date or _today(info))
    principal = info.context.access.principal
    if principal.role is Role.AGENCY:
        due = [d for d in due if d.rectification.agency == principal.agency]
    _note(info, (d.rectification.subject_key for d in due))
    keyring = info.context.services.keyring
    return [InterviewDue.of(d, keyring) for d in due]


# --- feedback ---------------------------------------------------------------------------------


async def trigger_measures(
    info: Ctx, entry_id: str, on: dt.date | None = None
) -> list[MeasureTrigger]:
    """Trigger the enforcing agencies of an entry in force (e.g. one that came by ingest)."""
    day = step_date(info, on, "triggerMeasures")
    agency, role = _actor(info)
    found = await step(_wf(info).feedback.trigger(agency, role, entry_id, day))
    _note(info, [(await _case(info, entry_id)).subject_key, *(t.subject_key for t in found)])
    keyring = info.context.services.keyring
    return [MeasureTrigger.of(t, keyring) for t in found]


async def report_feedback(
    info: Ctx,
    entry_id: str,
    measure: str,
    outcome: FeedbackOutcome,
    reason: str | None = None,
    subject: SubjectInput | None = None,
    on: dt.date | None = None,
) -> FeedbackAnswer:
    """An enforcing agency's answer: the measure was applied on `on`, or not and why."""
    day = step_date(info, on, "reportFeedback")
    parsed = subject_of(subject) if subject is not None else None
    agency, role = _actor(info)
    answer = await step(
        _wf(info).feedback.report(
            agency,
            role,
            entry_id,
            measure,
            outcome.value,
            day,
            reason=reason,
            subject=parsed,
        )
    )
    _note(info, [answer.subject_key])
    return FeedbackAnswer.of(answer, info.context.services.keyring)


async def feedback_overview(
    info: Ctx, start: OptFrom = None, end: OptTo = None
) -> list[FeedbackSummary]:
    """Per measure and agency: triggered, applied, refused, never answered."""
    if start is not None and end is not None and end < start:
        raise BadInput("to", "is before from")
    return [FeedbackSummary.of(s) for s in await _wf(info).feedback.overview(start, end)]


# --- statistics, publication, statements ------------------------------------------------------


async def work_report(info: Ctx, start: From, end: To) -> WorkReport:
    """Counts for the periodic work report, by agency."""
    _span(start, end)
    return WorkReport.of(await _wf(info).statistics.report(start, end))


def published_as_of(today: dt.date, year: int | None, as_of: dt.date | None) -> dt.date:
    """The day a publication shows: the annual release of `year` (its last day, or today
    for the running year), `asOf`, or today."""
    if year is not None and as_of is not None:
        raise BadInput("year", "give year or asOf, not both")
    if year is not None:
        if not 2000 <= year <= today.year:
            raise BadInput("year", f"between 2000 and {today.year}")
        return min(dt.date(year, 12, 31), today)
    if as_of is not None:
        if as_of > today:
            raise BadInput("asOf", f"is after today ({today})")
        return as_of
    return today


def published_lists(lists: Iterable[str] | None) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(lists or PUBLISHED_LISTS))
    for name in chosen:
        if name not in PUBLISHED_LISTS:
            raise BadInput("lists", f"the published lists are {' and '.join(PUBLISHED_LISTS)}")
    return chosen


async def published_list(
    info: Ctx,
    year: int | None = None,
    as_of: dt.date | None = None,
    lists: list[ListKind] | None = None,
) -> PublishedList:
    """The red/black list as published: the annual release of `year`, or on `asOf`
    (default today). No clear ID number is ever part of it."""
    day = published_as_of(_today(info), year, as_of)
    chosen = published_lists(k.value for k in lists) if lists else PUBLISHED_LISTS
    table = await _wf(info).publication.lists(day, chosen)
    _note(info, table.subjects)
    return PublishedList.of(table)


async def issue_statement(info: Ctx, uscc: str, on: dt.date | None = None) -> PublicStatement:
    """Sign the institution's current grade and list status for its notice-board QR code."""
    day = step_date(info, on, "issueStatement")
    parsed = _uscc(uscc)
    agency, role = _actor(info)
    _note(info, [parsed.value])
    return PublicStatement.of(await step(_wf(info).statements.issue(agency, role, parsed, day)))


async def verify_statement(info: Ctx, token: str) -> StatementVerification:
    """Public: is a statement (its token or its URL) genuine, and still current today?"""
    if len(token) > MAX_TOKEN:
        raise BadInput("token", f"at most {MAX_TOKEN} characters")
    result = await _wf(info).statements.verify(token, _today(info))
    if result.statement is not None:
        _note(info, [str(result.statement.get("uscc"))])
    return StatementVerification.of(result)
