"""Joint-sanction resolution: pure logic over the facts the store returns.

Given the list entries that can reach a subject (with the role edge they travel along)
and a date, decide which are in force on that date and which measures they trigger.
History matters: an entry repaired in June was in force in May, and a person reached
through a role is the one who held it on the violation date, not today's holder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from hub.graph.port import Row
from hub.sanctions.catalogue import Catalogue
from hub.sanctions.report import (
    AppliedMeasure,
    EntryRef,
    EvaluationRef,
    PathStep,
    SanctionReport,
    Subject,
    Warning,
)

ENDING_STATUSES = ("repaired", "revoked", "expired")


def status_on(entry: Row, day: str) -> str | None:
    """The entry's status on `day`, or None if it is not in force that day."""
    if entry["valid_from"] > day:
        return None
    if entry.get("valid_until") and entry["valid_until"] < day:
        return None
    status = entry.get("status") or "active"
    changed = entry.get("status_changed_on") or entry["decided_on"]
    if status in ENDING_STATUSES:
        return None if day >= changed else "active"
    if status == "under_objection":
        return "under_objection" if day >= changed else "active"
    return "active"


def covers(since: str | None, until: str | None, day: str) -> bool:
    """Does a validity from `since` to `until` (None or '': still valid) include `day`?"""
    return bool(since) and since <= day and (not until or day <= until)  # type: ignore[operator]


def held_on(row: Row, day: str) -> bool:
    """Did the role edge in `row` cover `day`?"""
    return covers(row.get("role_from"), row.get("role_to"), day)


def _entry_ref(entry: Row, status: str) -> EntryRef:
    return EntryRef(
        id=entry["entry_id"],
        list=entry["list_type"],
        status=status,
        severity=entry["severity"],
        reason=entry["reason"],
        basis=entry["basis"],
        decided_by=entry["decided_by"],
        decided_on=entry["decided_on"],
        violation_on=entry.get("violation_on"),
        valid_from=entry["valid_from"],
        valid_until=entry.get("valid_until"),
        under_objection=status == "under_objection",
    )


def _subject_node(subject: Subject) -> PathStep:
    kind = "Institution" if subject.kind == "institution" else "Person"
    return PathStep("node", kind, key=subject.key, name=subject.name)


def _entry_node(entry: Row) -> PathStep:
    return PathStep("node", "ListEntry", key=entry["entry_id"], name=entry["reason"])


def _path(subject: Subject, fact: Row) -> tuple[tuple[PathStep, ...], str]:
    """(path, applies_as) for one fact row from the store."""
    via = fact["via"]
    start = _subject_node(subject)
    if via == "direct":
        return (start, PathStep("edge", "CONCERNS"), _entry_node(fact)), "self"
    institution = PathStep(
        "node", "Institution", key=fact["via_uscc"], name=fact["via_name"] or None
    )
    if via == "responsible":
        edge = PathStep("edge", "RESPONSIBLE", role=fact["via_role"] or "directly_responsible")
        return (start, edge, _entry_node(fact), PathStep("edge", "CONCERNS"), institution), (
            "directly_responsible"
        )
    role = PathStep(
        "edge",
        "HOLDS",
        role=fact["via_role"],
        valid_from=fact["role_from"] or None,
        valid_to=fact["role_to"] or None,
    )
    concerns = PathStep("edge", "CONCERNS")
    return (start, role, institution, concerns, _entry_node(fact)), fact["via_role"]


def _fact_order(fact: Row) -> tuple[str, ...]:
    return (
        fact["decided_on"] or "",
        fact["entry_id"],
        fact["via"],
        fact.get("via_uscc") or "",
        fact.get("via_role") or "",
        fact.get("role_from") or "",
    )


def measures_from_entries(
    catalogue: Catalogue, subject: Subject, facts: Iterable[Row], day: str
) -> list[AppliedMeasure]:
    applied: list[AppliedMeasure] = []
    seen: set[tuple[str, str, str]] = set()
    for fact in sorted(facts, key=_fact_order):  # the same answer whatever the store's order
        status = status_on(fact, day)
        if status is None:
            continue
        if fact["via"] == "role":
            # Travels only to whoever held the role when the violation happened.
            when = fact.get("violation_on") or fact["decided_on"]
            if not held_on(fact, when):
                continue
        path, applies_as = _path(subject, fact)
        entry = _entry_ref(fact, status)
        for measure in catalogue.for_list(fact["list_type"], applies_as):
            key = (measure.code, entry.id, applies_as)
            if key not in seen:
                seen.add(key)
                applied.append(AppliedMeasure(measure, applies_as, path, entry=entry))
    return applied


def evaluation_in_force(evaluations: Iterable[Row], day: str) -> Row | None:
    """A year's grade applies through the end of the following year, until superseded."""
    year = int(day[:4])
    current = [e for e in evaluations if year - 1 <= int(e["year"]) <= year]
    return max(current, key=lambda e: int(e["year"]), default=None)


def measures_from_grade(
    catalogue: Catalogue, subject: Subject, evaluations: Iterable[Row], day: str
) -> list[AppliedMeasure]:
    evaluation = evaluation_in_force(evaluations, day)
    if evaluation is None:
        return []
    ref = EvaluationRef(uscc=subject.key, year=int(evaluation["year"]), grade=evaluation["grade"])
    scores = json.loads(evaluation.get("scores") or "{}")
    node = PathStep(
        "node", "Evaluation", key=evaluation["ev_key"], name=f"{ref.year} {ref.grade} {scores}"
    )
    path = (_subject_node(subject), PathStep("edge", "EVALUATES"), node)
    return [AppliedMeasure(m, "self", path, evaluation=ref) for m in catalogue.for_grade(ref.grade)]


def employer_warnings(
    catalogue: Catalogue,
    institution: Subject,
    holders: Iterable[Row],
    holder_facts: dict[str, list[Row]],
    day: str,
) -> list[Warning]:
    """Persons holding a role here today who are banned because of something elsewhere."""
    warn_codes = {m.code for m in catalogue.measure if m.warns_employers}
    warnings: list[Warning] = []
    for holder in holders:
        person = Subject("person", holder["pkey"], True, holder.get("name"))
        facts = [
            f for f in holder_facts.get(holder["pkey"], []) if f.get("via_uscc") != institution.key
        ]
        seen: set[tuple[str, str]] = set()
        for applied in measures_from_entries(catalogue, person, facts, day):
            if applied.measure.code not in warn_codes or applied.entry is None:
                continue
            if (applied.entry.id, applied.measure.code) in seen:
                continue
            seen.add((applied.entry.id, applied.measure.code))
            warnings.append(
                Warning(
                    person_key=holder["pkey"],
                    person_name=holder.get("name"),
                    id_masked=holder.get("id_masked"),
                    role=holder["role"],
                    role_from=holder.get("valid_from"),
                    measure_code=applied.measure.code,
                    entry_id=applied.entry.id,
                    message=(
                        f"{holder['role']} {holder.get('name') or ''} is under "
                        f"{applied.measure.code} from entry {applied.entry.id} "
                        f"(as {applied.applies_as})"
                    ).replace("  ", " "),
                )
            )
    return warnings


def build_report(
    catalogue: Catalogue,
    subject: Subject,
    day: dt.date,
    facts: list[Row],
    evaluations: list[Row] | None = None,
    holders: list[Row] | None = None,
    holder_facts: dict[str, list[Row]] | None = None,
) -> SanctionReport:
    iso = day.isoformat()
    report = SanctionReport(subject=subject, as_of=iso)
    report.measures = measures_from_entries(catalogue, subject, facts, iso)
    if subject.kind == "institution":
        report.measures += measures_from_grade(catalogue, subject, evaluations or [], iso)
        report.warnings = employer_warnings(
            catalogue, subject, holders or [], holder_facts or {}, iso
        )
    return report
