"""What a sanctions answer holds: measures, each with its trigger and its explanation path."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.sanctions.catalogue import Measure


@dataclass(frozen=True, slots=True)
class PathStep:
    """One node or edge on the way from the subject to the trigger."""

    kind: str  # "node" or "edge"
    type: (
        str  # Institution, Person, ListEntry, Evaluation / HOLDS, CONCERNS, RESPONSIBLE, EVALUATES
    )
    key: str | None = None  # USCC, entry id, evaluation key; a person's graph key (API: its ref)
    name: str | None = None
    role: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass(frozen=True, slots=True)
class EntryRef:
    id: str
    list: str
    status: str  # the status on the as-of date
    severity: str
    reason: str
    basis: str
    decided_by: str
    decided_on: str
    violation_on: str | None
    valid_from: str
    valid_until: str | None
    under_objection: bool


@dataclass(frozen=True, slots=True)
class EvaluationRef:
    uscc: str
    year: int
    grade: str


@dataclass(frozen=True, slots=True)
class AppliedMeasure:
    measure: Measure
    applies_as: str
    path: tuple[PathStep, ...]
    entry: EntryRef | None = None
    evaluation: EvaluationRef | None = None

    @property
    def until(self) -> str | None:
        """Last day the measure applies: the entry's validity, or the grade's year after."""
        if self.entry is not None:
            return self.entry.valid_until
        assert self.evaluation is not None
        return f"{self.evaluation.year + 1}-12-31"


@dataclass(frozen=True, slots=True)
class Warning:
    """A banned person who now holds a role at the reported institution."""

    person_key: str
    person_name: str | None
    id_masked: str | None
    role: str
    role_from: str | None
    measure_code: str
    entry_id: str
    message: str


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str  # "institution" or "person"
    key: str  # USCC, or the person's keyed digest (never shown)
    known: bool | None  # None: not looked up (the index answered, see service.screen)
    name: str | None = None
    id_type: str | None = None
    id_masked: str | None = None


@dataclass
class SanctionReport:
    subject: Subject
    as_of: str
    measures: list[AppliedMeasure] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
