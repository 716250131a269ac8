"""The store logic both adapters share: the queries are the same text for both.

An adapter supplies only how a query runs (`read`, `transaction`), its DDL and its
result conversion; everything here is written once against `queries`.
"""

from __future__ import annotations

import base64
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

from hub.graph import queries as q
from hub.graph.port import (
    NODE_BATCHES,
    SUBJECT_LABELS,
    Page,
    Row,
    SubjectKind,
    UpsertCounts,
    WriteBatch,
)

Run = Callable[[str, dict[str, Any]], Awaitable[list[Row]]]

_SUBJECT = {"institution": ("Institution", "uscc"), "person": ("Person", "pkey")}
_RECORD_EDGES = {"Penalty": "PENALISES", "Evaluation": "EVALUATES", "Commitment": "COMMITS"}


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("after: not a cursor this hub issued") from None


def _group(rows: Iterable[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        owner = row.pop("owner")
        out[owner].append(row)
    return dict(out)


def _node_key(row: Row) -> Hashable:
    return row["key"]  # type: ignore[no-any-return]


def _role_key(row: Row) -> Hashable:
    """A role edge's identity: person, institution, role kind and start date."""
    return (row["pkey"], row["uscc"], row["role"], row["valid_from"])


def _role_ids(rows: list[Row]) -> list[Row]:
    return [{f: r[f] for f in ("pkey", "uscc", "role", "valid_from")} for r in rows]


def _last_version(
    rows: list[Row], identity: Callable[[Row], Hashable], keep: tuple[str, ...] = ()
) -> list[Row]:
    """One row per identity: the last one in the batch wins, but for a `keep` field it
    does not erase an earlier row's value with a null (as the stored upsert does)."""
    out: dict[Hashable, Row] = {}
    for row in rows:
        ident = identity(row)  # `keep` fields are never part of the identity
        if keep and (earlier := out.get(ident)) is not None:
            row = {**row, **{f: earlier[f] for f in keep if row.get(f) is None}}
        out[ident] = row
    return list(out.values())


def _written(label: str, rows: list[Row]) -> list[Row]:
    """The fields a node upsert writes, and nothing else (a record row carries more)."""
    fields = ("key", *q.NODE_PROPERTIES[label], "src_agency", "src_record", "content_hash")
    return [{f: r.get(f) for f in fields} for r in rows]


def _classify(
    rows: list[Row], identity: Callable[[Row], Hashable], known: dict[Hashable, str]
) -> tuple[list[Row], list[Row], UpsertCounts]:
    """Split rows into (changed, unchanged) against the stored content hashes."""
    changed: list[Row] = []
    same: list[Row] = []
    created = 0
    for r in rows:  # one pass: this runs for every ingested row
        ident = identity(r)
        if ident in known and known[ident] == r["content_hash"]:
            same.append(r)
        else:
            changed.append(r)
            created += ident not in known
    counts = UpsertCounts(created=created, updated=len(changed) - created, unchanged=len(same))
    return changed, same, counts


class CypherStore(ABC):
    """GraphStore over any engine that runs the shared Cypher subset."""

    name = "cypher"
    # Bumped by the adapters after every committed write transaction of this process, so
    # in-memory read models (hub.sanctions.index) know when they are stale.
    generation: int = 0

    @abstractmethod
    async def read(self, query: str, params: dict[str, Any]) -> list[Row]: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Run]:
        """A write transaction: yields a `run` bound to it; commits on success."""

    @abstractmethod
    async def setup(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    # --- writes -----------------------------------------------------------------------

    async def write(self, batch: WriteBatch, now: str) -> dict[str, UpsertCounts]:
        counts: dict[str, UpsertCounts] = {}
        fresh: dict[str, set[str]] = {}  # keys this transaction created: nothing hangs off them
        async with self.transaction() as run:
            # Subjects first, then bare nodes for subjects referenced but not sent, then the
            # records and edges that point at them.
            for label in SUBJECT_LABELS:
                if rows := batch.nodes.get(label):
                    counts[label] = await self._write_nodes(run, label, rows, now, fresh)
            await self._write_references(run, batch, now, fresh)
            for label in NODE_BATCHES:
                if label not in SUBJECT_LABELS and (rows := batch.nodes.get(label)):
                    counts[label] = await self._write_nodes(run, label, rows, now, fresh)
            if batch.roles:
                new_persons = fresh.get("Person", set())
                counts["Role"] = await self._write_roles(run, batch.roles, now, new_persons)
        return counts

    async def _write_references(
        self, run: Run, batch: WriteBatch, now: str, fresh: dict[str, set[str]]
    ) -> None:
        """Bare nodes for referenced subjects that are neither sent nor stored yet."""
        for label, refs, key in (
            ("Institution", batch.ref_institutions, "uscc"),
            ("Person", batch.ref_persons, "pkey"),
        ):
            sent = {r["key"] for r in batch.nodes.get(label) or []}
            wanted = {r[key]: r for r in refs if r[key] not in sent}
            if not wanted:
                continue
            found = {f["key"] for f in await self._existing(run, label, list(wanted))}
            absent = [k for k in wanted if k not in found]
            if absent:
                columns = q.NODE_PROPERTIES[label][1:]  # the key is first
                bare = [{"key": k, **{c: wanted[k].get(c) for c in columns}} for k in absent]
                await self._insert_nodes(run, label, bare, now)
                fresh.setdefault(label, set()).update(absent)

    async def _write_nodes(
        self, run: Run, label: str, rows: list[Row], now: str, fresh: dict[str, set[str]]
    ) -> UpsertCounts:
        spec = q.NODES[label]
        rows = _last_version(rows, _node_key, q.SHARED_SUBJECT_FIELDS.get(label, ()))
        found = await self._existing(run, label, [r["key"] for r in rows])
        present = {f["key"] for f in found}
        # A bare node made for a reference has no hash: its first record creates it.
        known = {f["key"]: f["content_hash"] for f in found if f["content_hash"] is not None}
        changed, same, counts = _classify(rows, _node_key, known)
        if changed:
            new = [r for r in changed if r["key"] not in present]
            if new:
                await self._insert_nodes(run, label, new, now)
                fresh.setdefault(label, set()).update(str(r["key"]) for r in new)
            if len(new) < len(changed):
                old = _written(label, [r for r in changed if r["key"] in present])
                await run(spec.upsert, {"rows": old, "now": now})
            await self._relink(run, label, changed, fresh.get(label, set()))
        if same:
            await self._touch(run, label, [r["key"] for r in same], now)
        return counts

    async def _relink(self, run: Run, label: str, rows: list[Row], new: set[str]) -> None:
        """Replace the subject edges (and responsible persons) of changed records."""
        stale = [r["key"] for r in rows if r["key"] not in new]  # new records have no edges
        if label in q.SUBJECT_EDGES:
            drop, to_inst, to_person = q.SUBJECT_EDGES[label]
            if stale:
                await run(drop, {"keys": stale})
            for kind, query in (("institution", to_inst), ("person", to_person)):
                linked = [
                    {"key": r["key"], "subject_key": r["subject_key"]}
                    for r in rows
                    if r["subject_kind"] == kind
                ]
                if linked:
                    await run(query, {"rows": linked})
        if label == "ListEntry":
            if stale:
                await run(q.RESPONSIBLE_DROP, {"keys": stale})
            named = [
                {"entry_id": r["key"], "pkey": p["pkey"], "role": p["role"]}
                for r in rows
                for p in r.get("responsible", [])
            ]
            if named:
                await run(q.RESPONSIBLE_LINK, {"rows": named})

    async def _write_roles(
        self, run: Run, rows: list[Row], now: str, new_persons: set[str]
    ) -> UpsertCounts:
        rows = _last_version(rows, _role_key)
        # A person created in this transaction holds no stored role: only look up the rest.
        unseen = [r for r in rows if r["pkey"] not in new_persons]
        found = await self._existing_roles(run, unseen) if unseen else []
        known = {_role_key(f): f["content_hash"] for f in found}  # roles have no bare form
        changed, same, counts = _classify(rows, _role_key, known)
        new = [r for r in changed if _role_key(r) not in known]
        if new:
            await self._insert_roles(run, new, now)
        if len(new) < len(changed):
            old = [r for r in changed if _role_key(r) in known]
            await run(q.ROLE_UPSERT, {"rows": old, "now": now})
        if same:
            await self._touch_roles(run, same, now)
        return counts

    # Per-batch lookups and touches by key; adapters may run them in a faster form.

    async def _existing(self, run: Run, label: str, keys: list[str]) -> list[Row]:
        """`key` and `content_hash` of the stored nodes among `keys`."""
        return await run(q.NODES[label].existing, {"keys": keys})

    async def _touch(self, run: Run, label: str, keys: list[str], now: str) -> None:
        """Mark stored, unchanged nodes as seen `now`."""
        await run(q.NODES[label].touch, {"keys": keys, "now": now})

    async def _existing_roles(self, run: Run, rows: list[Row]) -> list[Row]:
        """Identity fields and `content_hash` of the stored role edges among `rows`."""
        return await run(q.ROLE_EXISTING, {"keys": _role_ids(rows)})

    async def _touch_roles(self, run: Run, rows: list[Row], now: str) -> None:
        """Mark stored, unchanged role edges as seen `now`."""
        await run(q.ROLE_TOUCH, {"keys": _role_ids(rows), "now": now})

    async def _insert_nodes(self, run: Run, label: str, rows: list[Row], now: str) -> None:
        """Write nodes whose keys are known to be absent (rows may carry more fields than
        the table has). Adapters may bulk-load them."""
        await run(q.NODES[label].upsert, {"rows": _written(label, rows), "now": now})

    async def _insert_roles(self, run: Run, rows: list[Row], now: str) -> None:
        """Write role edges known to be absent. Adapters may bulk-load them."""
        await run(q.ROLE_UPSERT, {"rows": rows, "now": now})

    # --- reads ------------------------------------------------------------------------

    async def get_nodes(self, label: str, keys: list[str]) -> dict[str, Row]:
        if label not in q.NODE_KEYS:
            raise ValueError(f"unknown node label {label!r}")
        if not keys:
            return {}
        key = q.NODE_KEYS[label]
        return {r[key]: r for r in await self._by_keys(q.get_nodes(label), keys)}

    async def agency_codes(self) -> set[str]:
        return {r["code"] for r in await self.read(q.ALL_AGENCY_CODES, {})}

    async def _by_keys(self, query: str, keys: list[str], **params: Any) -> list[Row]:
        """Run a batched read; one key takes the index-lookup form of the same query."""
        if len(keys) == 1:
            return await self.read(q.one_key(query), {"k": keys[0], **params})
        return await self.read(query, {"keys": keys, **params})

    async def _grouped(self, query: str, keys: list[str], **params: Any) -> dict[str, list[Row]]:
        if not keys:
            return {}
        return _group(await self._by_keys(query, keys, **params))

    async def roles_of(self, kind: SubjectKind, keys: list[str]) -> dict[str, list[Row]]:
        query = q.ROLES_OF_PERSONS if kind == "person" else q.ROLES_OF_INSTITUTIONS
        return await self._grouped(query, keys)

    async def entries_of(self, kind: SubjectKind, keys: list[str]) -> dict[str, list[Row]]:
        query = q.ENTRIES_OF_PERSONS if kind == "person" else q.ENTRIES_OF_INSTITUTIONS
        return await self._grouped(query, keys)

    async def responsible_of(self, entry_ids: list[str]) -> dict[str, list[Row]]:
        return await self._grouped(q.RESPONSIBLE_OF_ENTRIES, entry_ids)

    async def records_of(
        self, label: str, kind: SubjectKind, keys: list[str]
    ) -> dict[str, list[Row]]:
        if label not in _RECORD_EDGES:
            raise ValueError(f"no subject records of label {label!r}")
        target, target_key = _SUBJECT[kind]
        return await self._grouped(
            q.records_of(label, _RECORD_EDGES[label], target, target_key), keys
        )

    async def sanction_facts(
        self, kind: SubjectKind, keys: list[str], derived_roles: list[str]
    ) -> dict[str, list[Row]]:
        if kind == "person":
            return await self._grouped(q.SANCTION_FACTS_PERSONS, keys, derived_roles=derived_roles)
        return await self._grouped(q.SANCTION_FACTS_INSTITUTIONS, keys)

    async def current_holders(self, usccs: list[str], as_of: str) -> dict[str, list[Row]]:
        return await self._grouped(q.CURRENT_HOLDERS, usccs, as_of=as_of)

    async def list_entries(self, filters: dict[str, str], first: int, after: str) -> Page:
        unknown = set(filters) - set(q.LIST_ENTRY_FILTERS)
        if unknown:
            raise ValueError(f"unknown list-entry filter {sorted(unknown)[0]!r}")
        names = tuple(sorted(filters))
        query = q.list_entries_page(tuple(q.LIST_ENTRY_FILTERS[n] for n in names))
        rows = await self.read(query, {**filters, "after": after, "limit": first + 1})
        return Page(rows=rows[:first], has_next=len(rows) > first)

    async def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for label in q.NODE_KEYS:
            out[label] = (await self.read(q.count_nodes(label), {}))[0]["n"]
        for edge in q.EDGES:
            out[edge] = (await self.read(q.count_edges(edge), {}))[0]["n"]
        return out

    # --- bulk reads for the in-memory sanction index (hub.sanctions.index) ---------------

    async def all_sanction_facts(
        self, kind: SubjectKind, derived_roles: list[str]
    ) -> dict[str, list[Row]]:
        """`sanction_facts` for every subject that has any, in one pass per branch."""
        if kind == "institution":
            return _group(await self.read(q.ALL_FACTS_INSTITUTIONS, {}))
        rows: list[Row] = []
        for query in q.ALL_FACTS_PERSONS:
            rows += await self.read(query, {"derived_roles": derived_roles})
        return _group(rows)

    async def institutions_graded(self, grades: list[str]) -> list[str]:
        """USCCs with at least one evaluation of one of `grades`."""
        rows = await self.read(q.INSTITUTIONS_GRADED, {"grades": grades})
        return sorted({r["uscc"] for r in rows})

    async def holdings_of(self, pkeys: list[str]) -> dict[str, list[Row]]:
        """Every role held by these persons, grouped by institution (CURRENT_HOLDERS rows)."""
        if not pkeys:
            return {}
        return _group(await self._by_keys(q.HOLDINGS_OF_PERSONS, pkeys))
