"""Compiled plans (hub.schema.compiled) answer exactly as graphql-core does.

Over real HTTP: a plain query is answered by its plan from its second request on; the
same query with `@include(if: true)` on the root field is never compiled (a directive),
so graphql-core answers it every time. Their responses must be equal, answers and errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry import relay

from hub.app import HubGraphQL
from hub.schema.compiled import Abandon, CompiledQueries, compile_plan
from hub.schema.direct import direct_call
from hub.schema.limits import QueryCache
from tests import factories as f
from tests.api.conftest import LiveHub
from tests.sanctions.test_acceptance import (
    DOC_OTHER,
    DOC_RESP,
    LR_NEW,
    LR_OLD,
    PRINCIPAL,
    RIOTER,
    A,
    B,
    C,
    D,
    E,
    F,
    G,
)

SELECTION = """
    __typename
    subject { kind uscc personRef idType idNumberMasked }
    asOf
    measures {
      measure { code title basis enforcingAgencyKind enforcingBody triggerList triggerGrade
                appliesTo }
      enforcingAgency { kind body }
      appliesAs
      entry { id list status underObjection severity reason basis decidedBy decidedOn
              violationOn validFrom validUntil }
      evaluation { year grade }
      until
      path { kind type key name role validFrom validTo }
    }
    warnings { personRef personName idNumberMasked role roleFrom measureCode entryId message }
"""
ROOT = "sanctions(subject: $s, asOf: $d, purpose: $p)"
PLAIN = f"query($s: SubjectInput!, $d: Date, $p: String!) {{ report: {ROOT} {{ {SELECTION} }} }}"
USUAL = PLAIN.replace(f"report: {ROOT}", f"report: {ROOT} @include(if: true)")
SUBJECTS: list[dict[str, Any]] = [
    *({"uscc": u} for u in (A, B, C, D, E, F, G, f.uscc())),
    *(
        {"idType": "RESIDENT_ID", "idNumber": n}
        for n in (LR_OLD, LR_NEW, PRINCIPAL, DOC_RESP, DOC_OTHER, RIOTER)
    ),
]
DATES = ["2024-01-01", "2025-06-30", "2026-05-01", "2026-07-01", "2026-11-01", "2029-01-01"]


def handler(hub: LiveHub) -> HubGraphQL:
    graphql: HubGraphQL = hub.app.state.graphql
    return graphql


def ask(hub: LiveHub, query: str, variables: dict[str, Any], key: str | None = "agency") -> Any:
    response = hub.post(query, variables, key=key)
    return response.status_code, response.json()


def test_plain_queries_answer_as_graphql_core_does(server: LiveHub) -> None:
    compiled = handler(server).compiled
    first = {"s": {"uscc": A}, "d": "2026-05-01", "p": "licence review"}
    ask(server, PLAIN, first)
    plan = compiled.plan(PLAIN, None)  # compiled once the text validated
    assert plan is not None and plan.roots[0].call.__name__ == "checked"  # guard, then direct
    seen_measures, answered = 0, compiled.answered
    for subject in SUBJECTS:
        for day in DATES:
            variables = {"s": subject, "d": day, "p": "licence review"}
            status, plain = ask(server, PLAIN, variables)
            assert (status, plain) == ask(server, USUAL, variables)
            assert "errors" not in plain
            seen_measures += len(plain["data"]["report"]["measures"])
    assert compiled.plan(USUAL, None) is None
    assert compiled.answered - answered == len(SUBJECTS) * len(DATES)
    assert seen_measures > 20  # the comparison covered real answers, not only empty ones


def test_screen_is_compiled_too(server: LiveHub) -> None:
    query = (
        'query($s: [SubjectInput!]!) { screen(subjects: $s, asOf: "2026-05-01", '
        'purpose: "bulk check") { subject { uscc personRef } measures { measure { code } '
        "appliesAs path { type key role } } warnings { entryId } } }"
    )
    usual = query.replace('purpose: "bulk check")', 'purpose: "bulk check") @include(if: true)')
    variables = {"s": SUBJECTS}
    ask(server, query, variables)
    assert handler(server).compiled.plan(query, None) is not None
    assert ask(server, query, variables) == ask(server, usual, variables)


@pytest.mark.parametrize(
    ("variables", "key"),
    [
        ({"s": {"uscc": A[:-1] + ("0" if A[-1] != "0" else "1")}, "p": "licence review"}, "agency"),
        (
            {
                "s": {"idType": "RESIDENT_ID", "idNumber": "110105194912310021"},
                "p": "licence review",
            },
            "agency",
        ),
        (
            {"s": {"uscc": A, "idType": "PASSPORT", "idNumber": "E123456"}, "p": "licence review"},
            "agency",
        ),
        ({"s": {"idType": "DRIVING_LICENCE", "idNumber": "1"}, "p": "licence review"}, "agency"),
        ({"s": {"uscc": A}, "d": "yesterday", "p": "licence review"}, "agency"),
        ({"s": {"uscc": A}}, "agency"),  # no purpose
        ({"s": {"uscc": A}, "p": "   "}, "agency"),  # a blank purpose
        ({"s": {"uscc": A}, "p": "x"}, "agency"),  # too short to say why
        ({"s": {"uscc": A}, "p": "licence review"}, None),  # the public role may not ask
    ],
)
def test_errors_are_graphql_cores_own(
    server: LiveHub, variables: dict[str, Any], key: str | None
) -> None:
    compiled = handler(server).compiled
    ask(server, PLAIN, {"s": {"uscc": A}, "p": "warm-up"})
    assert compiled.plan(PLAIN, None) is not None
    abandoned = compiled.abandoned
    status, body = ask(server, PLAIN, variables, key)
    assert body["errors"] and compiled.abandoned == abandoned + 1
    assert (status, body) == ask(server, USUAL, variables, key)


def test_what_is_not_plain_is_left_to_graphql_core(server: LiveHub) -> None:
    compiled = handler(server).compiled
    head = f'sanctions(subject: {{uscc: "{A}"}}, purpose: "a check")'
    not_plain = [
        # fields with resolvers of their own (DataLoaders): subject.known, agencies
        f"{{ {head} {{ subject {{ known name }} }} }}",
        f"{{ {head} {{ measures {{ enforcingAgency {{ agencies {{ code }} }} }} }} }}",
        # fragments, and introspection
        f"query {{ {head} {{ ...R }} }} fragment R on SanctionReport {{ asOf }}",
        "{ __schema { queryType { name } } }",
    ]
    for query in not_plain:
        for _ in range(2):
            status, body = ask(server, query, {}, key="credit_office")
            assert status == 200 and "errors" not in body, body
        assert compiled.plan(query, None) is None


# --- a plan abandoned half-way: the usual path answers, with graphql-core's error ---------


@strawberry.type
class Item:
    name: str


@dataclass
class Broken:
    name: str | None  # a null where the schema says String!


@strawberry.type
class Query:
    @strawberry.field
    def item(self, good: bool) -> Item:
        return Item(name="ok") if good else Broken(name=None)  # type: ignore[return-value]

    @strawberry.field
    def fail(self) -> Item:
        raise ValueError("no item today")


async def test_a_plan_abandons_what_graphql_core_would_answer_with_an_error() -> None:
    cache = QueryCache(max_depth=5, max_tokens=200, max_aliases=5)
    schema = strawberry.Schema(query=Query, extensions=[cache.extension])
    compiled = CompiledQueries(schema, cache)
    query = "query($g: Boolean!) { item(good: $g) { name __typename } }"
    assert compiled.plan(query, None) is None  # not validated yet
    usual = await schema.execute(query, variable_values={"g": True})
    plan = compiled.plan(query, None)
    assert plan is not None
    assert await compiled.execute(plan, None, None, {"g": True}, None) == usual.data
    for variables in ({"g": False}, {"g": "yes"}, {}):
        with pytest.raises(Abandon):
            await compiled.execute(plan, None, None, variables, None)
        assert (await schema.execute(query, variable_values=variables)).errors
    await schema.execute("{ fail { name } }")
    fail = compiled.plan("{ fail { name } }", None)
    assert fail is not None
    with pytest.raises(Abandon):
        await compiled.execute(fail, None, None, None, None)


def test_only_the_named_query_operation_is_compiled() -> None:
    schema = strawberry.Schema(query=Query)
    from graphql import parse

    two = parse("query A { item(good: true) { name } } query B { item(good: true) { n: name } }")
    plan = compile_plan(schema._schema, two, "B")
    assert plan is not None and plan.roots[0].key == "item"
    assert compile_plan(schema._schema, two, None) is None  # ambiguous: graphql-core's error
    assert compile_plan(schema._schema, two, "C") is None
    dup = parse("{ item(good: true) { name } item(good: true) { name } }")
    assert compile_plan(schema._schema, dup, None) is None  # merged fields: graphql-core's job


# --- root resolvers called directly: the arguments strawberry would have passed -----------


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.input
class Inner:
    n: int
    tags: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class Outer:
    name: str
    colour: Colour = Colour.RED
    inner: Inner | None = None
    inners: list[Inner] | None = None
    when: dt.date | None = None


RECEIVED: list[dict[str, Any]] = []


def echo(
    info: strawberry.Info, outer: Outer, many: list[Outer] | None = None, flag: bool | None = None
) -> str:
    RECEIVED.append({"outer": outer, "many": many, "flag": flag, "info": type(info).__name__})
    return "ok"


@strawberry.type
class EchoQuery:
    echo: str = strawberry.field(resolver=echo)


class Checked:
    """Stands in for hub.access.guard.Guarded: a check, then strawberry's resolver."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.checked = 0

    def allow(self, info: Any, args: dict[str, Any]) -> None:
        self.checked += 1

    def __call__(self, root: Any, info: Any, **args: Any) -> Any:
        self.allow(info, args)
        return self.inner(root, info, **args)


@pytest.mark.parametrize(
    "variables",
    [
        {"o": {"name": "a"}},
        {"o": {"name": "a", "colour": "BLUE", "inner": {"n": 1}, "when": "2026-05-01"}},
        {"o": {"name": "a", "inner": None, "inners": [{"n": 2, "tags": ["x", "y"]}]}},
        {"o": {"name": "a"}, "m": [{"name": "b", "colour": "RED"}, {"name": "c"}], "f": True},
        {"o": {"name": "a"}, "m": None, "f": None},
    ],
)
async def test_direct_calls_pass_what_strawberry_passes(variables: dict[str, Any]) -> None:
    cache = QueryCache(max_depth=5, max_tokens=500, max_aliases=5)
    schema = strawberry.Schema(query=EchoQuery, extensions=[cache.extension])
    field = schema._schema.query_type.fields["echo"]  # type: ignore[union-attr]
    guard = field.resolve = Checked(field.resolve)
    compiled = CompiledQueries(schema, cache)
    query = "query($o: Outer!, $m: [Outer!], $f: Boolean) { echo(outer: $o, many: $m, flag: $f) }"
    RECEIVED.clear()
    usual = await schema.execute(query, variable_values=variables)
    assert usual.errors is None and guard.checked == 1
    plan = compiled.plan(query, None)
    assert plan is not None and plan.roots[0].call.__name__ == "checked"  # not the chain
    assert await compiled.execute(plan, None, None, variables, None) == usual.data
    assert guard.checked == 2
    assert RECEIVED[0]["info"] == "Info" and RECEIVED[1] == RECEIVED[0]


def by_global_id(id: relay.GlobalID) -> str:
    return id.node_id


def maybe_named(name: strawberry.Maybe[str]) -> str:
    return "set" if name else "unset"


@strawberry.type
class OtherQuery:
    by_global_id: str = strawberry.field(resolver=by_global_id)
    maybe_named: str = strawberry.field(resolver=maybe_named)
    echo: str = strawberry.field(resolver=echo)


def test_arguments_strawberry_converts_its_own_way_keep_its_path() -> None:
    schema = strawberry.Schema(query=OtherQuery)
    fields = schema._schema.query_type.fields  # type: ignore[union-attr]
    assert direct_call(fields["byGlobalId"], schema) is None  # decoded by strawberry
    assert direct_call(fields["maybeNamed"], schema) is None  # Some(...) wrappers
    assert direct_call(fields["echo"], schema) is not None
