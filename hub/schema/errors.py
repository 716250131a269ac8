"""Input errors as GraphQL errors that name the field and the reason."""

from __future__ import annotations

from graphql import GraphQLError

from hub.identifiers import IdentifierError


class BadInput(GraphQLError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(
            f"{field}: {reason}", extensions={"code": "BAD_USER_INPUT", "field": field}
        )


def bad_identifier(prefix: str, err: IdentifierError) -> BadInput:
    field = f"{prefix}.{err.field}" if prefix else err.field
    return BadInput(field, f"{err.reason} (got {err.shown!r})")


def require_purpose(purpose: str) -> str:
    text = " ".join(purpose.split())
    if len(text) < 4:
        raise BadInput("purpose", "state why the data is needed (at least 4 characters)")
    if len(text) > 500:
        raise BadInput("purpose", "at most 500 characters")
    return text
