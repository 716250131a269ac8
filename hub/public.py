"""The public, unauthenticated endpoints (issue 6): the published red/black list, the
verification page behind the notice-board QR code, and that QR code.

    GET /public/lists?year=YYYY | asOf=YYYY-MM-DD &format=csv|xlsx|json &lists=red,black
    GET /verify?s=<token>[&format=json]
    GET /public/qr/<uscc>.svg | .png

Every request is answered as the `public` principal (an Authorization header is ignored)
and logged in the signed access log like a GraphQL request — operation ``GET /public/lists``
etc., the request with its values blanked hashed, the subjects shown — before it is
answered; the receipt is in ``X-Audit-Receipt``, and if the log cannot be written the
answer is 503. Each client address gets ``HUB_PUBLIC_RATE_PER_MINUTE`` requests a minute
(429 with Retry-After beyond); query strings are at most 4 KiB.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from hub.access.hook import AccessLogger, add_receipt
from hub.access.state import AccessState
from hub.identifiers import IdentifierError, parse_uscc
from hub.resolvers.context import Services
from hub.resolvers.workflows import MAX_TOKEN, published_as_of, published_lists
from hub.workflows.publication import GRADE_NAMES, LIST_NAMES, render
from hub.workflows.verification import VerificationResult, qr_png, qr_svg

MAX_QUERY_STRING = 4096
FORMATS = ("csv", "xlsx", "json")
UNAVAILABLE = "the access log cannot be written: the request was not answered (fail closed)"
_STATUS_NAMES = {
    "active": "公示中",
    "under_objection": "异议处理中",
    "repaired": "已信用修复",
    "revoked": "已撤销",
    "expired": "已到期",
}
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Referrer-Policy": "no-referrer",
}


class PublicError(Exception):
    """A bad public request: answered with `status`, naming the parameter and the reason."""

    def __init__(self, status: int, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.status = status
        self.field = field
        self.reason = reason


class RateLimiter:
    """A token bucket per client address: `per_minute` requests, refilled continuously.
    At most `max_clients` buckets are kept (the least recently seen are dropped)."""

    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str, now: float | None = None) -> float:
        """0 if the request may go ahead (a token is taken), else seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, seen = self._buckets.pop(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - seen) * rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def _param(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise PublicError(400, name, "given more than once")
    return values[0] if values else None


def _date_param(request: Request, name: str) -> dt.date | None:
    value = _param(request, name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PublicError(400, name, "a date YYYY-MM-DD") from None


def _year_param(request: Request) -> int | None:
    value = _param(request, "year")
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}", value):
        raise PublicError(400, "year", "a year YYYY")
    return int(value)


def _from_graphql(err: GraphQLError) -> PublicError:
    field = str((err.extensions or {}).get("field") or "request")
    reason = err.message.partition(": ")[2] or err.message
    return PublicError(400, field, reason)


class PublicSite:
    """The public endpoints; each request logged before it is answered."""

    def __init__(self, services: Services, access_log: AccessLogger) -> None:
        self.services = services
        self.access_log = access_log
        self.limiter = RateLimiter(services.settings.public_rate_per_minute)

    # --- the frame: limits, errors, the access log ----------------------------------------

    async def _serve(
        self,
        request: Request,
        endpoint: str,
        normalised: str,
        purpose: str,
        handler: Callable[[Request, AccessState], Awaitable[Response]],
    ) -> Response:
        state = AccessState(endpoint=f"GET {endpoint}")
        names = ",".join(sorted({k for k, _ in request.query_params.multi_items()}))
        state.endpoint_request = f"GET {normalised}?{names}"
        state.purposes[purpose] = None
        response: Response = await self._answer(request, state, handler)
        try:
            receipt = await self.access_log.append(state)
        except Exception:  # AuditError, or a leaf we could not build: fail closed
            response = JSONResponse({"error": {"reason": UNAVAILABLE}}, status_code=503)
            response.headers["Retry-After"] = "5"
        else:
            if receipt is not None:
                add_receipt(response, receipt)
        return response

    async def _answer(
        self,
        request: Request,
        state: AccessState,
        handler: Callable[[Request, AccessState], Awaitable[Response]],
    ) -> Response:
        client = request.client.host if request.client else "unknown"
        wait = self.limiter.check(client)
        if wait > 0:
            state.refused.append(state.endpoint or "public")
            state.note_error("RATE_LIMITED")
            limit = self.limiter.per_minute
            response: Response = JSONResponse(
                {"error": {"reason": f"at most {limit} requests a minute; retry later"}},
                status_code=429,
            )
            response.headers["Retry-After"] = str(max(1, round(wait + 0.5)))
            return response
        try:
            if len(request.url.query.encode("utf-8")) > MAX_QUERY_STRING:
                raise PublicError(414, "query", f"at most {MAX_QUERY_STRING} bytes")
            response = await handler(request, state)
        except GraphQLError as err:
            return self._error(state, _from_graphql(err))
        except PublicError as err:
            return self._error(state, err)
        except Exception as exc:  # logged as an error, answered 500 without details
            state.note_error(type(exc).__name__)
            return JSONResponse({"error": {"reason": "internal error"}}, status_code=500)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @staticmethod
    def _error(state: AccessState, err: PublicError) -> Response:
        state.note_error("NOT_FOUND" if err.status == 404 else "BAD_USER_INPUT")
        body = {"error": {"field": err.field, "reason": err.reason}}
        return JSONResponse(body, status_code=err.status)

    # --- the published list --------------------------------------------------------------

    async def lists(self, request: Request) -> Response:
        return await self._serve(
            request, "/public/lists", "/public/lists", "public: published list", self._lists
        )

    async def _lists(self, request: Request, state: AccessState) -> Response:
        fmt = _param(request, "format") or "json"
        if fmt not in FORMATS:
            raise PublicError(400, "format", f"one of {', '.join(FORMATS)}")
        day = published_as_of(
            self.services.clock(), _year_param(request), _date_param(request, "asOf")
        )
        wanted = _param(request, "lists")
        chosen = published_lists(wanted.split(",") if wanted else None)
        table = await self.services.workflows.publication.lists(day, chosen)
        state.note_subjects(table.subjects)
        body, media_type = render(table, fmt)  # type: ignore[arg-type]
        response = Response(body, media_type=media_type)
        if fmt != "json":
            name = f"credit-list-{'-'.join(chosen)}-{table.as_of}.{fmt}"
            response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "public, max-age=60"
        return response

    # --- the verification page ------------------------------------------------------------

    async def verify(self, request: Request) -> Response:
        return await self._serve(
            request, "/verify", "/verify", "public: statement verification", self._verify
        )

    async def _verify(self, request: Request, state: AccessState) -> Response:
        token = _param(request, "s")
        if not token:
            raise PublicError(400, "s", "the statement token (the QR code's URL carries it)")
        if len(token) > MAX_TOKEN:
            raise PublicError(400, "s", f"at most {MAX_TOKEN} characters")
        fmt = _param(request, "format") or "html"
        if fmt not in ("html", "json"):
            raise PublicError(400, "format", "html or json")
        today = self.services.clock()
        result = await self.services.workflows.statements.verify(token, today)
        if result.statement is not None:
            state.note_subjects([str(result.statement.get("uscc"))])
        headers = {"X-Statement-Status": result.status, "Cache-Control": "no-store"}
        if fmt == "json":
            body = {
                "status": result.status,
                "valid": result.valid,
                "current": result.current,
                "reason": result.reason,
                "checked_on": today.isoformat(),
                "statement": result.statement,
            }
            return JSONResponse(body, headers=headers)
        return HTMLResponse(verification_page(result, today), headers=headers)

    # --- the QR code of the current statement ---------------------------------------------

    async def qr(self, request: Request) -> Response:
        return await self._serve(
            request, "/public/qr", "/public/qr/{uscc}", "public: notice-board QR code", self._qr
        )

    async def _qr(self, request: Request, state: AccessState) -> Response:
        name = str(request.path_params.get("name", ""))
        stem, _, kind = name.rpartition(".")
        if kind not in ("svg", "png"):
            raise PublicError(404, "uscc", "ask for <uscc>.svg or <uscc>.png")
        try:
            uscc = parse_uscc(stem, "uscc").value
        except IdentifierError as err:
            raise PublicError(400, "uscc", err.reason) from None
        latest = await self.services.workflows.statements.latest(uscc)
        if latest is None:
            raise PublicError(404, "uscc", f"no statement has been issued for {uscc}")
        state.note_subjects([uscc])
        if kind == "svg":
            response = Response(qr_svg(latest.url), media_type="image/svg+xml")
        else:
            response = Response(qr_png(latest.url), media_type="image/png")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Statement-Serial"] = str(latest.statement.get("serial"))
        return response


def verification_page(result: VerificationResult, today: dt.date) -> str:
    """The public page: the institution, grade, list status, date, and the verdict."""
    e = html.escape
    verdicts = {
        "current": ("✓ 签名有效，声明为最新", "signature valid · statement current", "#1a7f37"),
        "outdated": ("⚠ 签名有效，但声明已过期", "signature valid · statement outdated", "#9a6700"),
        "invalid": (
            "✗ 签名无效",
            "signature invalid: not issued by the hub, or altered",
            "#cf222e",
        ),
    }
    title, subtitle, colour = verdicts[result.status]
    rows: list[tuple[str, str]] = []
    s: dict[str, Any] | None = result.statement
    if s is not None:
        grade = s.get("grade")
        grade_text = (
            f"{GRADE_NAMES.get(grade, grade)}（{s.get('grade_year')}年度评价）"
            if grade
            else "未评价"
        )
        listings = []
        for x in s.get("lists") or []:
            list_name = LIST_NAMES.get(x.get("list"), str(x.get("list")))
            listings.append(f"{list_name}：{_STATUS_NAMES.get(x.get('status'), x.get('status'))}")
        rows = [
            ("医疗机构 Institution", str(s.get("name") or "")),
            ("统一社会信用代码 USCC", str(s.get("uscc") or "")),
            ("信用等级 Grade", grade_text),
            ("名单状态 List status", "；".join(listings) or "未列入红黑名单"),
            ("声明日期 Statement date", str(s.get("as_of") or "")),
            ("声明序号 Serial", str(s.get("serial") or "")),
        ]
    rows += [
        ("签名 Signature", "有效 valid" if result.valid else "无效 invalid"),
        ("是否最新 Current", "是 yes" if result.current else "否 no"),
        ("说明 Reason", result.reason),
        ("核验日期 Checked on", today.isoformat()),
    ]
    table = "\n".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信用状况核验 Credit statement verification</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em}}
.verdict{{color:#fff;background:{colour};padding:1em;border-radius:.4em}}
th{{text-align:left;padding:.3em 1em .3em 0;vertical-align:top}}</style></head>
<body><div class="verdict" data-status="{e(result.status)}">
<strong>{e(title)}</strong><br>{e(subtitle)}</div>
<table>
{table}
</table></body></html>
"""
