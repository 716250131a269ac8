"""Root resolvers called without strawberry's per-request argument conversion.

Strawberry converts a resolver's arguments on every call by walking their annotations
(resolving each input field's type, camel-casing each name): for `sanctions` that was a
fifth of a compiled request's time. Here the same conversion is worked out once per
field, for the kinds of argument the hub's root fields take (scalars, enums, lists, input
types, optional ones), and the resolver is called as strawberry calls it (keyword
arguments, strawberry's ``Info`` for the parameter that asks for it). A field with
anything else (field extensions or permission classes, exception handlers, a resolver
taking ``self``, ``root`` or ``parent``, an argument of another kind) gets None and keeps
strawberry's own path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from graphql import GraphQLField, GraphQLResolveInfo
from strawberry.relay import GlobalID
from strawberry.schema import Schema
from strawberry.schema.compat import is_scalar
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

Convert = Callable[[Any], Any]
Call = Callable[[GraphQLResolveInfo[Any], dict[str, Any]], Any]


def _same(value: Any) -> Any:
    return value


def _converter(type_: StrawberryType | type, schema: Schema) -> Convert | None:
    """What strawberry's convert_argument does to a non-null, set value of `type_`."""
    if isinstance(type_, StrawberryMaybe):
        return None
    if isinstance(type_, StrawberryOptional):
        return _converter(type_.of_type, schema)  # None and UNSET are handled by _value
    if isinstance(type_, StrawberryList):
        item = _converter(type_.of_type, schema)
        if item is None:
            return None
        if item is _same:
            return list  # a copy: graphql-core shares default values between requests
        wrapped = _value(item)
        return lambda value: [wrapped(v) for v in value]
    registry = schema.schema_converter.scalar_registry
    if type_ is GlobalID:  # strawberry decodes it (GlobalID.from_id)
        return None
    if is_scalar(type_, registry) or isinstance(type_, StrawberryEnumDefinition):
        return _same
    if has_enum_definition(type_):
        return _same
    if has_object_definition(type_):
        return _input(type_, schema)
    return None


def _input(type_: Any, schema: Schema) -> Convert | None:
    definition = type_.__strawberry_definition__
    if not definition.is_input or definition.from_input is not None:
        return None
    defaults = {
        f.python_name: None
        for f in definition.fields
        if f.default_value is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    fields: list[tuple[str, str, Convert]] = []
    for f in definition.fields:
        convert = _converter(f.resolve_type(type_definition=definition), schema)
        if convert is None:
            return None
        fields.append((schema.config.name_converter.from_field(f), f.python_name, _value(convert)))

    def build(value: Any) -> Any:
        kwargs = dict(defaults)
        for graphql_name, python_name, convert in fields:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name])
        return type_(**kwargs)

    return build


def _value(convert: Convert) -> Convert:
    """None stays None and UNSET stays UNSET, whatever the type (as strawberry does)."""
    return lambda value: value if value is None or value is UNSET else convert(value)


def direct_call(field: GraphQLField, schema: Schema) -> Call | None:
    """Call the field's strawberry resolver with graphql-core's coerced arguments, or None."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    resolver = definition.base_resolver
    if (
        resolver is None
        or definition.extensions
        or definition.permission_classes
        or schema.schema_converter.exception_handlers
        or resolver.self_parameter
        or resolver.root_parameter
        or resolver.parent_parameter
    ):
        return None
    arguments: list[tuple[str, str, Convert]] = []
    for argument in definition.arguments:
        convert = _converter(argument.type, schema)
        if convert is None or argument.python_name is None:
            return None
        name = schema.config.name_converter.from_argument(argument)
        arguments.append((name, argument.python_name, _value(convert)))
    info_parameter = resolver.info_parameter
    info_name = info_parameter.name if info_parameter else None
    info_class = schema.config.info_class

    def call(info: GraphQLResolveInfo[Any], args: dict[str, Any]) -> Any:
        kwargs = {p: convert(args[g]) for g, p, convert in arguments if g in args}
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=definition)
        return resolver(**kwargs)

    return call
