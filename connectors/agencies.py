"""The four partner agencies: command names, agency codes (as in the demo) and tables."""

from __future__ import annotations

from dataclasses import dataclass

from connectors import health_commission, market_regulation, medical_insurance, public_security
from connectors.table import Table
from hub.records import AgencyKind


@dataclass(frozen=True)
class Agency:
    code: str
    slug: str
    name: str
    kind: AgencyKind
    tables: tuple[Table, ...]


AGENCIES = (
    Agency(
        "mr", "market-regulation", "市场监督管理局", "market_regulation", market_regulation.TABLES
    ),
    Agency(
        "hc", "health-commission", "卫生健康委员会", "health_commission", health_commission.TABLES
    ),
    Agency("mi", "medical-insurance", "医疗保障局", "medical_insurance", medical_insurance.TABLES),
    Agency("ps", "public-security", "公安局", "public_security", public_security.TABLES),
)
BY_NAME = {a.code: a for a in AGENCIES} | {a.slug: a for a in AGENCIES}


def agency(name: str) -> Agency:
    try:
        return BY_NAME[name.lower()]
    except KeyError:
        known = ", ".join(f"{a.slug}/{a.code}" for a in AGENCIES)
        raise ValueError(f"unknown agency {name!r}; one of {known}") from None
