"""Canonical records: the hub's interchange format (one JSON object a line).

Connectors produce these, `credit-hub ingest canonical` reads them, and
`credit-hub schema records` publishes them as JSON Schema. Identifiers are
normalised and validated on the way in, so everything downstream can trust them.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from hub.identifiers import IdentifierError, IdType, mask, parse_person_id, parse_uscc

AgencyKind = Literal[
    "public_security",
    "market_regulation",
    "medical_insurance",
    "health_commission",
    "credit_office",
    "other",
]
RoleKind = Literal["legal_representative", "principal", "practitioner"]
ListKind = Literal["black", "red", "medical_order", "focus"]
Severity = Literal["minor", "ordinary", "serious"]
EntryStatus = Literal["active", "under_objection", "repaired", "revoked", "expired"]
Grade = Literal["excellent", "pass", "poor"]
EVALUATION_AREAS = (
    "practice_management",
    "maternal_infant_care",
    "special_technology",
    "infectious_disease",
    "general_management",
)

NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]
UsccStr = Annotated[str, AfterValidator(lambda v: parse_uscc(v).value)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Source(_Model):
    """Which agency sent this record, under which of its own record ids."""

    agency: NonEmpty
    record_id: NonEmpty


class InstitutionRef(_Model):
    uscc: UsccStr


class _HidesNumber(_Model):
    """repr() and str() show the document number masked, so logs never get it clear."""

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, mask(value) if name == "id_number" and isinstance(value, str) else value


class PersonRef(_HidesNumber):
    id_type: IdType
    id_number: str

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("id_number"), str):
            id_type = data.get("id_type")
            if isinstance(id_type, str):
                data = dict(data)
                data["id_number"] = parse_person_id(id_type, data["id_number"]).number
        return data


class ResponsibleRef(PersonRef):
    role: Literal["directly_responsible"] = "directly_responsible"


def _subject_tag(value: Any) -> str:
    if isinstance(value, InstitutionRef) or (isinstance(value, dict) and "uscc" in value):
        return "institution_ref"
    return "person_ref"


Subject = Annotated[
    Annotated[InstitutionRef, Tag("institution_ref")] | Annotated[PersonRef, Tag("person_ref")],
    Discriminator(_subject_tag),
]


class _Record(_Model):
    source: Source


class AgencyRecord(_Record):
    type: Literal["agency"]
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    name: NonEmpty
    kind: AgencyKind


class InstitutionRecord(_Record):
    type: Literal["institution"]
    uscc: UsccStr
    name: NonEmpty
    kind: str | None = None
    licence_no: str | None = None


class PersonRecord(_Record, _HidesNumber):
    type: Literal["person"]
    id_type: IdType
    id_number: str
    name: NonEmpty

    _normalise = model_validator(mode="before")(PersonRef._normalise.__func__)

    @property
    def ref(self) -> PersonRef:
        return PersonRef(id_type=self.id_type, id_number=self.id_number)


class RoleRecord(_Record):
    type: Literal["role"]
    person: PersonRef
    institution: UsccStr
    role: RoleKind
    valid_from: dt.date
    valid_to: dt.date | None = None
    licence_no: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> RoleRecord:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class ListEntryRecord(_Record):
    type: Literal["list_entry"]
    id: NonEmpty
    list: ListKind
    subject: Subject
    reason: NonEmpty
    basis: NonEmpty
    severity: Severity
    decided_by: NonEmpty
    violation_on: dt.date | None = None
    decided_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = None
    status: EntryStatus = "active"
    status_changed_on: dt.date | None = None
    responsible: builtins.list[ResponsibleRef] = Field(
        default_factory=builtins.list, max_length=200
    )

    @model_validator(mode="after")
    def _dates(self) -> ListEntryRecord:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if self.violation_on is not None and self.violation_on > self.decided_on:
            raise ValueError("violation_on is after decided_on")
        if self.status != "active" and self.status_changed_on is None:
            raise ValueError(f"status {self.status!r} needs status_changed_on")
        return self


class PenaltyRecord(_Record):
    type: Literal["penalty"]
    decision_no: NonEmpty
    subject: Subject
    decided_by: NonEmpty
    decided_on: dt.date
    basis: NonEmpty
    penalty: NonEmpty
    amount: Decimal | None = Field(default=None, ge=0)


class EvaluationRecord(_Record):
    type: Literal["evaluation"]
    uscc: UsccStr
    year: int = Field(ge=2000, le=2100)
    grade: Grade
    scores: dict[str, float] = Field(default_factory=dict)

    @field_validator("scores")
    @classmethod
    def _areas(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(EVALUATION_AREAS))
        if unknown:
            raise ValueError(
                f"unknown area {unknown[0]!r}; areas are {', '.join(EVALUATION_AREAS)}"
            )
        if any(not 0 <= s <= 100 for s in v.values()):
            raise ValueError("scores are between 0 and 100")
        return v


class CommitmentRecord(_Record):
    type: Literal["commitment"]
    subject: Subject
    text: NonEmpty
    signed_on: dt.date
    kept: bool | None = None


class MeasureFeedbackRecord(_Record):
    type: Literal["measure_feedback"]
    entry_id: NonEmpty
    measure: NonEmpty
    subject: Subject
    agency: NonEmpty
    outcome: Literal["applied", "not_applied"]
    on: dt.date
    reason: str | None = None

    @model_validator(mode="after")
    def _reason(self) -> MeasureFeedbackRecord:
        if self.outcome == "not_applied" and not self.reason:
            raise ValueError("a measure not applied needs a reason")
        return self


CanonicalRecord = Annotated[
    AgencyRecord
    | InstitutionRecord
    | PersonRecord
    | RoleRecord
    | ListEntryRecord
    | PenaltyRecord
    | EvaluationRecord
    | CommitmentRecord
    | MeasureFeedbackRecord,
    Field(discriminator="type"),
]
RECORD_TYPES = (
    "agency",
    "institution",
    "person",
    "role",
    "penalty",
    "commitment",
    "evaluation",
    "list_entry",
    "measure_feedback",
)

_adapter: TypeAdapter[CanonicalRecord] = TypeAdapter(CanonicalRecord)


class RecordError(ValueError):
    """A rejected record: the field path and the reason, never the raw value."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


_SUBJECT_TAGS = {"institution_ref", "person_ref"}


def _first_error(err: ValidationError) -> RecordError:
    first = err.errors(include_url=False, include_input=False)[0]
    # Drop the tags pydantic inserts for discriminated unions; keep list positions.
    loc = first["loc"][1:] if first["loc"][:1] and first["loc"][0] in RECORD_TYPES else first["loc"]
    parts = [str(p) for p in loc if p not in _SUBJECT_TAGS]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, IdentifierError):
        if not parts or parts[-1] != cause.field:
            parts.append(cause.field)
        msg = f"{cause.reason} (got {cause.shown!r})"
    else:
        msg = str(first["msg"]).removeprefix("Value error, ")
    return RecordError(".".join(parts) or "record", msg)


def parse_record(data: Any) -> CanonicalRecord:
    """Validate one decoded JSON object as a canonical record."""
    if not isinstance(data, dict):
        raise RecordError("record", "a record must be a JSON object")
    kind = data.get("type")
    if kind not in RECORD_TYPES:
        raise RecordError("type", f"must be one of {', '.join(RECORD_TYPES)} (got {kind!r})")
    try:
        return _adapter.validate_python(data)
    except ValidationError as err:
        raise _first_error(err) from None


def parse_line(line: str) -> CanonicalRecord:
    """Validate one JSON line. Pydantic reads the JSON itself (a fifth faster than
    json.loads and then validating the objects); a line it rejects is parsed again the
    Python way, which names the problem as it always has."""
    try:
        record = _adapter.validate_json(line)
    except ValidationError:
        pass
    else:
        # From JSON text pydantic makes a Decimal of the number's digits (1.0 → 1), from
        # json.loads' float it makes another (→ 1.0): an amount keeps the Python way, so
        # the content hashes of stored penalties stay the same.
        if not (isinstance(record, PenaltyRecord) and record.amount is not None):
            return record
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise RecordError("line", f"not valid JSON ({err.msg} at column {err.colno})") from None
    return parse_record(data)


def json_schema() -> dict[str, Any]:
    """The JSON Schema agencies validate their files against."""
    schema = _adapter.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "credit-hub canonical record"
    return schema
