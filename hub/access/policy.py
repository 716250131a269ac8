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
