"""The measures catalogue: what each agency does to whom, loaded from data and validated.

Kept as a TOML file in the repository (hub/data/measures.toml) so that a new measure
is a reviewed data change, not code; a catalogue that does not validate stops start-up.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.records import AgencyKind, Grade, ListKind

AppliesAs = Literal["self", "legal_representative", "principal", "directly_responsible"]


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    list: ListKind | None = None
    grade: Grade | None = None

    @model_validator(mode="after")
    def _one(self) -> Trigger:
        if (self.list is None) == (self.grade is None):
            raise ValueError("a trigger names exactly one of list or grade")
        return self


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z0-9-]+$")
    title: str = Field(min_length=1)
    enforcing_agency_kind: AgencyKind
    enforcing_body: str | None = None
    basis: str = Field(min_length=1)
    trigger: Trigger
    applies_to: tuple[AppliesAs, ...] = Field(min_length=1)
    warns_employers: bool = False

    @model_validator(mode="after")
    def _grade_self(self) -> Measure:
        if self.trigger.grade is not None and self.applies_to != ("self",):
            raise ValueError(f"{self.code}: a grade applies to the institution itself only")
        return self


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    measure: tuple[Measure, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        codes = [m.code for m in self.measure]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"duplicate measure code {dupes[0]}")
        return self

    def for_list(self, list_kind: str, applies_as: str) -> list[Measure]:
        return [
            m for m in self.measure if m.trigger.list == list_kind and applies_as in m.applies_to
        ]

    def for_grade(self, grade: str) -> list[Measure]:
        return [m for m in self.measure if m.trigger.grade == grade]

    @property
    def derived_roles(self) -> list[str]:
        """Role kinds along which some measure travels from an institution to a person."""
        roles = {r for m in self.measure for r in m.applies_to}
        return sorted(roles & {"legal_representative", "principal"})


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (the shipped one by default)."""
    if path is None:
        text = resources.files("hub.data").joinpath("measures.toml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return Catalogue.model_validate(tomllib.loads(text))


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()
