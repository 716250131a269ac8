"""Canonical records: the field names agencies rely on, and precise rejections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.records import ListEntryRecord, RecordError, RoleRecord, parse_line, parse_record
from tests import factories as f

U = f.uscc()
P = f.resident_id()


def test_list_entry_with_person_subject_and_responsible() -> None:
    record = parse_record(f.entry("E", {"uscc": U.lower()}, responsible=[f.pref(P.lower())]))
    assert isinstance(record, ListEntryRecord)
    assert record.subject.uscc == U  # type: ignore[union-attr]
    assert record.responsible[0].id_number == P.upper()
    assert P not in repr(record)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"list": "grey"}, "list", "Input should be 'black'"),
        ({"severity": None}, "severity", "Input should be"),
        ({"subject": {"uscc": "123"}}, "subject.uscc", "18 characters"),
        (
            {"subject": {"id_type": "resident_id", "id_number": "1"}},
            "subject.id_number",
            "18 characters",
        ),
        ({"valid_until": "2020-01-01"}, "record", "valid_until is before valid_from"),
        ({"status": "repaired"}, "record", "needs status_changed_on"),
        ({"decided_on": "2025-02-30"}, "decided_on", "valid date"),
        ({"extra": 1}, "extra", "Extra inputs are not permitted"),
    ],
)
def test_list_entry_rejections_name_the_field(
    change: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(RecordError) as err:
        parse_record({**f.entry("E", {"uscc": U}), **change})
    assert err.value.field == field
    assert reason in err.value.reason


def test_role_dates_and_person_reference() -> None:
    record = parse_record(f.role(P, U, "principal", "2020-01-01", "2021-01-01"))
    assert isinstance(record, RoleRecord) and record.valid_to is not None
    with pytest.raises(RecordError, match="valid_to is before valid_from"):
        parse_record(f.role(P, U, "principal", "2020-01-01", "2019-01-01"))
    with pytest.raises(RecordError) as err:
        parse_record(f.role(P[:-1] + ("0" if P[-1] != "0" else "1"), U, "principal", "2020-01-01"))
    assert err.value.field == "person.id_number"
    assert P[:-1] not in str(err.value)


def test_bad_json_and_unknown_type() -> None:
    with pytest.raises(RecordError, match="not valid JSON"):
        parse_line("{")
    with pytest.raises(RecordError) as err:
        parse_line(json.dumps({"type": "sanction"}))
    assert err.value.field == "type"
    with pytest.raises(RecordError, match="must be a JSON object"):
        parse_line("[1]")


def test_feedback_not_applied_needs_reason() -> None:
    body = {
        "type": "measure_feedback",
        "source": f.src("mr"),
        "entry_id": "E",
        "measure": "M",
        "subject": {"uscc": U},
        "agency": "mr",
        "outcome": "not_applied",
        "on": "2026-01-01",
    }
    with pytest.raises(RecordError, match="needs a reason"):
        parse_record(body)
    assert parse_record({**body, "reason": "licence already revoked"}).type == "measure_feedback"


@pytest.mark.parametrize("amount", ["1", "1.0", "1e3", "-0.0", "12.345", "0.30000000000000004"])
def test_penalty_amounts_read_from_a_line_as_from_an_object(amount: str) -> None:
    """parse_line reads JSON with pydantic; amounts (kept as text in the graph, so in
    content hashes) must come out as they do from json.loads and parse_record."""
    body = {
        "type": "penalty",
        "source": f.src("mr"),
        "decision_no": "D-1",
        "subject": {"uscc": U},
        "decided_by": "mr",
        "decided_on": "2026-01-01",
        "basis": "basis",
        "penalty": "fine",
        "amount": "AMOUNT",
    }
    line = json.dumps(body).replace('"AMOUNT"', amount)
    from_line, from_object = parse_line(line), parse_record(json.loads(line))
    assert str(from_line.amount) == str(from_object.amount)  # type: ignore[union-attr]
    assert from_line == from_object


def test_line_and_object_parsing_agree_on_person_references() -> None:
    line = json.dumps(f.role(" " + P.lower(), U.lower(), "principal", "2020-01-01"))
    record = parse_line(line)
    assert record == parse_record(json.loads(line))
    assert isinstance(record, RoleRecord) and record.person.id_number == P.upper()
