"""A real agency API for the tests: starlette on uvicorn, 127.0.0.1, a free port.

It pages by an opaque cursor and can be told to drop the connection half-way through
a page's body, the way a flaky government gateway does.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


class AgencyApi:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.drops: dict[str, int] = {}  # cursor -> how many times to drop its page
        self.log: list[str] = []  # cursors asked for, in order ('' = from the start)
        self.app = Starlette(routes=[Route("/api/medical-order", self.page)])

    async def page(self, request: Request) -> Response:
        cursor = request.query_params.get("cursor", "")
        limit = int(request.query_params.get("limit", "10"))
        self.log.append(cursor)
        start = int(cursor.removeprefix("c")) if cursor else 0
        page = self.items[start : start + limit]
        end = start + len(page)
        body = json.dumps(
            {"items": page, "next_cursor": f"c{end}", "has_more": end < len(self.items)},
            ensure_ascii=False,
        ).encode()
        if self.drops.get(cursor, 0) > 0:
            self.drops[cursor] -= 1

            async def broken() -> AsyncIterator[bytes]:
                yield body[: len(body) // 2]
                raise ConnectionResetError("gateway dropped the connection")

            return StreamingResponse(broken(), media_type="application/json")
        return Response(body, media_type="application/json")


@contextmanager
def serve(api: AgencyApi) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api.app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test API did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/api/medical-order"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
