"""Enforce the policy where the schema resolves: every root field, and each nested field the
policy names, gets a wrapper that checks the caller's role (and purpose) first.

Done on graphql-core's resolvers, so no per-field extension runs on fields the policy
leaves open, and operations added later are refused until the policy names them.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLFieldResolver,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    default_field_resolver,
)

from hub.access.forbidden import Forbidden
from hub.access.policy import POLICY, ROOT_TYPES, Rule
from hub.access.purpose import check_purpose
from hub.access.roles import Role
from hub.access.state import AccessState
from hub.schema.errors import BadInput


def _own_agency(rule: Rule, state: AccessState, coordinate: str, args: dict[str, Any]) -> None:
    assert rule.own_agency is not None
    agency = state.principal.agency
    given = (args.get("filter") or {}).get(rule.own_agency)
    if given != agency:
        raise Forbidden(
            coordinate,
            Role.AGENCY,
            f"the agency role may not use {coordinate} beyond its own records: "
            f'set filter: {{{rule.own_agency}: "{agency}"}}',
        )


def _purpose(state: AccessState, coordinate: str, args: dict[str, Any]) -> None:
    given = args.get("purpose")
    text = given if given is not None else state.header_purpose
    if text is None:
        raise BadInput(
            "purpose", f"required for {coordinate}: pass purpose or the X-Purpose header"
        )
    state.purposes[check_purpose(text)] = None


class Guarded:
    """A resolver behind the policy check. `allow` and `inner` are there so a compiled
    plan (hub.schema.compiled) can run the very same check and call the resolver its own
    way."""

    __slots__ = ("coordinate", "inner", "rule")

    def __init__(self, coordinate: str, rule: Rule | None, inner: GraphQLFieldResolver) -> None:
        self.coordinate = coordinate
        self.rule = rule
        self.inner = inner

    def allow(self, info: GraphQLResolveInfo[Any], args: dict[str, Any]) -> None:
        """Raise Forbidden (noted as refused) or BadInput unless the caller may ask this."""
        state: AccessState = info.context.access
        role = state.principal.role
        coordinate, rule = self.coordinate, self.rule
        if rule is None:
            state.refused.append(coordinate)
            reason = f"the {role.value} role may not use {coordinate}: it is not in the policy"
            raise Forbidden(coordinate, role, reason)
        if role not in rule.roles:
            state.refused.append(coordinate)
            raise Forbidden(coordinate, role)
        if rule.own_agency and role is Role.AGENCY:
            try:
                _own_agency(rule, state, coordinate, args)
            except Forbidden:
                state.refused.append(coordinate)
                raise
        if rule.subjects:
            _purpose(state, coordinate, args)

    def __call__(self, root: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        self.allow(info, args)
        return self.inner(root, info, **args)


def guard_schema(schema: GraphQLSchema) -> None:
    """Wrap the resolvers (once, at build time); a policy row naming no field is a bug."""
    for coordinate in POLICY:
        type_name, _, field_name = coordinate.partition(".")
        owner = schema.get_type(type_name)
        if not isinstance(owner, GraphQLObjectType) or field_name not in owner.fields:
            raise ValueError(f"the access policy names {coordinate}, which is not in the schema")
    for type_name in ROOT_TYPES:
        root = schema.get_type(type_name)
        if isinstance(root, GraphQLObjectType):
            for name, field in root.fields.items():
                coordinate = f"{type_name}.{name}"
                resolve = field.resolve or default_field_resolver
                field.resolve = Guarded(coordinate, POLICY.get(coordinate), resolve)
    for coordinate, rule in POLICY.items():
        type_name, _, name = coordinate.partition(".")
        if type_name in ROOT_TYPES:
            continue
        owner = schema.get_type(type_name)
        assert isinstance(owner, GraphQLObjectType)
        field = owner.fields[name]
        field.resolve = Guarded(coordinate, rule, field.resolve or default_field_resolver)
