"""The error a refused field gets: code FORBIDDEN, naming the field and the role."""

from __future__ import annotations

from graphql import GraphQLError

from hub.access.roles import Role


class Forbidden(GraphQLError):
    def __init__(self, coordinate: str, role: Role, reason: str | None = None) -> None:
        hint = " (no API key: send Authorization: Bearer <key>)" if role is Role.PUBLIC else ""
        message = reason or f"the {role.value} role may not use {coordinate}{hint}"
        super().__init__(
            f"forbidden: {message}",
            extensions={"code": "FORBIDDEN", "field": coordinate, "role": role.value},
        )
