"""GraphQL over HTTP (the GraphQL Foundation's spec) on top of strawberry's ASGI view.

Strawberry answers every request with ``application/json`` and status 200, errors or not.
The spec adds the media type ``application/graphql-response+json``, whose status codes mean
something: a client that asks for it (``Accept``) gets

* 200 when the operation was executed (``data`` present, even with field errors),
* 400 without a ``data`` entry when the document does not parse or validate, or the
  variables cannot be coerced (a *request error*: nothing was executed),
* 400 for a malformed request (bad JSON, ``query`` not a string, …), 405 for a mutation
  over GET, 406 when ``Accept`` names no media type we can produce, 415 for a POST body
  that is not ``application/json``.

Clients that ask for ``application/json``, send ``*/*`` or send no ``Accept`` keep the
legacy behaviour: 200 with ``"data": null`` for request errors. Errors that stop a request
before GraphQL runs are answered in JSON (``{"errors": [{"message": ...}]}``) with the
negotiated media type instead of strawberry's plain text.

Everything is done through strawberry's hooks (``get_sub_response``, ``parse_http_body``,
``parse_json``, ``parse_query_params``, ``execute_single``, ``process_result``,
``create_response`` and the ASGI ``__call__``); strawberry itself is untouched.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException, parse_content_type
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.typevars import Context, RootValue
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
SUPPORTED_MEDIA_TYPES = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)

_CONTENT_TYPE = {
    GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8",
    APPLICATION_JSON: APPLICATION_JSON,  # what strawberry (and our clients) always had
}


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header as (type, subtype, q); bad ranges are dropped."""
    ranges: list[tuple[str, str, float]] = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not (kind and slash and subtype):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight: ignore the range
        ranges.append((kind, subtype, q))
    return ranges


@lru_cache(maxsize=256)
def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None if none is acceptable (406).

    No Accept header (or one with no usable range) means ``application/json``, as the
    spec asks of servers while legacy clients exist. Otherwise each supported type gets
    the weight of the most specific range that matches it (RFC 9110 §12.5.1). Ties go to
    ``application/graphql-response+json`` when both are named explicitly and to
    ``application/json`` when both only match a wildcard (``*/*``, ``application/*``).
    """
    ranges = _media_ranges(accept or "")
    if not ranges:
        return APPLICATION_JSON
    best: tuple[float, int, int, str] | None = None
    for candidate in SUPPORTED_MEDIA_TYPES:
        kind, _, subtype = candidate.partition("/")
        match: tuple[int, float] | None = None  # (specificity, q)
        for r_kind, r_subtype, q in ranges:
            if (r_kind, r_subtype) == (kind, subtype):
                specificity = 2
            elif (r_kind, r_subtype) == (kind, "*"):
                specificity = 1
            elif (r_kind, r_subtype) == ("*", "*"):
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q)
        if match is None or match[1] <= 0:
            continue
        specificity, q = match
        preferred = GRAPHQL_RESPONSE_JSON if specificity == 2 else APPLICATION_JSON
        key = (q, specificity, int(candidate == preferred), candidate)
        if best is None or key > best:
            best = key
    return best[3] if best else None


def is_request_error(result: ExecutionResult) -> bool:
    """True if nothing was executed: the document did not parse or validate, or the
    variables could not be coerced (graphql-core reports those without a path, while
    every field error has one)."""
    if isinstance(result, PreExecutionError):
        return True
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def _request_data(data: dict[str, Any]) -> GraphQLRequestData:
    """One operation from a JSON body, its members checked as strawberry checks them."""
    for name, kinds in (
        ("query", "a string"),
        ("variables", "an object"),
        ("extensions", "an object"),
    ):
        value = data.get(name)
        expected = str if name == "query" else dict
        if value is not None and not isinstance(value, expected):
            raise HTTPException(
                400, f"The GraphQL operation's `{name}` must be {kinds} or null, if provided."
            )
    return GraphQLRequestData(
        query=data.get("query"),
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
        protocol="http",
    )


class MethodNotAllowed(HTTPException):
    def __init__(self, reason: str, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


class NegotiatedResponse(Response):
    """The sub-response strawberry gives resolvers, remembering the negotiated media type."""

    negotiated_media_type: str = APPLICATION_JSON


class GraphQLOverHTTP(GraphQL[Context, RootValue]):
    """strawberry's ASGI GraphQL view, speaking the GraphQL-over-HTTP spec."""

    # ASGI entry point: errors raised before GraphQL runs are answered in JSON.
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = self.error_response(request, exc)
        await response(scope, receive, send)

    def error_response(self, request: Request, exc: HTTPException) -> Response:
        media_type = negotiate(request.headers.get("accept")) or APPLICATION_JSON
        body: dict[str, Any] = {"errors": [{"message": exc.reason}]}
        headers = {"Vary": "Accept"}
        if isinstance(exc, MethodNotAllowed):
            headers["Allow"] = exc.allow
        elif exc.status_code == 405:
            headers["Allow"] = "GET, POST"
        return Response(
            self.encode_json(body),
            status_code=exc.status_code,
            headers=headers,
            media_type=_CONTENT_TYPE[media_type],
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = NegotiatedResponse()
        sub_response.status_code = None  # type: ignore[assignment]  # as strawberry does
        del sub_response.headers["content-length"]
        if isinstance(request, Request):
            accept = request.headers.get("accept")
            sub_response.negotiated_media_type = negotiate(accept) or APPLICATION_JSON
        return sub_response

    # Request parsing: 406, 415 and clear 400s before strawberry reads the request.
    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        if negotiate(request.headers.get("accept")) is None:
            raise HTTPException(
                406,
                "Not Acceptable: the Accept header allows none of "
                + ", ".join(SUPPORTED_MEDIA_TYPES),
            )
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            multipart = self.multipart_uploads_enabled and content_type == "multipart/form-data"
            if content_type != APPLICATION_JSON and not multipart:
                shown = repr(content_type) if content_type else "missing"
                raise HTTPException(
                    415,
                    f"Unsupported Media Type: the Content-Type is {shown}; send {APPLICATION_JSON}",
                )
            accept = request.headers.get("accept") or ""
            if content_type == APPLICATION_JSON and "multipart" not in accept:
                data = self.parse_json(await request.get_body())
                if isinstance(data, dict):  # the common case, without strawberry's detour
                    return _request_data(data)
        return await super().parse_http_body(request)

    async def plain_post(self, request: Request) -> GraphQLRequestData | None:
        """The operation of an ordinary POST (a JSON object, a JSON media type accepted),
        for a caller that can answer it without the rest of the view; None for anything
        else, which the usual path handles (and refuses) itself."""
        headers = request.headers
        accept = headers.get("accept")
        content_type, _ = parse_content_type(headers.get("content-type") or "")
        if content_type != APPLICATION_JSON or negotiate(accept) is None:
            return None
        if accept is not None and "multipart" in accept:
            return None
        try:
            data = self.parse_json(await request.body())
            return _request_data(data) if isinstance(data, dict) else None
        except HTTPException:
            return None

    def encode_json(self, data: object) -> str | bytes:
        """UTF-8 JSON by orjson: a tenth of ``json.dumps``'s time for a `sanctions` answer
        (anything orjson will not encode goes to ``json.dumps`` as before)."""
        try:
            return orjson.dumps(data)
        except TypeError:
            return super().encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        """The POST body (or a multipart `operations` field): a JSON object (or a batch)."""
        if not data or not data.strip():
            raise HTTPException(
                400, "The request body is empty: send a JSON object with a `query` string"
            )
        try:
            value = self.decode_json(data)
        except json.JSONDecodeError as exc:
            raise HTTPException(
                400,
                f"Unable to parse request body as JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})",
            ) from exc
        except UnicodeDecodeError as exc:
            raise HTTPException(400, "Unable to parse request body as JSON: not UTF-8") from exc
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object with a `query` string")
        return value

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        """GET parameters; `variables` and `extensions` are JSON-encoded."""
        parsed = dict(params)
        for name in ("variables", "extensions"):
            raw = parsed.get(name)
            if raw:
                try:
                    parsed[name] = self.decode_json(raw)
                except json.JSONDecodeError as exc:
                    raise HTTPException(
                        400,
                        f"Unable to parse the `{name}` query parameter as JSON: {exc.msg} "
                        f"(line {exc.lineno}, column {exc.colno})",
                    ) from exc
        return parsed

    # Execution: a mutation over GET is 405 (the spec's MUST), not strawberry's 400.
    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: RootValue | None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as exc:
            cause = exc.__cause__
            if isinstance(cause, InvalidOperationTypeError) and request_adapter.method == "GET":
                raise MethodNotAllowed(exc.reason + "; use POST", allow="POST") from cause
            raise

    # Responses: no `data` entry and 400 for request errors in graphql-response+json.
    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        accept = request.headers.get("accept")
        if negotiate(accept) == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = getattr(sub_response, "negotiated_media_type", APPLICATION_JSON)
        status_code = 200
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            status_code = 400
        response = Response(
            self.encode_json(response_data),
            status_code=status_code,
            media_type=_CONTENT_TYPE[media_type],
        )
        raw = response.raw_headers  # edited raw: MutableHeaders costs more than the rest
        raw.extend(sub_response.raw_headers)
        for i, (name, value) in enumerate(raw):
            if name == b"vary":
                raw[i] = (name, value + b", Accept")
                break
        else:
            raw.append((b"vary", b"Accept"))
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:  # a resolver chose a status: strawberry honours it
            response.status_code = sub_response.status_code
        return response


__all__ = [
    "APPLICATION_JSON",
    "GRAPHQL_RESPONSE_JSON",
    "GraphQLOverHTTP",
    "is_request_error",
    "negotiate",
]
