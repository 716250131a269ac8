"""GraphQL object types. Nested fields load through the request's DataLoaders."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from typing import Any

import strawberry
from strawberry.types import Info

from hub.graph.port import Row
from hub.personal_data import Keyring
from hub.resolvers.context import HubContext
from hub.sanctions import report as rpt
from hub.sanctions.catalogue import Measure as MeasureModel
from hub.schema.enums import (
    AppliesAs,
    EntryStatus,
    Grade,
    IdType,
    ListKind,
    RoleKind,
    Severity,
    SubjectKind,
)

Ctx = Info[HubContext, None]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@strawberry.type(description="One joint reward or sanction from the catalogue.")
class Measure:
    code: str
    title: str
    basis: str
    enforcing_agency_kind: str
    enforcing_body: str | None
    trigger_list: ListKind | None
    trigger_grade: Grade | None
    applies_to: list[AppliesAs]

    @classmethod
    def of(cls, m: MeasureModel) -> Measure:
        return cls(
            code=m.code,
            title=m.title,
            basis=m.basis,
            enforcing_agency_kind=m.enforcing_agency_kind,
            enforcing_body=m.enforcing_body,
            trigger_list=ListKind(m.trigger.list) if m.trigger.list else None,
            trigger_grade=Grade(m.trigger.grade) if m.trigger.grade else None,
            applies_to=[AppliesAs(a) for a in m.applies_to],
        )


@strawberry.type
class Agency:
    code: str
    name: str | None
    kind: str | None


@strawberry.type(description="Who enforces a measure: the agency kind and the agencies of it.")
class EnforcingAgency:
    kind: str
    body: str | None

    @strawberry.field
    async def agencies(self, info: Ctx) -> list[Agency]:
        rows = await info.context.loaders.agencies.load(self.kind)
        return [Agency(code=n["code"], name=n.get("name"), kind=n.get("kind")) for n in rows]


@strawberry.type(description="One node or edge on the path from the subject to the trigger.")
class PathStep:
    kind: str
    type: str
    key: str | None
    name: str | None
    role: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    @classmethod
    def of(cls, step: rpt.PathStep, keyring: Keyring) -> PathStep:
        key = step.key
        if step.type == "Person" and key:
            key = keyring.person_ref(key)  # never the graph key, never the ID number
        return cls(
            kind=step.kind,
            type=step.type,
            key=key,
            name=step.name,
            role=step.role,
            valid_from=_date(step.valid_from),
            valid_to=_date(step.valid_to),
        )


@strawberry.type(description="The list entry that triggers a measure, as it stood on the date.")
class TriggerEntry:
    id: str
    list: ListKind
    status: EntryStatus
    under_objection: bool
    severity: Severity
    reason: str
    basis: str
    decided_by: str
    decided_on: dt.date
    violation_on: dt.date | None
    valid_from: dt.date
    valid_until: dt.date | None


@strawberry.type
class TriggerEvaluation:
    year: int
    grade: Grade


@strawberry.type
class AppliedMeasure:
    measure: Measure
    enforcing_agency: EnforcingAgency
    applies_as: AppliesAs
    entry: TriggerEntry | None
    evaluation: TriggerEvaluation | None
    until: dt.date | None
    path: list[PathStep]

    @classmethod
    def of(cls, a: rpt.AppliedMeasure, keyring: Keyring) -> AppliedMeasure:
        e = a.entry
        entry = (
            TriggerEntry(
                id=e.id,
                list=ListKind(e.list),
                status=EntryStatus(e.status),
                under_objection=e.under_objection,
                severity=Severity(e.severity),
                reason=e.reason,
                basis=e.basis,
                decided_by=e.decided_by,
                decided_on=dt.date.fromisoformat(e.decided_on),
                violation_on=_date(e.violation_on),
                valid_from=dt.date.fromisoformat(e.valid_from),
                valid_until=_date(e.valid_until),
            )
            if e
            else None
        )
        ev = a.evaluation
        return cls(
            measure=Measure.of(a.measure),
            enforcing_agency=EnforcingAgency(
                kind=a.measure.enforcing_agency_kind, body=a.measure.enforcing_body
            ),
            applies_as=AppliesAs(a.applies_as),
            entry=entry,
            evaluation=TriggerEvaluation(year=ev.year, grade=Grade(ev.grade)) if ev else None,
            until=_date(a.until),
            path=[PathStep.of(s, keyring) for s in a.path],
        )


@strawberry.type(description="A banned person who holds a role at this institution now.")
class SanctionWarning:
    person_ref: str
    person_name: str | None
    id_number_masked: str | None
    role: RoleKind
    role_from: dt.date | None
    measure_code: str
    entry_id: str
    message: str


@strawberry.type
class SubjectSummary:
    kind: SubjectKind
    uscc: str | None
    person_ref: str | None
    id_type: IdType | None
    id_number_masked: str | None
    node_key: strawberry.Private[str]
    # (known, name) when the report already holds them; otherwise looked up on demand
    described: strawberry.Private[tuple[bool, str | None] | None]

    @strawberry.field
    async def known(self, info: Ctx) -> bool:
        return (await self._describe(info))[0]

    @strawberry.field
    async def name(self, info: Ctx) -> str | None:
        return (await self._describe(info))[1]

    async def _describe(self, info: Ctx) -> tuple[bool, str | None]:
        if self.described is None:
            loaders = info.context.loaders
            person = self.kind == SubjectKind.PERSON
            node = await (loaders.person if person else loaders.institution).load(self.node_key)
            self.described = (node is not None, node.get("name") if node else None)
        return self.described


@strawberry.type(description="Which measures apply to a subject on a date, and why.")
class SanctionReport:
    subject: SubjectSummary
    as_of: dt.date
    measures: list[AppliedMeasure]
    warnings: list[SanctionWarning]

    @classmethod
    def of(cls, report: rpt.SanctionReport, info: Ctx) -> SanctionReport:
        keyring = info.context.services.keyring
        s = report.subject
        person = s.kind == "person"
        return cls(
            subject=SubjectSummary(
                kind=SubjectKind(s.kind),
                uscc=None if person else s.key,
                person_ref=keyring.person_ref(s.key) if person else None,
                id_type=IdType(s.id_type) if s.id_type else None,
                id_number_masked=s.id_masked,
                node_key=s.key,
                described=None if s.known is None else (s.known, s.name),
            ),
            as_of=dt.date.fromisoformat(report.as_of),
            measures=[AppliedMeasure.of(m, keyring) for m in report.measures],
            warnings=[
                SanctionWarning(
                    person_ref=keyring.person_ref(w.person_key),
                    person_name=w.person_name,
                    id_number_masked=w.id_masked,
                    role=RoleKind(w.role),
                    role_from=_date(w.role_from),
                    measure_code=w.measure_code,
                    entry_id=w.entry_id,
                    message=w.message,
                )
                for w in report.warnings
            ],
        )


# --- records about subjects -------------------------------------------------------------


@strawberry.type
class Provenance:
    agency: str | None
    record_id: str | None
    first_seen: str | None
    last_seen: str | None


def _provenance(row: Row) -> Provenance:
    return Provenance(
        agency=row.get("src_agency"),
        record_id=row.get("src_record"),
        first_seen=row.get("first_seen"),
        last_seen=row.get("last_seen"),
    )


@strawberry.type
class Penalty:
    decision_no: str
    decided_by: str
    decided_on: dt.date
    basis: str
    penalty: str
    amount: str | None
    provenance: Provenance


@strawberry.type
class AreaScore:
    area: str
    score: float


@strawberry.type
class Evaluation:
    year: int
    grade: Grade
    scores: list[AreaScore]
    provenance: Provenance


@strawberry.type
class Commitment:
    text: str
    signed_on: dt.date
    kept: bool | None
    provenance: Provenance


def penalty_of(row: Row) -> Penalty:
    return Penalty(
        decision_no=row["decision_no"],
        decided_by=row["decided_by"],
        decided_on=dt.date.fromisoformat(row["decided_on"]),
        basis=row["basis"],
        penalty=row["penalty"],
        amount=row.get("amount"),
        provenance=_provenance(row),
    )


def evaluation_of(row: Row) -> Evaluation:
    scores: dict[str, Any] = json.loads(row.get("scores") or "{}")
    return Evaluation(
        year=int(row["year"]),
        grade=Grade(row["grade"]),
        scores=[AreaScore(area=k, score=float(v)) for k, v in sorted(scores.items())],
        provenance=_provenance(row),
    )


def commitment_of(row: Row) -> Commitment:
    kept = row.get("kept")
    return Commitment(
        text=row["text"],
        signed_on=dt.date.fromisoformat(row["signed_on"]),
        kept=None if kept is None else kept == "true",
        provenance=_provenance(row),
    )


@strawberry.type
class Role:
    role: RoleKind
    valid_from: dt.date
    valid_to: dt.date | None
    licence_no: str | None
    uscc: strawberry.Private[str]
    pkey: strawberry.Private[str]

    @strawberry.field
    async def institution(self, info: Ctx) -> Institution | None:
        row = await info.context.loaders.institution.load(self.uscc)
        return Institution.of(row) if row else None

    @strawberry.field
    async def person(self, info: Ctx) -> Person | None:
        row = await info.context.loaders.person.load(self.pkey)
        return Person.of(row, info) if row else None


def role_of(row: Row) -> Role:
    return Role(
        role=RoleKind(row["role"]),
        valid_from=dt.date.fromisoformat(row["valid_from"]),
        valid_to=_date(row.get("valid_to")),
        licence_no=row.get("licence_no"),
        uscc=row["uscc"],
        pkey=row["pkey"],
    )


@strawberry.type
class ListEntry:
    id: str
    list: ListKind
    status: EntryStatus
    status_changed_on: dt.date | None
    severity: Severity
    reason: str
    basis: str
    decided_by: str
    decided_on: dt.date
    violation_on: dt.date | None
    valid_from: dt.date
    valid_until: dt.date | None
    subject_kind: SubjectKind
    provenance: Provenance
    subject_key: strawberry.Private[str]

    @strawberry.field
    async def institution(self, info: Ctx) -> Institution | None:
        """The listed institution (null when the subject is a person)."""
        if self.subject_kind is not SubjectKind.INSTITUTION:
            return None
        row = await info.context.loaders.institution.load(self.subject_key)
        return Institution.of(row) if row else None

    @strawberry.field
    async def person(self, info: Ctx) -> Person | None:
        """The listed person (null when the subject is an institution)."""
        if self.subject_kind is not SubjectKind.PERSON:
            return None
        row = await info.context.loaders.person.load(self.subject_key)
        return Person.of(row, info) if row else None

    @strawberry.field(description="Practitioners named as directly responsible.")
    async def responsible(self, info: Ctx) -> builtins.list[Person]:
        rows = await info.context.loaders.responsible.load(self.id)
        return [Person.of(r, info) for r in rows]


def list_entry_of(row: Row) -> ListEntry:
    return ListEntry(
        id=row["entry_id"],
        list=ListKind(row["list_type"]),
        status=EntryStatus(row["status"]),
        status_changed_on=_date(row.get("status_changed_on")),
        severity=Severity(row["severity"]),
        reason=row["reason"],
        basis=row["basis"],
        decided_by=row["decided_by"],
        decided_on=dt.date.fromisoformat(row["decided_on"]),
        violation_on=_date(row.get("violation_on")),
        valid_from=dt.date.fromisoformat(row["valid_from"]),
        valid_until=_date(row.get("valid_until")),
        subject_kind=SubjectKind(row["subject_kind"]),
        provenance=_provenance(row),
        subject_key=row["subject_key"],
    )


@strawberry.federation.type(keys=["uscc"], description="A medical institution, keyed by USCC.")
class Institution:
    uscc: str
    name: str | None
    kind: str | None
    licence_no: str | None
    region: str | None

    @classmethod
    def of(cls, row: Row) -> Institution:
        return cls(
            uscc=row["uscc"],
            name=row.get("name"),
            kind=row.get("kind"),
            licence_no=row.get("licence_no"),
            region=row.get("region"),
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, uscc: str) -> Institution | None:
        row = await info.context.loaders.institution.load(uscc)
        return cls.of(row) if row else None

    @strawberry.field(description="Every role ever held here, with its dates.")
    async def roles(self, info: Ctx) -> list[Role]:
        return [role_of(r) for r in await info.context.loaders.roles["institution"].load(self.uscc)]

    @strawberry.field
    async def list_entries(self, info: Ctx) -> list[ListEntry]:
        rows = await info.context.loaders.entries["institution"].load(self.uscc)
        return [list_entry_of(r) for r in rows]

    @strawberry.field
    async def penalties(self, info: Ctx) -> list[Penalty]:
        rows = await info.context.loaders.records["Penalty", "institution"].load(self.uscc)
        return [penalty_of(r) for r in rows]

    @strawberry.field
    async def evaluations(self, info: Ctx) -> list[Evaluation]:
        rows = await info.context.loaders.records["Evaluation", "institution"].load(self.uscc)
        return sorted((evaluation_of(r) for r in rows), key=lambda e: e.year)

    @strawberry.field
    async def commitments(self, info: Ctx) -> list[Commitment]:
        rows = await info.context.loaders.records["Commitment", "institution"].load(self.uscc)
        return [commitment_of(r) for r in rows]


@strawberry.federation.type(
    keys=["ref"], description="A natural person, keyed by an opaque reference (never the ID)."
)
class Person:
    ref: strawberry.ID
    name: str | None
    id_type: IdType | None
    id_number_masked: str | None
    pkey: strawberry.Private[str]

    @classmethod
    def of(cls, row: Row, info: Ctx) -> Person:
        return cls(
            ref=strawberry.ID(info.context.services.keyring.person_ref(row["pkey"])),
            name=row.get("name"),
            id_type=IdType(row["id_type"]) if row.get("id_type") else None,
            id_number_masked=row.get("id_masked"),
            pkey=row["pkey"],
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, ref: strawberry.ID) -> Person | None:
        pkey = info.context.services.keyring.person_key_of_ref(str(ref))
        row = await info.context.loaders.person.load(pkey) if pkey else None
        return cls.of(row, info) if row else None

    @strawberry.field(
        description="The full ID number: the credit office only, when selected (access-logged)."
    )
    async def id_number(self, info: Ctx) -> str | None:
        row = await info.context.loaders.person.load(self.pkey)
        token = row.get("id_enc") if row else None
        return info.context.services.keyring.decrypt_number(token, self.pkey) if token else None

    @strawberry.field(description="Every role this person ever held, with its dates.")
    async def roles(self, info: Ctx) -> list[Role]:
        return [role_of(r) for r in await info.context.loaders.roles["person"].load(self.pkey)]

    @strawberry.field
    async def list_entries(self, info: Ctx) -> list[ListEntry]:
        rows = await info.context.loaders.entries["person"].load(self.pkey)
        return [list_entry_of(r) for r in rows]

    @strawberry.field
    async def penalties(self, info: Ctx) -> list[Penalty]:
        rows = await info.context.loaders.records["Penalty", "person"].load(self.pkey)
        return [penalty_of(r) for r in rows]

    @strawberry.field
    async def commitments(self, info: Ctx) -> list[Commitment]:
        rows = await info.context.loaders.records["Commitment", "person"].load(self.pkey)
        return [commitment_of(r) for r in rows]


# --- inputs and connections -------------------------------------------------------------


@strawberry.input(description="An institution by {uscc} or a person by {idType, idNumber}.")
class SubjectInput:
    uscc: str | None = None
    id_type: IdType | None = None
    id_number: str | None = None


@strawberry.input
class ListEntryFilter:
    list: ListKind | None = None
    status: EntryStatus | None = None
    decided_by: str | None = None
    subject_kind: SubjectKind | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ListEntryEdge:
    cursor: str
    node: ListEntry


@strawberry.type
class ListEntryConnection:
    edges: list[ListEntryEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[ListEntry]:
        return [e.node for e in self.edges]
