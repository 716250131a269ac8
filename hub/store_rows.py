"""Canonical records → graph store rows, with personal data digested and encrypted.

This is the only place a clear ID number is turned into what the graph holds: the
keyed digest (`pkey`), a masked copy and the ciphertext. Each row carries a content
hash over exactly what it stores, so an unchanged record is recognised on re-ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache

import orjson

from hub.graph.port import Row, WriteBatch
from hub.identifiers import PersonId, Uscc
from hub.personal_data import Keyring
from hub.records import (
    AgencyRecord,
    CanonicalRecord,
    CommitmentRecord,
    EvaluationRecord,
    InstitutionRecord,
    InstitutionRef,
    ListEntryRecord,
    MeasureFeedbackRecord,
    PenaltyRecord,
    PersonRecord,
    PersonRef,
    RoleRecord,
)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def content_hash(row: Row) -> str:
    """SHA-256 of the row as compact JSON with sorted keys and UTF-8 text: the bytes of
    `json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`,
    made by orjson in a third of the time (rows hold strings, None and lists of such)."""
    return hashlib.sha256(orjson.dumps(row, option=orjson.OPT_SORT_KEYS)).hexdigest()


PERSON_CACHE = 100_000


class RowBuilder:
    """Adds one validated record at a time to a WriteBatch."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        # A person is named by many records (person, roles, entries): digest and encrypt once.
        self._person_columns = lru_cache(maxsize=PERSON_CACHE)(self._compute_person_columns)

    def _compute_person_columns(self, id_type: str, number: str) -> Row:
        """What the graph holds of a document: digest, type, masked copy, ciphertext."""
        person = PersonId(id_type, number)
        pkey = self.keyring.person_key(person)
        return {
            "pkey": pkey,
            "id_type": person.id_type,
            "id_masked": person.masked,
            "id_enc": self.keyring.encrypt_number(person, pkey),
        }

    def _person_ref(self, batch: WriteBatch, ref: PersonRef) -> str:
        columns = dict(self._person_columns(ref.id_type, ref.id_number))
        batch.ref_persons.append(columns)
        return str(columns["pkey"])

    def _institution_ref(self, batch: WriteBatch, uscc: str) -> str:
        batch.ref_institutions.append({"uscc": uscc, "region": Uscc(uscc).region})
        return uscc

    def _subject(self, batch: WriteBatch, subject: InstitutionRef | PersonRef) -> tuple[str, str]:
        if isinstance(subject, InstitutionRef):
            return "institution", self._institution_ref(batch, subject.uscc)
        return "person", self._person_ref(batch, subject)

    def _node(self, batch: WriteBatch, label: str, record: CanonicalRecord, row: Row) -> None:
        row["src_agency"] = record.source.agency
        row["src_record"] = record.source.record_id
        row["content_hash"] = content_hash(row)
        batch.nodes[label].append(row)

    def add(self, batch: WriteBatch, record: CanonicalRecord) -> None:
        row: Row
        if isinstance(record, AgencyRecord):
            self._node(
                batch,
                "Agency",
                record,
                {"key": record.code, "name": record.name, "kind": record.kind},
            )
        elif isinstance(record, InstitutionRecord):
            row = {
                "key": record.uscc,
                "name": record.name,
                "kind": record.kind,
                "licence_no": record.licence_no,
                "region": Uscc(record.uscc).region,
            }
            self._node(batch, "Institution", record, row)
        elif isinstance(record, PersonRecord):
            columns = dict(self._person_columns(record.id_type, record.id_number))
            row = {"key": columns.pop("pkey"), **columns, "name": record.name}
            self._node(batch, "Person", record, row)
        elif isinstance(record, RoleRecord):
            role: Row = {
                "pkey": self._person_ref(batch, record.person),
                "uscc": self._institution_ref(batch, record.institution),
                "role": record.role,
                "valid_from": _date(record.valid_from),
                "valid_to": _date(record.valid_to),
                "licence_no": record.licence_no,
                "src_agency": record.source.agency,
                "src_record": record.source.record_id,
            }
            role["content_hash"] = content_hash(role)
            batch.roles.append(role)
        elif isinstance(record, ListEntryRecord):
            kind, key = self._subject(batch, record.subject)
            row = {
                "key": record.id,
                "list_type": record.list,
                "reason": record.reason,
                "basis": record.basis,
                "severity": record.severity,
                "decided_by": record.decided_by,
                "violation_on": _date(record.violation_on),
                "decided_on": _date(record.decided_on),
                "valid_from": _date(record.valid_from),
                "valid_until": _date(record.valid_until),
                "status": record.status,
                "status_changed_on": _date(record.status_changed_on),
                "subject_kind": kind,
                "subject_key": key,
                "responsible": sorted(
                    (
                        {"pkey": self._person_ref(batch, p), "role": p.role}
                        for p in record.responsible
                    ),
                    key=lambda p: p["pkey"],
                ),
            }
            self._node(batch, "ListEntry", record, row)
        elif isinstance(record, PenaltyRecord):
            kind, key = self._subject(batch, record.subject)
            row = {
                "key": f"{record.decided_by}/{record.decision_no}",
                "decision_no": record.decision_no,
                "decided_by": record.decided_by,
                "decided_on": _date(record.decided_on),
                "basis": record.basis,
                "penalty": record.penalty,
                "amount": str(record.amount) if record.amount is not None else None,
                "subject_kind": kind,
                "subject_key": key,
            }
            self._node(batch, "Penalty", record, row)
        elif isinstance(record, EvaluationRecord):
            row = {
                "key": f"{record.uscc}/{record.year}",
                "uscc": self._institution_ref(batch, record.uscc),
                "year": str(record.year),
                "grade": record.grade,
                "scores": json.dumps(record.scores, sort_keys=True),
                "subject_kind": "institution",
                "subject_key": record.uscc,
            }
            self._node(batch, "Evaluation", record, row)
        elif isinstance(record, CommitmentRecord):
            kind, key = self._subject(batch, record.subject)
            row = {
                "key": f"{record.source.agency}/{record.source.record_id}",
                "subject_kind": kind,
                "subject_key": key,
                "text": record.text,
                "signed_on": _date(record.signed_on),
                "kept": None if record.kept is None else str(record.kept).lower(),
            }
            self._node(batch, "Commitment", record, row)
        elif isinstance(record, MeasureFeedbackRecord):
            kind, key = self._subject(batch, record.subject)
            row = {
                "key": f"{record.source.agency}/{record.source.record_id}",
                "entry_id": record.entry_id,
                "measure": record.measure,
                "subject_kind": kind,
                "subject_key": key,
                "agency": record.agency,
                "outcome": record.outcome,
                "on_date": _date(record.on),
                "reason": record.reason,
            }
            self._node(batch, "Feedback", record, row)
        else:  # pragma: no cover - the union is closed
            raise TypeError(f"unknown record {type(record).__name__}")


def agency_references(record: CanonicalRecord) -> list[tuple[str, str]]:
    """(field, agency code) pairs a record names, each of which must be a known agency."""
    refs: list[tuple[str, str]] = []
    if not (isinstance(record, AgencyRecord) and record.code == record.source.agency):
        refs.append(("source.agency", record.source.agency))
    if isinstance(record, ListEntryRecord | PenaltyRecord):
        refs.append(("decided_by", record.decided_by))
    if isinstance(record, MeasureFeedbackRecord):
        refs.append(("agency", record.agency))
    return refs
