"""Query limits and the parse/validation caches, as one schema extension.

Strawberry dispatches every hook of every extension on every request; five separate
extensions (depth, tokens, aliases, parser cache, validation cache) cost about 20 hook
lookups and context managers a request, more than parsing a cached query. This does
their work in two hooks. The limit rules are strawberry's own (QueryDepthLimiter,
MaxAliasesLimiter), made once so the validation cache keys on the same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from graphql.language.parser import parse
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]
CACHE_SIZE = 512  # distinct query texts kept; bounded, so unique texts cannot grow memory


class RequestLimits(SchemaExtension):
    """Parse (token limit) and validate (depth and alias limits), both cached."""

    def __init__(
        self,
        max_tokens: int,
        rules: tuple[type[ASTValidationRule], ...],
        cached_parse: Callable[..., DocumentNode],
        cached_validate: Callable[
            [GraphQLSchema, str, DocumentNode, tuple[type[ASTValidationRule], ...]],
            list[GraphQLError],
        ],
    ) -> None:
        super().__init__()
        self.max_tokens = max_tokens
        self.rules = rules
        self.cached_parse = cached_parse
        self.cached_validate = cached_validate

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.cached_parse(context.query, max_tokens=self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        assert context.query is not None
        context.pre_execution_errors = self.cached_validate(
            context.schema._schema,
            context.query,
            context.graphql_document,
            (*context.validation_rules, *self.rules),
        )
        yield


class QueryCache:
    """The limit rules and the parse and validation caches, shared by every request's
    extension; :mod:`hub.schema.compiled` reads back which texts passed."""

    def __init__(self, max_depth: int, max_tokens: int, max_aliases: int) -> None:
        self.max_tokens = max_tokens
        self.rules: Rules = (
            *QueryDepthLimiter(max_depth=max_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
        )
        self.parse = lru_cache(maxsize=CACHE_SIZE)(parse)
        self._errors: dict[tuple[GraphQLSchema, str, Rules], list[GraphQLError]] = {}
        self._valid: dict[tuple[GraphQLSchema, str], DocumentNode] = {}

    def validate(
        self, schema: GraphQLSchema, query: str, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        # Keyed by the query text, not the document: hashing a graphql-core AST walks the
        # whole tree (~100 µs a request), a str caches its hash. The text determines the
        # document (the parse is cached by text too).
        key = (schema, query, rules)
        errors = self._errors.get(key)
        if errors is None:
            if len(self._errors) >= CACHE_SIZE:
                self._errors.clear()
                self._valid.clear()
            errors = self._errors[key] = validate_document(schema, document, rules)
            if not errors:
                self._valid[schema, query] = document
        return errors

    def valid_document(self, schema: GraphQLSchema, query: str) -> DocumentNode | None:
        """The document of a text that parsed and validated without errors, limits
        included (a text always gets the same rules), or None if not (yet) seen so."""
        return self._valid.get((schema, query))

    def extension(self) -> RequestLimits:
        """The schema's `extensions` entry: a fresh extension per request (each request
        has its own execution context), sharing the rules and the caches."""
        return RequestLimits(self.max_tokens, self.rules, self.parse, self.validate)
