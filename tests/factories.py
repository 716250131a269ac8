"""Small builders of canonical records with valid identifiers, for readable tests."""

from __future__ import annotations

import random
from typing import Any

from hub.demo import make_resident_id, make_uscc

_rng = random.Random(20261123)
_n = iter(range(1, 1 << 40))


def uscc() -> str:
    return make_uscc(_rng)


def resident_id() -> str:
    return make_resident_id(_rng)


def src(agency: str = "hc") -> dict[str, str]:
    return {"agency": agency, "record_id": f"{agency}-{next(_n)}"}


def agency(code: str, kind: str, name: str | None = None) -> dict[str, Any]:
    return {"type": "agency", "source": src("co"), "code": code, "name": name or code, "kind": kind}


AGENCIES = [
    {
        "type": "agency",
        "source": {"agency": "co", "record_id": "co-self"},
        "code": "co",
        "name": "信用办",
        "kind": "credit_office",
    },
    agency("hc", "health_commission", "卫健委"),
    agency("mr", "market_regulation", "市场监管局"),
    agency("mi", "medical_insurance", "医保局"),
    agency("ps", "public_security", "公安局"),
]


def institution(code: str, name: str) -> dict[str, Any]:
    return {
        "type": "institution",
        "source": src("mr"),
        "uscc": code,
        "name": name,
        "kind": "综合医院",
        "licence_no": f"PDY{code[-6:]}",
    }


def person(number: str, name: str) -> dict[str, Any]:
    return {
        "type": "person",
        "source": src("hc"),
        "id_type": "resident_id",
        "id_number": number,
        "name": name,
    }


def pref(number: str) -> dict[str, str]:
    return {"id_type": "resident_id", "id_number": number}


def role(number: str, inst: str, kind: str, since: str, until: str | None = None) -> dict[str, Any]:
    return {
        "type": "role",
        "source": src("hc"),
        "person": pref(number),
        "institution": inst,
        "role": kind,
        "valid_from": since,
        "valid_to": until,
    }


def entry(
    entry_id: str, subject: dict[str, str], list_kind: str = "black", **extra: Any
) -> dict[str, Any]:
    record = {
        "type": "list_entry",
        "source": src("hc"),
        "id": entry_id,
        "list": list_kind,
        "subject": subject,
        "reason": "严重违法违规执业",
        "basis": "《医疗机构管理条例》",
        "severity": "serious",
        "decided_by": "hc",
        "violation_on": "2025-03-01",
        "decided_on": "2025-04-01",
        "valid_from": "2025-04-01",
        "valid_until": "2028-03-31",
        "status": "active",
    }
    record.update(extra)
    return record
