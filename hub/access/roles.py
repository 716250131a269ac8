"""The four roles a principal can hold; every permission in the policy names one."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PUBLIC = "public"  # no key: published data only
    AGENCY = "agency"  # a partner agency's client: sanctions, screen, its own records
    CREDIT_OFFICE = "credit_office"  # everything about subjects and lists
    AUDITOR = "auditor"  # the access log and its proofs, subjects only as digests


KEYED_ROLES = (Role.AGENCY, Role.CREDIT_OFFICE, Role.AUDITOR)
