"""Sanctions for one subject or many: a fixed number of store round trips per call.

Whatever the number of subjects, a call makes at most four batched round trips:
the facts of persons, the facts of institutions, the evaluations and current role
holders of institutions, and the facts of those holders (for employer warnings).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from hub.graph.cypher_store import CypherStore
from hub.identifiers import PersonId, Uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue
from hub.sanctions.report import SanctionReport, Subject
from hub.sanctions.resolve import build_report


@dataclass(frozen=True, slots=True)
class SubjectKey:
    kind: str
    key: str


class SanctionService:
    def __init__(self, store: CypherStore, catalogue: Catalogue, keyring: Keyring) -> None:
        self.store = store
        self.catalogue = catalogue
        self.keyring = keyring

    def key_of(self, subject: Uscc | PersonId) -> SubjectKey:
        if isinstance(subject, Uscc):
            return SubjectKey("institution", subject.value)
        return SubjectKey("person", self.keyring.person_key(subject))

    async def report(self, subject: Uscc | PersonId, day: dt.date) -> SanctionReport:
        return (await self.screen([subject], day))[0]

    async def screen(self, subjects: list[Uscc | PersonId], day: dt.date) -> list[SanctionReport]:
        keys = [self.key_of(s) for s in subjects]
        persons = sorted({k.key for k in keys if k.kind == "person"})
        institutions = sorted({k.key for k in keys if k.kind == "institution"})
        iso = day.isoformat()
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

        reports = []
        for key, asked in zip(keys, subjects, strict=True):
            if isinstance(asked, PersonId):
                node = person_nodes.get(key.key)
                subject = Subject(
                    "person",
                    key.key,
                    known=node is not None,
                    name=node.get("name") if node else None,
                    id_type=asked.id_type,
                    id_masked=asked.masked,  # shown masked even for a person the hub lacks
                )
                reports.append(
                    build_report(self.catalogue, subject, day, person_facts.get(key.key, []))
                )
            else:
                node = inst_nodes.get(key.key)
                subject = Subject(
                    "institution",
                    key.key,
                    known=node is not None,
                    name=node.get("name") if node else None,
                )
                reports.append(
                    build_report(
                        self.catalogue,
                        subject,
                        day,
                        inst_facts.get(key.key, []),
                        evaluations.get(key.key, []),
                        holders.get(key.key, []),
                        holder_facts,
                    )
                )
        return reports
