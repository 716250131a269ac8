"""The ASGI application: starlette routes around the strawberry GraphQL endpoint, and the
public endpoints (hub.public: the published list, the verification page, the QR code).

Every GraphQL request is authenticated (``Authorization: Bearer <key>``, or none: the
public role), executed under the access policy (hub.access.guard), and logged: one leaf
in the signed access log, durable before the first byte of the answer is sent, whose
receipt travels in the ``X-Audit-Receipt`` header. If the log cannot be written the
answer is a 503 with no data (fail closed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from hub.access.audit_keys import open_audit_log
from hub.access.hook import AccessLogger, add_receipt
from hub.access.keys import KeyStore, Unauthenticated
from hub.access.principal import Principal
from hub.access.purpose import PURPOSE_HEADER, header_purpose
from hub.access.roles import Role
from hub.access.state import SCOPE_KEY, AccessState
from hub.graph import open_store
from hub.graphql_http import GraphQLOverHTTP, is_request_error
from hub.personal_data import load_keyring
from hub.public import PublicSite
from hub.resolvers.context import HubContext, Loaders, Services
from hub.sanctions.catalogue import default_catalogue
from hub.sanctions.index import SanctionIndex
from hub.sanctions.service import SanctionService
from hub.schema import build_schema, query_cache
from hub.schema.compiled import Abandon, CompiledQueries
from hub.settings import Settings
from hub.workflows import WorkflowService

PLAN_TRIED = "credit_hub.plan_tried"  # in the ASGI scope: a compiled plan handed back
UNAVAILABLE = "the access log cannot be written: the request was not answered (fail closed)"


async def open_services(settings: Settings) -> Services:
    keyring = load_keyring(settings.secret_path)
    catalogue = default_catalogue()  # validated here: a bad catalogue stops start-up
    audit = open_audit_log(settings)  # creates the log's signing key on first start
    store = await open_store(settings)
    index = (
        SanctionIndex(store, catalogue, settings.sanction_index_max_age_s)
        if settings.sanction_index
        else None
    )
    return Services(
        settings,
        store,
        keyring,
        catalogue,
        SanctionService(store, catalogue, keyring, index),
        KeyStore(settings.keys_path, keyring),
        audit,
        WorkflowService(store, keyring, settings.secret_path.parent, catalogue=catalogue),
    )


def _error_class(result: ExecutionResult) -> str:
    error = (result.errors or [])[0]
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if error.original_error is not None:
        return type(error.original_error).__name__
    return "GRAPHQL_VALIDATION_FAILED" if is_request_error(result) else "GraphQLError"


class HubGraphQL(GraphQLOverHTTP[HubContext, None]):
    """The hub's GraphQL endpoint: GraphQL over HTTP, access control and the access log."""

    def __init__(self, services: Services, *, log_requests: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("subscription_protocols", ())  # no websockets: they would bypass this
        cache = query_cache()
        schema = build_schema(cache)
        super().__init__(schema, **kwargs)
        self.compiled = CompiledQueries(schema, cache)
        self.services = services
        self.access_log = AccessLogger(
            services.audit if log_requests else None, services.settings.audit_timeout
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        state = AccessState(header_purpose=header_purpose(request.headers.get(PURPOSE_HEADER)))
        scope[SCOPE_KEY] = state
        response = await self._answer(request, state)
        try:
            receipt = await self.access_log.append(state)
        except Exception:  # AuditError, or a leaf we could not build: fail closed
            response = self.error_response(request, HTTPException(503, UNAVAILABLE))
            response.headers["Retry-After"] = "5"
        else:
            if receipt is not None:
                add_receipt(response, receipt)
        await response(scope, receive, send)

    async def _answer(self, request: Request, state: AccessState) -> Response:
        authorization = request.headers.get("authorization")
        if authorization is not None:
            try:
                state.principal = self._authenticate(authorization)
            except Unauthenticated as exc:
                state.unauthenticated = True
                state.principal = Principal(exc.key_id, "unknown", Role.PUBLIC)
                state.note_error("UNAUTHENTICATED")
                response = self.error_response(
                    request, HTTPException(401, f"unauthenticated: {exc}")
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="credit-hub"'
                return response
        try:
            if request.method == "POST":
                planned = await self._answer_planned(request)
                if planned is not None:
                    return planned
            return await self.run(request)
        except HTTPException as exc:
            state.note_error(f"HTTP_{exc.status_code}")
            return self.error_response(request, exc)
        except Exception as exc:  # logged as an error, answered 500 without details
            state.note_error(type(exc).__name__)
            return self.error_response(request, HTTPException(500, "internal error"))

    async def _answer_planned(self, request: Request) -> Response | None:
        """An ordinary POST of a plain query seen before, answered by its plan without
        strawberry's view around it (a fifth of such a request's time went there); None
        hands the request to the usual path, which then does everything itself."""
        request_data = await self.plain_post(request)
        if request_data is None:
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        _note_operation(context, request_data)
        result = await self._planned(context, None, request_data)
        if result is None:
            request.scope[PLAN_TRIED] = True  # the usual path need not try it again
            return None
        return self.create_response(await self.process_result(request, result), sub_response)

    async def _planned(
        self, context: HubContext, root_value: None, request_data: GraphQLRequestData
    ) -> ExecutionResult | None:
        """The result of the query's compiled plan (hub.schema.compiled), or None when it
        has none or the plan hands the request back to graphql-core."""
        query, name = request_data.query, request_data.operation_name
        if not isinstance(query, str) or not (name is None or isinstance(name, str)):
            return None
        plan = self.compiled.plan(query, name)
        if plan is None:
            return None
        noted = context.access.snapshot()
        try:
            data = await self.compiled.execute(
                plan, context, root_value, request_data.variables, request_data.extensions
            )
        except Abandon:
            context.access.restore(noted)  # the usual path notes it all again
            return None
        return ExecutionResult(data=data, errors=None)

    def _authenticate(self, authorization: str) -> Principal:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send the API key as `Authorization: Bearer <key>`")
        return self.services.keys.authenticate(token.strip())

    async def get_context(self, request: Any, response: Any) -> HubContext:
        state = request.scope.get(SCOPE_KEY) or AccessState()
        loaders = Loaders.create(self.services.store, state)
        return HubContext(self.services, loaders, request, response, access=state)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: HubContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        _note_operation(context, request_data)
        queries_allowed = request_adapter.method != "GET" or self.allow_queries_via_get
        if queries_allowed and not request.scope.get(PLAN_TRIED):
            result = await self._planned(context, root_value, request_data)
            if result is not None:
                return result
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        state: AccessState | None = request.scope.get(SCOPE_KEY)
        if state is not None and result.errors:
            state.note_error(_error_class(result))
        return await super().process_result(request, result)


def _note_operation(context: HubContext, request_data: GraphQLRequestData) -> None:
    """What the access log records of the operation (hashed there, never the text)."""
    query, name = request_data.query, request_data.operation_name
    context.access.query = query if isinstance(query, str) else None
    context.access.operation_name = name if isinstance(name, str) else None


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    *,
    log_requests: bool = True,
) -> Starlette:
    """The hub's ASGI app. ``log_requests=False`` exists for benchmarks only (no setting)."""
    settings = settings or Settings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = services is None
        state["services"] = services or await open_services(settings)
        app.state.services = state["services"]
        if state["services"].sanctions.index is not None:
            state["services"].sanctions.index.refresh()  # loads in the background
        state["graphql"] = HubGraphQL(
            state["services"],
            log_requests=log_requests,
            graphql_ide="graphiql" if settings.development else None,
        )
        app.state.graphql = state["graphql"]
        state["public"] = PublicSite(state["services"], state["graphql"].access_log)
        app.state.public = state["public"]
        try:
            yield
        finally:
            if own:
                await state["services"].close()

    class GraphQLEndpoint:
        """ASGI endpoint that hands over to the handler built at start-up."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await state["graphql"](scope, receive, send)

    async def health(_: Request) -> Response:
        s: Services = state["services"]
        index = s.sanctions.index
        return JSONResponse(
            {
                "status": "ok",
                "store": s.store.name,
                "catalogue": s.catalogue.version,
                "sanction_index": "off" if index is None else "ready" if index.ready else "loading",
            }
        )

    async def public_lists(request: Request) -> Response:
        site: PublicSite = state["public"]
        return await site.lists(request)

    async def verify(request: Request) -> Response:
        site: PublicSite = state["public"]
        return await site.verify(request)

    async def public_qr(request: Request) -> Response:
        site: PublicSite = state["public"]
        return await site.qr(request)

    return Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"]),
            Route("/health", health),
            Route("/public/lists", public_lists, methods=["GET"]),
            Route("/verify", verify, methods=["GET"]),
            Route("/public/qr/{name}", public_qr, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
