"""Sanctions for one subject or many: no store round trip when the index is fresh, else a
fixed number of them.

With a fresh in-memory snapshot (hub.sanctions.index) a report is built from dictionaries.
Without one, whatever the number of subjects, a call makes at most four batched round
trips: the facts of persons, the facts of institutions, the evaluations and current role
holders of institutions, and the facts of those holders (for employer warnings). Both
paths feed the same pure resolution (hub.sanctions.resolve).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace

from hub.graph.cypher_store import CypherStore
from hub.graph.port import Row
from hub.identifiers import PersonId, Uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue
from hub.sanctions.index import SanctionIndex, Snapshot
from hub.sanctions.report import SanctionReport, Subject
from hub.sanctions.resolve import build_report, covers


@dataclass(frozen=True, slots=True)
class SubjectKey:
    kind: str
    key: str


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything resolution reads for a set of subjects, from the index or the store."""

    person_facts: dict[str, list[Row]]
    institution_facts: dict[str, list[Row]]
    evaluations: dict[str, list[Row]]
    holders: dict[str, list[Row]]  # current holders of each institution (with facts, at least)
    holder_facts: dict[str, list[Row]]
    persons: dict[str, Row]
    institutions: dict[str, Row]
    complete_nodes: bool  # False: a subject missing from the node maps may still exist


def _asked(nodes: dict[str, Row], keys: list[SubjectKey], kind: str) -> dict[str, Row]:
    return {k.key: nodes[k.key] for k in keys if k.kind == kind and k.key in nodes}


def _from_snapshot(snapshot: Snapshot, keys: list[SubjectKey], iso: str) -> Facts:
    asked = {k.key for k in keys if k.kind == "institution"}
    holders = {
        uscc: [r for r in snapshot.holders[uscc] if covers(r["valid_from"], r["valid_to"], iso)]
        for uscc in asked & snapshot.holders.keys()
    }
    return Facts(
        snapshot.person_facts,
        snapshot.institution_facts,
        snapshot.evaluations,
        holders,
        snapshot.person_facts,
        snapshot.persons,
        snapshot.institutions,
        complete_nodes=False,
    )


class SanctionService:
    def __init__(
        self,
        store: CypherStore,
        catalogue: Catalogue,
        keyring: Keyring,
        index: SanctionIndex | None = None,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.keyring = keyring
        self.index = index

    def key_of(self, subject: Uscc | PersonId) -> SubjectKey:
        if isinstance(subject, Uscc):
            return SubjectKey("institution", subject.value)
        return SubjectKey("person", self.keyring.person_key(subject))

    async def report(
        self, subject: Uscc | PersonId, day: dt.date, *, describe: bool = True
    ) -> SanctionReport:
        return (await self.screen([subject], day, describe=describe))[0]

    async def screen(
        self, subjects: list[Uscc | PersonId], day: dt.date, *, describe: bool = True
    ) -> list[SanctionReport]:
        """Reports in the order asked. With ``describe=False`` a subject the index answered
        without finding it may come back with ``known=None`` (not looked up): the API
        resolves `known` and `name` only when a client asks for them."""
        keys = [self.key_of(s) for s in subjects]
        iso = day.isoformat()
        snapshot = self.index.fresh() if self.index is not None else None
        if snapshot is None:
            facts = await self._store_facts(keys, iso)
        else:
            facts = _from_snapshot(snapshot, keys, iso)
            if describe:
                facts = await self._describe(facts, keys)
        return [
            self._report(key, asked, day, facts) for key, asked in zip(keys, subjects, strict=True)
        ]

    async def _describe(self, facts: Facts, keys: list[SubjectKey]) -> Facts:
        """Look up the nodes of subjects the index does not hold."""
        persons = sorted({k.key for k in keys if k.kind == "person"} - set(facts.persons))
        institutions = sorted(
            {k.key for k in keys if k.kind == "institution"} - set(facts.institutions)
        )
        found_p, found_i = await asyncio.gather(
            self.store.get_nodes("Person", persons),
            self.store.get_nodes("Institution", institutions),
        )
        # only the asked subjects' nodes: the snapshot's maps hold every subject with facts
        return replace(
            facts,
            persons=_asked(facts.persons, keys, "person") | found_p,
            institutions=_asked(facts.institutions, keys, "institution") | found_i,
            complete_nodes=True,
        )

    async def _store_facts(self, keys: list[SubjectKey], iso: str) -> Facts:
        persons = sorted({k.key for k in keys if k.kind == "person"})
        institutions = sorted({k.key for k in keys if k.kind == "institution"})
        roles = self.catalogue.derived_roles
        (
            person_facts,
            inst_facts,
            evaluations,
            holders,
            person_nodes,
            inst_nodes,
        ) = await asyncio.gather(
            self.store.sanction_facts("person", persons, roles),
            self.store.sanction_facts("institution", institutions, roles),
            self.store.records_of("Evaluation", "institution", institutions),
            self.store.current_holders(institutions, iso),
            self.store.get_nodes("Person", persons),
            self.store.get_nodes("Institution", institutions),
        )
        holder_keys = sorted({h["pkey"] for rows in holders.values() for h in rows})
        holder_facts = await self.store.sanction_facts("person", holder_keys, roles)
        return Facts(
            person_facts,
            inst_facts,
            evaluations,
            holders,
            holder_facts,
            person_nodes,
            inst_nodes,
            complete_nodes=True,
        )

    def _report(
        self, key: SubjectKey, asked: Uscc | PersonId, day: dt.date, facts: Facts
    ) -> SanctionReport:
        person = asked if isinstance(asked, PersonId) else None
        node = (facts.institutions if person is None else facts.persons).get(key.key)
        known = node is not None if node or facts.complete_nodes else None
        name = node.get("name") if node else None
        if person is not None:
            subject = Subject(
                "person",
                key.key,
                known=known,
                name=name,
                id_type=person.id_type,
                id_masked=person.masked,  # shown masked even for a person the hub lacks
            )
            return build_report(self.catalogue, subject, day, facts.person_facts.get(key.key, []))
        subject = Subject("institution", key.key, known=known, name=name)
        return build_report(
            self.catalogue,
            subject,
            day,
            facts.institution_facts.get(key.key, []),
            facts.evaluations.get(key.key, []),
            facts.holders.get(key.key, []),
            facts.holder_facts,
        )
