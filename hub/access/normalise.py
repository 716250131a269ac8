"""The query as the access log knows it: a SHA-256 of the normalised document and an
operation label, never the text.

Normalised = parsed, every literal value blanked, printed with ``print_ast``. Blanking
matters: a query with an ID number written inline would otherwise hash to a value anyone
could reproduce by trying candidate numbers (they have little entropy).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from hub.access.purpose import scrub


@dataclass(frozen=True, slots=True)
class QueryInfo:
    sha256: str
    operation: str


class _Blank(Visitor):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode:
        return StringValueNode(value="", block=False)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> IntValueNode:
        return IntValueNode(value="0")

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> FloatValueNode:
        return FloatValueNode(value="0.0")

    def enter_boolean_value(self, node: BooleanValueNode, *_: Any) -> BooleanValueNode:
        return BooleanValueNode(value=False)


def _label(op: OperationDefinitionNode) -> str:
    if op.name is not None:
        return op.name.value
    fields = sorted(
        {s.name.value for s in op.selection_set.selections if hasattr(s, "name") and s.name}
    )
    return f"{op.operation.value}{{{','.join(fields)}}}"


@lru_cache(maxsize=512)
def describe(query: str, operation_name: str | None = None) -> QueryInfo:
    """Digest and label of a query document (cached: clients repeat their documents)."""
    try:
        document = parse(query)
    except GraphQLError:
        masked = scrub(query).encode("utf-8", "replace")  # no ID number, even hashed
        digest = hashlib.sha256(masked).hexdigest()
        return QueryInfo(digest, "(unparsable document)")
    normalised = print_ast(visit(document, _Blank()))
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name is not None and op.name.value == operation_name)
    ]
    label = _label(chosen[0]) if len(chosen) == 1 else operation_name or "(no operation)"
    return QueryInfo(digest, scrub(label)[:200] or "(anonymous)")
