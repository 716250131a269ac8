"""Publication of the red/black lists (红黑榜) and of grade downgrades.

A published row carries exactly what the Wugang rules require (seeds/003 四(2)): the
subject's name and USCC (or ID document type and masked number), the legal
representative's (or principal's) name, ID type and masked number, and the reason,
deciding agency, basis, decision date and validity. ID numbers are only ever the masked
copies the graph holds; nothing here can decrypt one.

The annual release (统一发布) is the list in publicity on its release day; the same
function answers on demand for any day. Renderers give CSV (UTF-8 with BOM, for
spreadsheet programs), XLSX and JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Literal

import openpyxl
from openpyxl.styles import Font

from hub.graph.port import Row
from hub.sanctions.resolve import status_on
from hub.workflows import queries as wq
from hub.workflows.context import Context, iso
from hub.workflows.evaluation import Evaluations
from hub.workflows.lifecycle import publicity_end

Format = Literal["csv", "xlsx", "json"]

LIST_FIELDS: tuple[tuple[str, str], ...] = (
    ("list", "名单"),
    ("subject_name", "主体名称"),
    ("subject_id_type", "主体证件类型"),
    ("subject_id", "统一社会信用代码或证件号码"),
    ("legal_representative_name", "法定代表人（单位负责人）姓名"),
    ("legal_representative_id_type", "法定代表人（单位负责人）证件类型"),
    ("legal_representative_id", "法定代表人（单位负责人）证件号码"),
    ("reason", "列入事由"),
    ("deciding_agency", "认定部门"),
    ("basis", "认定依据"),
    ("decided_on", "认定日期"),
    ("valid_from", "有效期起"),
    ("valid_until", "有效期至"),
)
DOWNGRADE_FIELDS: tuple[tuple[str, str], ...] = (
    ("institution_name", "医疗机构名称"),
    ("uscc", "统一社会信用代码"),
    ("year", "评价年度"),
    ("from_grade", "原信用等级"),
    ("to_grade", "降级后信用等级"),
    ("on", "降级日期"),
    ("deciding_agency", "认定部门"),
    ("reason", "降级事由"),
)
LIST_NAMES = {
    "red": "红榜（守信红名单）",
    "black": "黑榜（严重失信主体名单）",
    "medical_order": "严重危害正常医疗秩序失信行为责任人名单",
    "focus": "重点关注名单",
}
ID_TYPE_NAMES = {
    "uscc": "统一社会信用代码",
    "resident_id": "居民身份证",
    "hk_macao_taiwan": "港澳台居民居住证/通行证",
    "foreign_permanent": "外国人永久居留身份证",
    "passport": "护照",
}
GRADE_NAMES = {"excellent": "优秀", "pass": "合格", "poor": "差"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True, slots=True)
class Table:
    """A publication: a title, its fields (key, Chinese label) and rows keyed by field."""

    title: str
    as_of: str
    fields: tuple[tuple[str, str], ...]
    rows: list[dict[str, str]]
    # the subjects shown (USCCs, persons' graph keys), for the access log; never rendered
    subjects: tuple[str, ...] = ()


def _legal_representative(roles: list[Row], day: str) -> Row | None:
    """Who held the legal representative's (else the principal's) role on `day`."""
    for wanted in ("legal_representative", "principal"):
        for role in roles:
            until = role.get("valid_to")
            if role["role"] == wanted and role["valid_from"] <= day and (not until or day <= until):
                return role
    return None


class Publication:
    def __init__(self, ctx: Context, evaluations: Evaluations) -> None:
        self.ctx = ctx
        self.evaluations = evaluations

    async def lists(self, as_of: dt.date, lists: tuple[str, ...] = ("red", "black")) -> Table:
        """The entries in publicity on `as_of` (on demand)."""
        day = iso(as_of)
        entries = [
            e
            for e in await self.ctx.store.read(
                wq.ENTRIES_PUBLISHED_BY, {"lists": list(lists), "day": day}
            )
            if status_on(e, day) is not None
            and day <= iso(publicity_end(self.ctx.config.publicity, e))
        ]
        store = self.ctx.store
        usccs = sorted({e["subject_key"] for e in entries if e["subject_kind"] == "institution"})
        pkeys = sorted({e["subject_key"] for e in entries if e["subject_kind"] == "person"})
        institutions = await store.get_nodes("Institution", usccs)
        persons = await store.get_nodes("Person", pkeys)
        roles = await store.roles_of("institution", usccs)
        agencies = await store.get_nodes("Agency", sorted({e["decided_by"] for e in entries}))
        rows = []
        shown_keys: dict[str, None] = {}
        name: str | None
        id_type: str | None
        shown: str | None
        for e in sorted(entries, key=lambda e: (e["list_type"], e["decided_on"], e["entry_id"])):
            if e["subject_kind"] == "institution":
                node = institutions.get(e["subject_key"]) or {}
                name, id_type, shown = node.get("name"), "uscc", e["subject_key"]
                lr = _legal_representative(roles.get(e["subject_key"], []), e["decided_on"])
            else:
                node = persons.get(e["subject_key"]) or {}
                name, id_type, shown = node.get("name"), node.get("id_type"), node.get("id_masked")
                lr = None
            shown_keys.update(
                dict.fromkeys(k for k in (e["subject_key"], (lr or {}).get("pkey")) if k)
            )
            agency = agencies.get(e["decided_by"]) or {}
            rows.append(
                {
                    "list": LIST_NAMES.get(e["list_type"], e["list_type"]),
                    "subject_name": name or "",
                    "subject_id_type": ID_TYPE_NAMES.get(id_type or "", id_type or ""),
                    "subject_id": shown or "",
                    "legal_representative_name": (lr or {}).get("person_name") or "",
                    "legal_representative_id_type": ID_TYPE_NAMES.get(
                        (lr or {}).get("id_type") or "", ""
                    ),
                    "legal_representative_id": (lr or {}).get("id_masked") or "",
                    "reason": e["reason"],
                    "deciding_agency": agency.get("name") or e["decided_by"],
                    "basis": e["basis"],
                    "decided_on": e["decided_on"],
                    "valid_from": e["valid_from"],
                    "valid_until": iso(publicity_end(self.ctx.config.publicity, e)),
                }
            )
        title = "、".join(LIST_NAMES.get(k, k) for k in lists)
        return Table(
            title=title, as_of=day, fields=LIST_FIELDS, rows=rows, subjects=tuple(shown_keys)
        )

    async def annual(self, year: int, lists: tuple[str, ...] = ("red", "black")) -> Table:
        """The annual unified release: the lists as they stand at the end of `year`."""
        return await self.lists(dt.date(year, 12, 31), lists)

    async def downgrades(self, start: dt.date, end: dt.date) -> Table:
        """Grade downgrades decided in [start, end] (降级情况及时进行公示)."""
        found = await self.evaluations.downgrades(start, end)
        institutions = await self.ctx.store.get_nodes(
            "Institution", sorted({d.uscc for d in found})
        )
        agencies = await self.ctx.store.get_nodes("Agency", sorted({d.agency for d in found}))
        rows = [
            {
                "institution_name": (institutions.get(d.uscc) or {}).get("name") or "",
                "uscc": d.uscc,
                "year": str(d.year),
                "from_grade": GRADE_NAMES[d.from_grade],
                "to_grade": GRADE_NAMES[d.to_grade],
                "on": d.on,
                "deciding_agency": (agencies.get(d.agency) or {}).get("name") or d.agency,
                "reason": d.reason,
            }
            for d in found
        ]
        return Table(
            title="医疗机构信用等级降级公示",
            as_of=iso(end),
            fields=DOWNGRADE_FIELDS,
            rows=rows,
            subjects=tuple(sorted({d.uscc for d in found})),
        )


def render(table: Table, fmt: Format) -> tuple[bytes, str]:
    """(body, media type) of a publication in CSV, XLSX or JSON."""
    if fmt == "csv":
        return to_csv(table), MEDIA_TYPES["csv"]
    if fmt == "xlsx":
        return to_xlsx(table), MEDIA_TYPES["xlsx"]
    if fmt == "json":
        return to_json(table), MEDIA_TYPES["json"]
    raise ValueError(f"format: one of csv, xlsx, json (got {fmt!r})")


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in table.fields])
    for row in table.rows:
        writer.writerow([row[key] for key, _ in table.fields])
    return out.getvalue().encode("utf-8-sig")


def to_json(table: Table) -> bytes:
    body = {
        "title": table.title,
        "as_of": table.as_of,
        "fields": [{"key": k, "label": label} for k, label in table.fields],
        "entries": [{k: row[k] for k, _ in table.fields} for row in table.rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode()


def to_xlsx(table: Table) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append([f"{table.title}（截至{table.as_of}）"])
    sheet.append([label for _, label in table.fields])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([row[key] for key, _ in table.fields])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
