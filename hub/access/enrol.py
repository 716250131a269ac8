"""Issuing a key: only to an agency the graph knows, and the credit-office role only to
an agency of kind ``credit_office``, so a typo cannot mint a principal nobody vouches for."""

from __future__ import annotations

from hub.access.keys import ApiKey, KeyStore
from hub.access.roles import Role
from hub.graph.cypher_store import CypherStore


class UnknownAgency(ValueError):
    """The agency code names no agency in the graph (or cannot hold the role)."""


async def issue_key(
    store: CypherStore, keys: KeyStore, agency: str, role: Role
) -> tuple[ApiKey, str]:
    codes = await store.agency_codes()
    if agency not in codes:
        known = ", ".join(sorted(codes)) or "none yet: ingest the agency records first"
        raise UnknownAgency(f"unknown agency {agency!r} (known: {known})")
    if role is Role.CREDIT_OFFICE:
        node = (await store.get_nodes("Agency", [agency])).get(agency) or {}
        if node.get("kind") != "credit_office":
            raise UnknownAgency(
                f"agency {agency!r} is of kind {node.get('kind')!r}: "
                "the credit_office role needs an agency of kind credit_office"
            )
    return keys.create(agency, role)
