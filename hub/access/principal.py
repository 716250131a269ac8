"""Who is asking: the API key's id, the agency it was issued to, and its role."""

from __future__ import annotations

from dataclasses import dataclass

from hub.access.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    agency: str
    role: Role


PUBLIC = Principal("public", "public", Role.PUBLIC)
