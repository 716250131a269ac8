"""The workflow rules as data: hub/data/workflows.toml, loaded and validated once.

Thresholds, tiers, notice and answer periods, publicity periods by severity and the
commitment templates are reviewed data changes, not code.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.records import EVALUATION_AREAS, AgencyKind, Grade, ListKind, Severity

GRADES: tuple[Grade, ...] = ("excellent", "pass", "poor")
SEVERITIES: tuple[Severity, ...] = ("minor", "ordinary", "serious")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradeRule(_Model):
    grade: Grade
    min_average: float = Field(ge=0, le=100)
    min_area: float = Field(ge=0, le=100)


class EvaluationRules(_Model):
    areas: tuple[str, ...]
    agency_kinds: tuple[AgencyKind, ...] = Field(min_length=1)
    grade: tuple[GradeRule, ...]
    downgrade_steps: dict[Severity, int]

    @model_validator(mode="after")
    def _check(self) -> EvaluationRules:
        if tuple(self.areas) != EVALUATION_AREAS:
            raise ValueError(f"evaluation.areas must be {', '.join(EVALUATION_AREAS)}")
        if tuple(r.grade for r in self.grade) != GRADES:
            raise ValueError("evaluation.grade lists excellent, pass, poor in that order")
        averages = [r.min_average for r in self.grade]
        if averages != sorted(averages, reverse=True):
            raise ValueError("evaluation.grade thresholds must not rise from one grade to the next")
        if set(self.downgrade_steps) != set(SEVERITIES):
            raise ValueError("evaluation.downgrade_steps names minor, ordinary and serious")
        if any(s < 1 for s in self.downgrade_steps.values()):
            raise ValueError("evaluation.downgrade_steps are at least 1")
        return self


class Tier(_Model):
    grade: Grade | Literal["unrated"]
    tier: str = Field(min_length=1)
    name: str = Field(min_length=1)
    inspections_per_year: int = Field(ge=0, le=365)


class Supervision(_Model):
    tier: tuple[Tier, ...]

    @model_validator(mode="after")
    def _complete(self) -> Supervision:
        grades = [t.grade for t in self.tier]
        if sorted(grades) != sorted((*GRADES, "unrated")):
            raise ValueError("supervision.tier has one row per grade and one for 'unrated'")
        return self

    def of(self, grade: str | None) -> Tier:
        wanted = grade or "unrated"
        return next(t for t in self.tier if t.grade == wanted)


class Listing(_Model):
    default_validity_months: int = Field(ge=1, le=120)
    objection_answer_days: int = Field(ge=1, le=365)
    notice_days: dict[ListKind, int]

    @model_validator(mode="after")
    def _all_lists(self) -> Listing:
        missing = {"black", "red", "medical_order", "focus"} - set(self.notice_days)
        if missing:
            raise ValueError(f"listing.notice_days has no entry for {sorted(missing)[0]}")
        if any(d < 0 for d in self.notice_days.values()):
            raise ValueError("listing.notice_days are not negative")
        return self


class Period(_Model):
    min_months: int = Field(ge=0, le=120)
    max_months: int = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.min_months > self.max_months:
            raise ValueError("min_months is more than max_months")
        return self


class Publicity(_Model):
    by_severity_lists: tuple[ListKind, ...]
    other_max_months: int = Field(ge=1, le=120)
    minor: Period
    ordinary: Period
    serious: Period

    def period(self, list_type: str, severity: str) -> Period:
        """Minimum and maximum publicity of an entry of this list and severity."""
        if list_type not in self.by_severity_lists:
            return Period(min_months=0, max_months=self.other_max_months)
        period: Period = getattr(self, severity)
        return period


class RepairRules(_Model):
    commitment_template: str


class Interviews(_Model):
    warning_after_days: int = Field(ge=0, le=365)


class Verification(_Model):
    base_url: str = Field(pattern=r"^https?://")


class CommitmentTemplate(_Model):
    code: str = Field(pattern=r"^[A-Z0-9-]+$")
    title: str = Field(min_length=1)
    applies_to: Literal["institution", "person", "any"]
    text: str = Field(min_length=1)

    def fits(self, subject_kind: str) -> bool:
        return self.applies_to in ("any", subject_kind)


class WorkflowConfig(_Model):
    version: str
    evaluation: EvaluationRules
    supervision: Supervision
    listing: Listing
    publicity: Publicity
    repair: RepairRules
    interviews: Interviews
    verification: Verification
    commitment_template: tuple[CommitmentTemplate, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _templates(self) -> WorkflowConfig:
        codes = [t.code for t in self.commitment_template]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate commitment template {dupes[0]}")
        if self.repair.commitment_template not in codes:
            raise ValueError("repair.commitment_template names no commitment template")
        for severity in SEVERITIES:
            if getattr(self.publicity, severity).max_months > 120:
                raise ValueError(f"publicity.{severity}.max_months is too long")
        return self

    def template(self, code: str) -> CommitmentTemplate | None:
        return next((t for t in self.commitment_template if t.code == code), None)


def load_config(path: Path | None = None) -> WorkflowConfig:
    """Read and validate a workflow rules file (the shipped one by default)."""
    if path is None:
        text = resources.files("hub.data").joinpath("workflows.toml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return WorkflowConfig.model_validate(tomllib.loads(text))


@cache
def default_config() -> WorkflowConfig:
    return load_config()


# --- date arithmetic the rules need -------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, months: int) -> dt.date:
    """Last day of a period of `months` that starts on `start` (inclusive)."""
    return add_months(start, months) - dt.timedelta(days=1)
