"""GraphQL enums mirroring the canonical record vocabularies."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class IdType(Enum):
    RESIDENT_ID = "resident_id"
    HK_MACAO_TAIWAN = "hk_macao_taiwan"
    FOREIGN_PERMANENT = "foreign_permanent"
    PASSPORT = "passport"


@strawberry.enum
class ListKind(Enum):
    BLACK = "black"
    RED = "red"
    MEDICAL_ORDER = "medical_order"
    FOCUS = "focus"


@strawberry.enum
class EntryStatus(Enum):
    ACTIVE = "active"
    UNDER_OBJECTION = "under_objection"
    REPAIRED = "repaired"
    REVOKED = "revoked"
    EXPIRED = "expired"


@strawberry.enum
class Severity(Enum):
    MINOR = "minor"
    ORDINARY = "ordinary"
    SERIOUS = "serious"


@strawberry.enum
class RoleKind(Enum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL = "principal"
    PRACTITIONER = "practitioner"


@strawberry.enum
class AppliesAs(Enum):
    SELF = "self"
    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL = "principal"
    DIRECTLY_RESPONSIBLE = "directly_responsible"


@strawberry.enum
class SubjectKind(Enum):
    INSTITUTION = "institution"
    PERSON = "person"


@strawberry.enum
class Grade(Enum):
    EXCELLENT = "excellent"
    PASS = "pass"
    POOR = "poor"
