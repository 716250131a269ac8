"""Resolvers that look a subject up: `institution`, `person`, `listEntries`."""

from __future__ import annotations

from hub.graph.cypher_store import decode_cursor, encode_cursor
from hub.identifiers import IdentifierError, parse_person_id, parse_uscc
from hub.schema.enums import IdType
from hub.schema.errors import BadInput, bad_identifier
from hub.schema.types import (
    Ctx,
    Institution,
    ListEntryConnection,
    ListEntryEdge,
    ListEntryFilter,
    PageInfo,
    Person,
    list_entry_of,
)

MAX_PAGE = 100


async def institution(info: Ctx, uscc: str, purpose: str | None = None) -> Institution | None:
    """One institution's file (the purpose: this argument or the X-Purpose header)."""
    try:
        value = parse_uscc(uscc).value
    except IdentifierError as err:
        raise bad_identifier("", err) from None
    info.context.access.note_subjects([value])
    row = await info.context.loaders.institution.load(value)
    return Institution.of(row) if row else None


async def person(
    info: Ctx, id_type: IdType, id_number: str, purpose: str | None = None
) -> Person | None:
    """One person's file (the purpose: this argument or the X-Purpose header)."""
    try:
        parsed = parse_person_id(id_type.value, id_number, "idNumber")
    except IdentifierError as err:
        raise bad_identifier("", err) from None
    pkey = info.context.services.keyring.person_key(parsed)
    info.context.access.note_subjects([pkey])
    row = await info.context.loaders.person.load(pkey)
    return Person.of(row, info) if row else None


async def list_entries(
    info: Ctx,
    filter: ListEntryFilter | None = None,
    first: int = 20,
    after: str | None = None,
    purpose: str | None = None,
) -> ListEntryConnection:
    if not 1 <= first <= MAX_PAGE:
        raise BadInput("first", f"between 1 and {MAX_PAGE}")
    try:
        start = decode_cursor(after) if after else ""
    except ValueError as err:
        raise BadInput("after", str(err).split(": ", 1)[-1]) from None
    filters: dict[str, str] = {}
    if filter is not None:
        if filter.list is not None:
            filters["list_type"] = filter.list.value
        if filter.status is not None:
            filters["status"] = filter.status.value
        if filter.decided_by is not None:
            filters["decided_by"] = filter.decided_by
        if filter.subject_kind is not None:
            filters["subject_kind"] = filter.subject_kind.value
    page = await info.context.services.store.list_entries(filters, first, start)
    info.context.access.note_subjects(r.get("subject_key") for r in page.rows)
    edges = [
        ListEntryEdge(cursor=encode_cursor(r["entry_id"]), node=list_entry_of(r)) for r in page.rows
    ]
    return ListEntryConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=bool(after),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
