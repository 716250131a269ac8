"""Medical-insurance payment-qualification points, kept like a driving-licence score.

Points are given per violation and reset each calendar year; 9 points in a year suspend
a practitioner's payment qualification, 12 end it. Violations arrive over many files and
API pages, so the ledger is persisted under the data dir, keyed by the person's keyed
digest (never the ID number) and by violation number, which makes replays harmless.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

SUSPEND_AT = 9
END_AT = 12


@dataclass(frozen=True)
class Crossing:
    """The violation that took a person's yearly total over a threshold."""

    threshold: int
    violation_id: str
    on: dt.date
    total: int
    in_one_event: bool


class PointsLedger:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._points: dict[str, dict[str, dict[str, tuple[str, int]]]] = {}
        self._dirty = False
        if path is not None and path.exists():
            body = json.loads(path.read_text(encoding="utf-8"))
            self._points = {
                pkey: {
                    year: {vid: (on, int(pts)) for vid, (on, pts) in items.items()}
                    for year, items in years.items()
                }
                for pkey, years in body["points"].items()
            }

    def add(self, pkey: str, violation_id: str, on: dt.date, points: int) -> None:
        year = self._points.setdefault(pkey, {}).setdefault(str(on.year), {})
        if year.get(violation_id) != (on.isoformat(), points):
            year[violation_id] = (on.isoformat(), points)
            self._dirty = True

    def crossings(self, pkey: str, year: int) -> list[Crossing]:
        """Thresholds reached in `year`, in date order (then violation number)."""
        items = sorted(
            (on, vid, pts)
            for vid, (on, pts) in self._points.get(pkey, {}).get(str(year), {}).items()
        )
        out: list[Crossing] = []
        total = 0
        for on, vid, pts in items:
            before, total = total, total + pts
            for threshold in (SUSPEND_AT, END_AT):
                if before < threshold <= total:
                    single = pts >= threshold
                    out.append(Crossing(threshold, vid, dt.date.fromisoformat(on), total, single))
        return out

    def save(self) -> None:
        """Write atomically (temp file + rename), so a killed run leaves the old ledger."""
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = {"version": 1, "points": self._points}
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(body, fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._dirty = False
