"""Pulling an agency's paged HTTP JSON API from the last saved cursor.

Protocol: `GET URL?limit=N[&cursor=C]` answers `{"items": [...], "next_cursor": C',
"has_more": bool}`; items carry the agency's native keys. A dropped connection or a 5xx
is retried with backoff on the same cursor; a page is handed on only once it arrived
whole, and the cursor advances only after the caller has stored the page.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.cursor import CursorStore
from connectors.pipeline import Item


class PullError(RuntimeError):
    """The API kept failing; the cursor still points at the first page not stored."""


@dataclass(frozen=True)
class Page:
    cursor: str | None  # the cursor this page was fetched with
    items: list[Item]
    next_cursor: str | None
    has_more: bool


@dataclass
class Puller:
    url: str
    cursors: CursorStore
    page_size: int = 500
    retries: int = 5
    backoff: float = 0.2
    timeout: float = 30.0
    retried: int = 0

    async def pages(self) -> AsyncIterator[Page]:
        """Pages from the saved cursor on; call `commit(page)` once a page is stored."""
        cursor = self.cursors.load()
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            while True:
                page = await self._fetch(client, cursor)
                yield page
                if not page.has_more or not page.items:
                    return
                cursor = page.next_cursor

    def commit(self, page: Page) -> None:
        if page.next_cursor is not None:
            self.cursors.save(page.next_cursor)

    async def _fetch(self, client: httpx.AsyncClient, cursor: str | None) -> Page:
        params: dict[str, Any] = {"limit": self.page_size}
        if cursor is not None:
            params["cursor"] = cursor
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.retried += 1
                await asyncio.sleep(min(self.backoff * 2 ** (attempt - 1), 5.0))
            try:
                response = await client.get(self.url, params=params)
                if response.status_code >= 500:
                    last = PullError(f"HTTP {response.status_code}")
                    continue
                response.raise_for_status()
                body = response.json()
            except (httpx.TransportError, json.JSONDecodeError) as err:
                last = err  # dropped mid-page: nothing of it was used, fetch it again
                continue
            return self._page(cursor, body)
        raise PullError(f"{self.url}: gave up after {self.retries} retries ({last!r})")

    def _page(self, cursor: str | None, body: Any) -> Page:
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise PullError(f"{self.url}: the answer has no 'items' list")
        where = f"{self.url}:cursor {cursor or 'start'}"
        items = []
        for number, value in enumerate(body["items"], start=1):
            raw = json.dumps(value, ensure_ascii=False)
            position = f"{where}:item {number}"
            if isinstance(value, dict):
                items.append(Item(position, raw, value=value))
            else:
                items.append(Item(position, raw, error=("item", "an item must be a JSON object")))
        next_cursor = body.get("next_cursor")
        return Page(
            cursor,
            items,
            next_cursor if isinstance(next_cursor, str) else None,
            bool(body.get("has_more")),
        )
