"""A reproducible synthetic world (institutions, people, roles, lists) as canonical records.

Used by `credit-hub demo`, the tests and the benchmarks. Identifiers are valid (real
check characters), names look real, and a chosen share of lines is made bad in ways
agencies really get wrong, each with a known field.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hub.identifiers import org_code_check_char, resident_check_char, uscc_check_char

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩凯健俊帆"
REGIONS = ("320506", "320507", "320508", "420281", "430581", "110101", "440305", "510107")
KINDS = ("综合医院", "中医医院", "专科医院", "社区卫生服务中心", "诊所", "门诊部", "妇幼保健院")
AGENCIES = (  # the credit office first: it registers the others
    ("co", "社会信用体系建设联席会议办公室", "credit_office"),
    ("hc", "卫生健康委员会", "health_commission"),
    ("mr", "市场监督管理局", "market_regulation"),
    ("mi", "医疗保障局", "medical_insurance"),
    ("ps", "公安局", "public_security"),
)
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(rng: random.Random, region: str | None = None) -> str:
    """A USCC with correct organisation-code and overall check characters."""
    while True:
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        org_check = org_code_check_char(body)
        if org_check in ORG_ALPHABET:  # 'X' is fine; every symbol must be in the USCC set
            break
    first17 = "12" + (region or rng.choice(REGIONS)) + body + org_check
    return first17 + uscc_check_char(first17)


def make_resident_id(rng: random.Random, region: str | None = None) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    first17 = (
        (region or rng.choice(REGIONS)) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    )
    return first17 + resident_check_char(first17)


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class World:
    """The generated population, kept so tests can ask about known subjects."""

    institutions: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)


def ref(person: dict[str, Any]) -> dict[str, str]:
    return {"id_type": person["id_type"], "id_number": person["id_number"]}


def _src(agency: str, n: int) -> dict[str, str]:
    return {"agency": agency, "record_id": f"{agency}-{n}"}


def _date(day: dt.date) -> str:
    return day.isoformat()


def generate(
    institutions: int, seed: int = 1, bad_share: float = 0.0
) -> tuple[World, Iterator[str]]:
    """A world of `institutions` institutions (≈5 persons each) and its canonical lines."""
    rng = random.Random(seed)
    world = World()
    counter = iter(range(1, 1 << 62))
    today = dt.date(2026, 11, 1)

    def records() -> Iterator[dict[str, Any]]:
        for code, name, kind in AGENCIES:
            yield {
                "type": "agency",
                "source": _src("co", next(counter)),
                "code": code,
                "name": name,
                "kind": kind,
            }
        for _ in range(institutions):
            region = rng.choice(REGIONS)
            uscc = make_uscc(rng, region)
            inst = {"uscc": uscc, "name": f"{rng.choice(SURNAMES)}氏{rng.choice(KINDS)}"}
            world.institutions.append(inst)
            yield {
                "type": "institution",
                "source": _src("mr", next(counter)),
                "uscc": uscc,
                "name": inst["name"],
                "kind": rng.choice(KINDS),
                "licence_no": f"PDY{rng.randrange(10**8):08d}{region}",
            }
            staff = []
            for _ in range(rng.choice((3, 4, 5, 6, 7))):
                person = {
                    "id_type": "resident_id",
                    "id_number": make_resident_id(rng, region),
                    "name": make_name(rng),
                }
                world.persons.append(person)
                staff.append(person)
                yield {"type": "person", "source": _src("hc", next(counter)), **person}
            start = today - dt.timedelta(days=rng.randrange(400, 4000))
            change = start + dt.timedelta(days=rng.randrange(100, 300))
            roles = [
                (staff[0], "legal_representative", start, change),
                (staff[1], "legal_representative", change + dt.timedelta(days=1), None),
                (staff[1], "principal", start, None),
            ] + [(p, "practitioner", start, None) for p in staff[2:]]
            for person, role, since, until in roles:
                world.roles.append(
                    {"person": person, "uscc": uscc, "role": role, "from": since, "to": until}
                )
                yield {
                    "type": "role",
                    "source": _src("hc", next(counter)),
                    "person": ref(person),
                    "institution": uscc,
                    "role": role,
                    "valid_from": _date(since),
                    "valid_to": _date(until) if until else None,
                    "licence_no": f"1{rng.randrange(10**14):014d}"
                    if role == "practitioner"
                    else None,
                }
            yield {
                "type": "evaluation",
                "source": _src("hc", next(counter)),
                "uscc": uscc,
                "year": today.year - 1,
                "grade": rng.choices(("excellent", "pass", "poor"), (2, 7, 1))[0],
                "scores": {
                    "practice_management": rng.randrange(60, 100),
                    "general_management": rng.randrange(60, 100),
                },
            }
            if rng.random() < 0.1:
                listed = rng.choice(("black", "red"))
                violation = start + dt.timedelta(days=rng.randrange(1, 90))
                decided = violation + dt.timedelta(days=30)
                entry = {
                    "type": "list_entry",
                    "source": _src("hc", next(counter)),
                    "id": f"HC-{decided.year}-{next(counter)}",
                    "list": listed,
                    "subject": {"uscc": uscc},
                    "reason": "严重违法违规执业" if listed == "black" else "年度信用评价优秀",
                    "basis": "《医疗机构管理条例》" if listed == "black" else "年度信用评价结果",
                    "severity": "serious" if listed == "black" else "minor",
                    "decided_by": "hc",
                    "violation_on": _date(violation) if listed == "black" else None,
                    "decided_on": _date(decided),
                    "valid_from": _date(decided),
                    "valid_until": _date(decided + dt.timedelta(days=365 * 3)),
                    "status": "active",
                    "responsible": [ref(staff[2])] if listed == "black" and len(staff) > 2 else [],
                }
                world.entries.append(entry)
                yield entry

    def lines() -> Iterator[str]:
        for record in records():
            if bad_share and rng.random() < bad_share:
                yield spoil(rng, record)
            else:
                yield json.dumps(record, ensure_ascii=False)

    return world, lines()


def spoil(rng: random.Random, record: dict[str, Any]) -> str:
    """Make one line bad in a way that names a field (or is not JSON at all)."""
    bad = json.loads(json.dumps(record))
    choice = rng.randrange(4)
    if choice == 0:
        return json.dumps(bad, ensure_ascii=False)[:-7]  # truncated line
    if choice == 1:
        bad["type"] = "unknown_type"
    elif choice == 2:
        bad.pop("source")
    else:
        bad["source"]["agency"] = "nonexistent-agency"
    return json.dumps(bad, ensure_ascii=False)
