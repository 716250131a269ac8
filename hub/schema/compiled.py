"""Compiled execution of plain queries: the hub's hot questions without graphql-core's
per-field machinery.

graphql-core takes every field of a response through resolve-info building, awaitable
checks and type dispatch, and strawberry adds its extension runner around the whole; for
`sanctions` that cost about 15 times the engine's own work (measured: ~550 µs against
~35 µs). A query text that has already parsed and validated, limits included, is compiled
here, once, into a plan:

* its root fields are called as graphql-core calls them: variables and arguments coerced
  by graphql-core's own ``get_variable_values`` and ``get_argument_values``, an info
  object with the fields of the one strawberry's executor builds (building that executor
  per request cost a tenth of the request), then the resolver the schema holds (the
  access guard, strawberry's argument conversion, the hub's resolver), or, for a guarded
  field whose arguments :mod:`hub.schema.direct` can convert, the guard's own check and
  a direct call;
* what they return becomes the response through functions built once per selection set:
  strawberry's attribute read for each plain field, each leaf through its type's own
  ``coerce_output_value``.

Only what can be done exactly as graphql-core does it is compiled: no fragments, no
directives, no field below the root with a resolver of its own (those, DataLoaders and
guarded fields, stay with graphql-core), no interfaces or unions. At run time anything
unusual (variables that do not coerce, an error from a resolver, a null where the schema
says non-null, a value a scalar refuses) abandons the plan: the caller puts back what the
attempt noted and runs the request the usual way from the start, so every error a client
sees is graphql-core's own. The schema must have no field middleware (extensions with a
``resolve`` hook): the hub's has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    get_argument_values,
)
from graphql.execution.values import get_variable_values
from graphql.pyutils import Path
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema import Schema

from hub.schema.direct import direct_call
from hub.schema.limits import CACHE_SIZE, QueryCache

Complete = Callable[[Any], Any]
Resolve = Callable[[Any, Any], Any]


class Abandon(Exception):
    """The plan cannot answer this request exactly as graphql-core would."""


RootCall = Callable[[Any, Any, dict[str, Any]], Any]  # (root value, info, arguments)


@dataclass(frozen=True, slots=True)
class RootField:
    key: str  # the response key (alias or name)
    node: FieldNode
    field: GraphQLField
    call: RootCall  # (root value, info, coerced arguments) -> value or awaitable
    complete: Complete


@dataclass(frozen=True, slots=True)
class Plan:
    document: DocumentNode
    operation_name: str | None
    operation: OperationDefinitionNode
    root_type: GraphQLObjectType
    roots: tuple[RootField, ...]


class PlanInfo(NamedTuple):
    """The resolve info of a planned root field: the fields of strawberry's own info
    class (variables as the plain coerced dict, as strawberry passes them)."""

    field_name: str
    field_nodes: list[FieldNode]
    return_type: GraphQLOutputType
    parent_type: GraphQLObjectType
    path: Path
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    root_value: Any
    operation: OperationDefinitionNode
    variable_values: dict[str, Any]
    context: Any
    is_awaitable: Callable[[Any], bool]
    abort_signal: Any
    async_helpers: GraphQLResolveInfoHelpers
    operation_extensions: dict[str, Any] | None


def _untracked(_: Any) -> Any:
    """A resolver that hands async work to the executor needs graphql-core's: abandon."""
    raise Abandon


_NO_EXECUTOR = GraphQLResolveInfoHelpers(gather=_untracked, track=_untracked)


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Complete:
    coerce = type_.coerce_output_value

    def complete(value: Any) -> Any:
        result = coerce(value)
        if result is None or result is Undefined:
            raise Abandon
        return result

    return complete


def _typename(name: str) -> Resolve:
    return lambda _source, _info: name


def _object(type_: GraphQLObjectType, node: FieldNode) -> Complete | None:
    if type_.is_type_of is not None or node.selection_set is None:
        return None
    fields: list[tuple[str, Resolve, Complete]] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        key = (selection.alias or selection.name).value
        if any(key == k for k, _, _ in fields):  # graphql-core would merge the two
            return None
        if selection.name.value == "__typename":
            fields.append((key, _typename(type_.name), lambda name: name))
            continue
        field = type_.fields.get(selection.name.value)
        # strawberry marks the resolver of a field that is a plain attribute read
        if field is None or not getattr(field.resolve, "_is_default", False):
            return None
        done = _output(field.type, selection)
        if done is None:
            return None
        assert field.resolve is not None
        fields.append((key, field.resolve, done))

    def complete(value: Any) -> dict[str, Any]:
        return {key: done(resolve(value, None)) for key, resolve, done in fields}

    return complete


def _list(item: Complete) -> Complete:
    def complete(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise Abandon
        return [item(v) for v in value]

    return complete


def _nullable(type_: GraphQLOutputType, node: FieldNode) -> Complete | None:
    if isinstance(type_, GraphQLList):
        item = _output(type_.of_type, node)
        return None if item is None else _list(item)
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return _leaf(type_)
    if isinstance(type_, GraphQLObjectType):
        return _object(type_, node)
    return None  # interfaces and unions


def _output(type_: GraphQLOutputType, node: FieldNode) -> Complete | None:
    if isinstance(type_, GraphQLNonNull):
        inner = _nullable(type_.of_type, node)
        if inner is None:
            return None

        def non_null(value: Any) -> Any:
            if value is None:
                raise Abandon
            return inner(value)

        return non_null
    inner_nullable = _nullable(type_, node)
    if inner_nullable is None:
        return None
    return lambda value: None if value is None else inner_nullable(value)


def _root_call(field: GraphQLField, strawberry: Schema | None) -> RootCall:
    """How graphql-core calls the field's resolver; for a field behind the access guard
    (an `allow` check, then strawberry's own resolver as `inner`) whose arguments
    hub.schema.direct can convert: the same check, then the resolver called directly."""
    resolve = field.resolve
    assert resolve is not None
    allow = getattr(resolve, "allow", None)
    inner = getattr(resolve, "inner", None)
    strawberrys = getattr(inner, "__qualname__", "").startswith("GraphQLCoreConverter.")
    direct = direct_call(field, strawberry) if strawberry and allow and strawberrys else None
    if allow is not None and direct is not None:

        def checked(_root: Any, info: GraphQLResolveInfo[Any], args: dict[str, Any]) -> Any:
            allow(info, args)
            return direct(info, args)

        return checked
    return lambda root, info, args: resolve(root, info, **args)


def compile_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    strawberry: Schema | None = None,
) -> Plan | None:
    """A plan for the operation, or None when some part of it is not plain. With the
    strawberry schema, guarded root fields skip strawberry's argument conversion."""
    operations = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            return None  # fragments
        if operation_name is None or (definition.name and definition.name.value == operation_name):
            operations.append(definition)
    root_type = schema.query_type
    if len(operations) != 1 or root_type is None:
        return None
    operation = operations[0]
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    roots: list[RootField] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return None
        key = (selection.alias or selection.name).value
        field = root_type.fields.get(selection.name.value)
        if field is None or field.resolve is None or any(key == r.key for r in roots):
            return None
        complete = _output(field.type, selection)
        if complete is None:
            return None
        roots.append(RootField(key, selection, field, _root_call(field, strawberry), complete))
    return Plan(document, operation_name, operation, root_type, tuple(roots))


class CompiledQueries:
    """Plans by query text and operation name, compiled on the first request after the
    text has validated; bounded like the parse and validation caches."""

    def __init__(self, schema: Schema, cache: QueryCache) -> None:
        self._strawberry = schema
        self._schema = schema._schema
        self._cache = cache
        self._plans: dict[tuple[str, str | None], Plan | None] = {}
        self.answered = 0  # requests a plan answered
        self.abandoned = 0  # requests a plan handed back to the usual path

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        key = (query, operation_name)
        try:
            return self._plans[key]
        except KeyError:
            pass
        document = self._cache.valid_document(self._schema, query)
        if document is None:  # not (yet) validated: the usual path parses and validates it
            return None
        if len(self._plans) >= CACHE_SIZE:
            self._plans.clear()
        plan = compile_plan(self._schema, document, operation_name, self._strawberry)
        self._plans[key] = plan
        return plan

    async def execute(
        self,
        plan: Plan,
        context: Any,
        root_value: Any,
        variables: dict[str, Any] | None,
        extensions: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The response's `data`; raises Abandon when the usual path must answer."""
        operation = plan.operation
        coerced = get_variable_values(  # as graphql-core's Executor.build coerces them
            self._schema, operation.variable_definitions or (), variables or {}, max_errors=50
        )
        if isinstance(coerced, list):  # variable errors: the usual path reports them
            self.abandoned += 1
            raise Abandon
        data: dict[str, Any] = {}
        root_type = plan.root_type
        try:
            for root in plan.roots:
                info = PlanInfo(
                    root.node.name.value,
                    [root.node],
                    root.field.type,
                    root_type,
                    Path(None, root.key, root_type.name),
                    self._schema,
                    {},
                    root_value,
                    operation,
                    coerced.coerced,
                    context,
                    optimized_is_awaitable,
                    None,
                    _NO_EXECUTOR,
                    extensions,
                )
                args = get_argument_values(root.field, root.node, coerced)
                value = root.call(root_value, info, args)
                if optimized_is_awaitable(value):
                    value = await value
                data[root.key] = root.complete(value)
        except Exception as exc:  # an error the usual path will raise and report again
            self.abandoned += 1
            raise Abandon from exc
        self.answered += 1
        return data
