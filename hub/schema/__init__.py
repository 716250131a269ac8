"""The federation subgraph schema: the Query and Mutation types and the schema's limits."""

from __future__ import annotations

from typing import Any

import strawberry

from hub.resolvers import audit as audit_resolvers
from hub.resolvers import sanctions as sanction_resolvers
from hub.resolvers import subjects as subject_resolvers
from hub.resolvers import workflows as wf
from hub.schema.audit_types import (
    AuditCheckpoint,
    AuditConsistencyProof,
    AuditEntry,
    AuditEntryConnection,
    AuditInclusionProof,
)
from hub.schema.limits import QueryCache
from hub.schema.types import (
    Ctx,
    Institution,
    ListEntryConnection,
    Measure,
    Person,
    SanctionReport,
)
from hub.schema.workflow_types import (
    CommitmentTemplate,
    Downgrade,
    EvaluationResult,
    FeedbackAnswer,
    FeedbackSummary,
    InterviewDue,
    ListCase,
    MeasureTrigger,
    Objection,
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

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30


@strawberry.type
class Query:
    sanctions: SanctionReport = strawberry.field(
        resolver=sanction_resolvers.sanctions,
        description="Which measures apply to one subject on a date (default today), and why.",
    )
    screen: list[SanctionReport] = strawberry.field(
        resolver=sanction_resolvers.screen,
        description="`sanctions` for many subjects at once (at most HUB_SCREEN_MAX_SUBJECTS).",
    )
    institution: Institution | None = strawberry.field(resolver=subject_resolvers.institution)
    person: Person | None = strawberry.field(resolver=subject_resolvers.person)
    list_entries: ListEntryConnection = strawberry.field(resolver=subject_resolvers.list_entries)

    @strawberry.field(description="The measures catalogue in force.")
    def measures(self, info: Ctx) -> list[Measure]:
        return [Measure.of(m) for m in info.context.services.catalogue.measure]

    audit_entries: AuditEntryConnection = strawberry.field(
        resolver=audit_resolvers.audit_entries,
        description="The access log, oldest first (auditors).",
    )
    audit_checkpoint: AuditCheckpoint = strawberry.field(
        resolver=audit_resolvers.audit_checkpoint,
        description="A signed checkpoint covering every acknowledged entry.",
    )
    audit_inclusion_proof: AuditInclusionProof = strawberry.field(
        resolver=audit_resolvers.audit_inclusion_proof,
        description="Inclusion proof of a receipt's entry (default tree: the latest checkpoint).",
    )
    audit_consistency_proof: AuditConsistencyProof = strawberry.field(
        resolver=audit_resolvers.audit_consistency_proof,
        description="Consistency proof between two checkpoints' tree sizes.",
    )
    accesses_to: list[AuditEntry] = strawberry.field(
        resolver=audit_resolvers.accesses_to,
        description="Who accessed this subject, when and why (the credit office).",
    )

    # --- workflows (issue 6) -------------------------------------------------------------
    supervision_plan: list[SupervisionPlanRow] = strawberry.field(
        resolver=wf.supervision_plan,
        description="Every institution's supervision tier and inspections for a year.",
    )
    downgrades: list[Downgrade] = strawberry.field(
        resolver=wf.downgrades, description="Grade downgrades decided in [from, to] (published)."
    )
    interviews_due: list[InterviewDue] = strawberry.field(
        resolver=wf.interviews_due,
        description="Subjects not rectified by their deadline, with the interview due.",
    )
    feedback_overview: list[FeedbackSummary] = strawberry.field(
        resolver=wf.feedback_overview,
        description="Measures triggered, applied, refused and never answered, per agency.",
    )
    list_case: ListCase = strawberry.field(
        resolver=wf.list_case, description="A list entry's lifecycle and history."
    )
    objections: list[Objection] = strawberry.field(
        resolver=wf.objections, description="The objections to a list entry."
    )
    repairs: list[Repair] = strawberry.field(
        resolver=wf.repairs, description="The repair applications of a list entry."
    )
    work_report: WorkReport = strawberry.field(
        resolver=wf.work_report, description="Counts for the periodic work report."
    )
    published_list: PublishedList = strawberry.field(
        resolver=wf.published_list, description="The published red/black list (public)."
    )
    commitment_templates: list[CommitmentTemplate] = strawberry.field(
        resolver=wf.commitment_templates,
        description="The published standard commitment templates (public).",
    )
    verify_statement: StatementVerification = strawberry.field(
        resolver=wf.verify_statement,
        description="Check a notice-board statement's signature and currency (public).",
    )


@strawberry.type(description="The workflows' steps; each is recorded as history.")
class Mutation:
    record_evaluation: EvaluationResult = strawberry.field(resolver=wf.record_evaluation)
    record_violation: ViolationResult = strawberry.field(resolver=wf.record_violation)
    sign_commitment: SignedCommitment = strawberry.field(resolver=wf.sign_commitment)
    mark_commitment: SignedCommitment = strawberry.field(resolver=wf.mark_commitment)
    propose_listing: ListCase = strawberry.field(resolver=wf.propose_listing)
    notify_listing: ListCase = strawberry.field(resolver=wf.notify_listing)
    activate_listing: ListCase = strawberry.field(resolver=wf.activate_listing)
    revoke_listing: ListCase = strawberry.field(resolver=wf.revoke_listing)
    expire_listings: list[str] = strawberry.field(resolver=wf.expire_listings)
    file_objection: Objection = strawberry.field(resolver=wf.file_objection)
    answer_objection: Objection = strawberry.field(resolver=wf.answer_objection)
    apply_for_repair: Repair = strawberry.field(resolver=wf.apply_for_repair)
    decide_repair: Repair = strawberry.field(resolver=wf.decide_repair)
    order_rectification: Rectification = strawberry.field(resolver=wf.order_rectification)
    mark_rectified: Rectification = strawberry.field(resolver=wf.mark_rectified)
    hold_interview: Rectification = strawberry.field(resolver=wf.hold_interview)
    trigger_measures: list[MeasureTrigger] = strawberry.field(resolver=wf.trigger_measures)
    report_feedback: FeedbackAnswer = strawberry.field(resolver=wf.report_feedback)
    issue_statement: PublicStatement = strawberry.field(resolver=wf.issue_statement)


def query_cache() -> QueryCache:
    """The schema's limits with fresh parse and validation caches."""
    return QueryCache(MAX_DEPTH, MAX_TOKENS, MAX_ALIASES)


def build_schema(cache: QueryCache | None = None) -> strawberry.federation.Schema:
    # One extension for the limits and caches: see hub.schema.limits for why.
    extensions: list[Any] = [(cache or query_cache()).extension]
    schema = strawberry.federation.Schema(
        query=Query,
        mutation=Mutation,
        types=[Institution, Person],
        federation_version="2.9",
        extensions=extensions,
    )
    from hub.access.guard import guard_schema  # here: hub.access imports hub.schema.errors

    guard_schema(schema._schema)
    return schema
