"""The sanction-relevant part of the graph, held in memory, so a report needs no store trip.

Few subjects have a list entry, a trigger grade or a role near one; a report for any other
subject is empty. Loading exactly what the engine reads — the facts of every subject that
has any (the rows `sanction_facts` returns), the evaluations of institutions with a trigger
grade, the roles of every person with facts (for employer warnings) and the names along
the way — lets `build_report` run on dictionaries instead of three to seven store queries.

A snapshot is tagged with the store's write generation when its load starts. Any write
transaction committed by this process makes it stale; a stale snapshot is never used: the
store answers (exactly as without the index) while one background rebuild catches up. With
several processes writing one Neo4j database, a write made elsewhere is not seen here:
``max_age_s`` bounds how old a snapshot may be before it is reloaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from dataclasses import dataclass, field

from hub.graph.cypher_store import CypherStore
from hub.graph.port import Row
from hub.sanctions.catalogue import Catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """What the engine reads, for every subject that can have a non-empty report."""

    generation: int
    loaded_at: float
    person_facts: dict[str, list[Row]]
    institution_facts: dict[str, list[Row]]
    evaluations: dict[str, list[Row]]
    holders: dict[str, list[Row]]  # uscc -> roles held there by persons with facts
    persons: dict[str, Row]  # nodes of persons with facts
    institutions: dict[str, Row]  # nodes of institutions with facts, grades or such holders
    sizes: dict[str, int] = field(default_factory=dict)


async def load_snapshot(store: CypherStore, catalogue: Catalogue) -> Snapshot:
    generation = store.generation  # before reading: a write during the load makes it stale
    roles = catalogue.derived_roles
    grades = sorted({str(m.trigger.grade) for m in catalogue.measure if m.trigger.grade})
    # independent reads run side by side (the store reads on several threads)
    person_facts, institution_facts, graded = await asyncio.gather(
        store.all_sanction_facts("person", roles),
        store.all_sanction_facts("institution", roles),
        store.institutions_graded(grades),
    )
    pkeys = sorted(person_facts)
    evaluations, holders, persons = await asyncio.gather(
        store.records_of("Evaluation", "institution", graded),
        store.holdings_of(pkeys),
        store.get_nodes("Person", pkeys),
    )
    usccs = sorted(set(institution_facts) | set(evaluations) | set(holders))
    institutions = await store.get_nodes("Institution", usccs)
    return Snapshot(
        generation,
        time.monotonic(),
        person_facts,
        institution_facts,
        evaluations,
        holders,
        persons,
        institutions,
        sizes={
            "persons with facts": len(person_facts),
            "institutions with facts": len(institution_facts),
            "institutions graded": len(evaluations),
            "institutions with holders with facts": len(holders),
        },
    )


class SanctionIndex:
    """The current snapshot, if it is fresh, and the one rebuild that keeps it so."""

    def __init__(
        self, store: CypherStore, catalogue: Catalogue, max_age_s: float | None = None
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.max_age_s = max_age_s
        self._snapshot: Snapshot | None = None
        self._task: asyncio.Task[None] | None = None
        self.loads = 0

    @property
    def ready(self) -> bool:
        """A snapshot is loaded and no write has happened since (does not start a load)."""
        snapshot = self._snapshot
        return snapshot is not None and snapshot.generation == self.store.generation

    def fresh(self) -> Snapshot | None:
        """The snapshot if it reflects every write; otherwise None, and a rebuild starts."""
        snapshot = self._snapshot
        if (
            snapshot is not None
            and snapshot.generation == self.store.generation
            and (self.max_age_s is None or time.monotonic() - snapshot.loaded_at < self.max_age_s)
        ):
            return snapshot
        self.refresh()
        return None

    def refresh(self) -> None:
        """Start a background load unless one is running (it reloads again if outrun)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._reload())

    async def load(self) -> Snapshot:
        """Load a snapshot now and make it current (start-up, tests)."""
        snapshot = await load_snapshot(self.store, self.catalogue)
        self._snapshot = snapshot
        self.loads += 1
        return snapshot

    async def _reload(self) -> None:
        try:
            start = time.perf_counter()
            snapshot = await self.load()
            # Millions of long-lived objects: every full pass of the cyclic collector walked
            # them all, stopping the server for ~160 ms every few seconds under load (the
            # p99). Frozen, they are left out of those passes; a replaced snapshot is still
            # freed by reference counting (it holds no cycles). The young generations are
            # collected first, so recent cyclic garbage is not frozen with it.
            gc.collect(1)
            gc.freeze()
            log.info(
                "sanction index loaded in %.2f s: %s", time.perf_counter() - start, snapshot.sizes
            )
        except Exception:  # the store keeps answering; the next request tries again
            log.exception("sanction index load failed")

    async def wait(self) -> None:
        """Wait for a running load (tests, benchmarks)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
