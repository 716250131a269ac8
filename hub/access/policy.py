"""Who may use which field: the role × operation table, as data, decided per field.

Root fields not named here are refused to every role (fail closed): a new operation is
reachable only once it has a row. Nested fields are open unless named (they are reached
only through an allowed root field). `subjects` marks fields that touch a subject: they
need a purpose. `own_agency` names the filter field an agency must set to its own code
(an agency reads only the records it decided).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.access.roles import Role


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role]
    subjects: bool = False
    own_agency: str | None = None


EVERYONE = frozenset(Role)
KEYED = frozenset({Role.AGENCY, Role.CREDIT_OFFICE, Role.AUDITOR})
PARTNERS = frozenset({Role.AGENCY, Role.CREDIT_OFFICE})
OFFICE = frozenset({Role.CREDIT_OFFICE})
AGENCIES = frozenset({Role.AGENCY})
AUDITORS = frozenset({Role.AUDITOR})

POLICY: dict[str, Rule] = {
    "Query.measures": Rule(EVERYONE),
    "Query._service": Rule(EVERYONE),  # the SDL, for gateways composing the supergraph
    "Query.sanctions": Rule(PARTNERS, subjects=True),
    "Query.screen": Rule(PARTNERS, subjects=True),
    "Query.listEntries": Rule(PARTNERS, subjects=True, own_agency="decidedBy"),
    "Query.institution": Rule(OFFICE, subjects=True),
    "Query.person": Rule(OFFICE, subjects=True),
    "Query._entities": Rule(OFFICE, subjects=True),
    "Query.accessesTo": Rule(OFFICE, subjects=True),
    "Query.auditEntries": Rule(AUDITORS),
    "Query.auditCheckpoint": Rule(KEYED),  # hashes and signatures only
    "Query.auditInclusionProof": Rule(KEYED),
    "Query.auditConsistencyProof": Rule(KEYED),
    # --- workflows (issue 6); the services check the agency itself: its kind (evaluations:
    # the health commission; feedback: the measure's enforcing kind) and that an entry is
    # its own (only the deciding agency or the credit office acts on an entry)
    "Query.publishedList": Rule(EVERYONE),  # published: no purpose asked
    "Query.downgrades": Rule(EVERYONE),  # published (降级公示)
    "Query.commitmentTemplates": Rule(EVERYONE),  # published templates
    "Query.verifyStatement": Rule(EVERYONE),  # the notice-board QR code's check
    "Query.supervisionPlan": Rule(PARTNERS, subjects=True),
    "Query.interviewsDue": Rule(PARTNERS, subjects=True),  # an agency: its own orders
    "Query.listCase": Rule(PARTNERS, subjects=True),  # an agency: the entries it decided
    "Query.objections": Rule(PARTNERS, subjects=True),
    "Query.repairs": Rule(PARTNERS, subjects=True),
    "Query.feedbackOverview": Rule(OFFICE),
    "Query.workReport": Rule(OFFICE),
    "Mutation.recordEvaluation": Rule(AGENCIES),  # health-commission agencies
    "Mutation.recordViolation": Rule(AGENCIES),
    "Mutation.signCommitment": Rule(PARTNERS),
    "Mutation.markCommitment": Rule(PARTNERS),  # the recording agency or the credit office
    "Mutation.proposeListing": Rule(PARTNERS),  # the proposer is the deciding agency
    "Mutation.notifyListing": Rule(PARTNERS),  # its own entries
    "Mutation.activateListing": Rule(PARTNERS),
    "Mutation.revokeListing": Rule(OFFICE),  # exit from the list: the credit office
    "Mutation.expireListings": Rule(OFFICE),  # the expiry sweep
    "Mutation.fileObjection": Rule(OFFICE),  # on the subject's behalf
    "Mutation.answerObjection": Rule(PARTNERS),  # the deciding agency answers in writing
    "Mutation.applyForRepair": Rule(OFFICE),  # on the subject's behalf
    "Mutation.decideRepair": Rule(PARTNERS),  # the deciding agency checks, or the office
    "Mutation.orderRectification": Rule(PARTNERS),
    "Mutation.markRectified": Rule(PARTNERS),  # the ordering agency or the credit office
    "Mutation.holdInterview": Rule(PARTNERS),
    "Mutation.triggerMeasures": Rule(PARTNERS),  # the deciding agency initiates
    "Mutation.reportFeedback": Rule(AGENCIES),  # enforcing agencies
    "Mutation.issueStatement": Rule(PARTNERS),  # the health commission or the credit office
    # the subject's whole file (other agencies' records): the credit office only
    "Institution.roles": Rule(OFFICE),
    "Institution.listEntries": Rule(OFFICE),
    "Institution.penalties": Rule(OFFICE),
    "Institution.evaluations": Rule(OFFICE),
    "Institution.commitments": Rule(OFFICE),
    "Person.roles": Rule(OFFICE),
    "Person.listEntries": Rule(OFFICE),
    "Person.penalties": Rule(OFFICE),
    "Person.commitments": Rule(OFFICE),
    "Person.idNumber": Rule(OFFICE),  # the full number: only when selected explicitly
}

ROOT_TYPES = ("Query", "Mutation")


def rule_for(coordinate: str) -> Rule | None:
    return POLICY.get(coordinate)
