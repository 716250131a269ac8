"""What one request did, gathered while it runs and written to the access log before the
response leaves: the principal, purposes, subjects touched, refusals and errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hub.access.principal import PUBLIC, Principal

SCOPE_KEY = "credit_hub.access"  # where the ASGI scope carries the request's state


@dataclass(slots=True)
class AccessState:
    principal: Principal = PUBLIC
    unauthenticated: bool = False
    header_purpose: str | None = None
    query: str | None = None
    operation_name: str | None = None
    purposes: dict[str, None] = field(default_factory=dict)  # an ordered set
    subjects: dict[str, None] = field(default_factory=dict)  # USCCs and person graph keys
    refused: list[str] = field(default_factory=list)  # schema coordinates refused
    error_class: str | None = None
    # a request to a public HTTP endpoint (not GraphQL): its label and normalised request
    endpoint: str | None = None
    endpoint_request: str | None = None

    def note_subjects(self, keys: Iterable[str | None]) -> None:
        self.subjects.update(dict.fromkeys(k for k in keys if k))

    def note_error(self, error_class: str) -> None:
        if self.error_class is None:
            self.error_class = error_class

    def snapshot(self) -> Noted:
        """What resolvers have noted so far, to put back if an attempt is redone."""
        return Noted(dict(self.purposes), dict(self.subjects), list(self.refused), self.error_class)

    def restore(self, noted: Noted) -> None:
        self.purposes, self.subjects = dict(noted.purposes), dict(noted.subjects)
        self.refused, self.error_class = list(noted.refused), noted.error_class


@dataclass(frozen=True, slots=True)
class Noted:
    purposes: dict[str, None]
    subjects: dict[str, None]
    refused: list[str]
    error_class: str | None
