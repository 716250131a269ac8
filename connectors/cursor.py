"""The incremental cursor of an agency API, persisted under the data dir.

It is saved only after a page's records are written to the store, so a run that dies
(dropped connection, SIGKILL) resumes at the first page not yet stored: a page may be
read twice, which re-ingest makes harmless, but never skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path


class CursorStore:
    def __init__(self, data_dir: Path, agency: str, url: str) -> None:
        digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        self.path = data_dir / "connectors" / "cursors" / f"{agency}-{digest}.json"
        self.url = url

    def load(self) -> str | None:
        if not self.path.exists():
            return None
        body = json.loads(self.path.read_text(encoding="utf-8"))
        cursor = body.get("cursor")
        return cursor if isinstance(cursor, str) else None

    def save(self, cursor: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = {
            "url": self.url,
            "cursor": cursor,
            "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(body, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
