"""The workflows' Cypher, in the subset both LadybugDB and Neo4j run (../shared/CYPHER.md).

Built from the table definitions in hub/graph/queries.py: one label per node, map
fields projected with WITH before a node MERGE, edge MERGE reading r.x directly,
every value a parameter, every property a string, scalars returned.
"""

from __future__ import annotations

from functools import cache

from hub.graph import queries as gq

PROVENANCE_WRITTEN = ("src_agency", "src_record")


def _columns(label: str, var: str = "n", provenance: bool = False) -> str:
    fields = gq.NODE_PROPERTIES[label] + (gq.PROVENANCE if provenance else ())
    return ", ".join(f"{var}.{f} AS {f}" for f in fields)


@cache
def upsert(label: str, provenance: bool = False) -> str:
    """Create or overwrite whole nodes from `$rows` (each row has every property)."""
    key = gq.NODE_KEYS[label]
    fields = tuple(f for f in gq.NODE_PROPERTIES[label] if f != key)
    if provenance:
        fields += PROVENANCE_WRITTEN
    projected = ", ".join(f"r.{f} AS v_{f}" for f in fields)
    assigned = ", ".join(f"n.{f} = v_{f}" for f in fields)
    if provenance:
        return (
            f"UNWIND $rows AS r WITH r.{key} AS k, {projected} "
            f"MERGE (n:{label} {{{key}: k}}) ON CREATE SET n.first_seen = $now "
            f"SET {assigned}, n.last_seen = $now"
        )
    return (
        f"UNWIND $rows AS r WITH r.{key} AS k, {projected} "
        f"MERGE (n:{label} {{{key}: k}}) SET {assigned}"
    )


@cache
def update(label: str, fields: tuple[str, ...]) -> str:
    """Set some properties of one node: parameters `$key` and one per field."""
    key = gq.NODE_KEYS[label]
    assigned = ", ".join(f"n.{f} = ${f}" for f in fields)
    return f"MATCH (n:{label} {{{key}: $key}}) SET {assigned}"


@cache
def get(label: str, provenance: bool = False) -> str:
    """Nodes by key: parameter `$keys`."""
    key = gq.NODE_KEYS[label]
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) "
        f"RETURN {_columns(label, provenance=provenance)}"
    )


@cache
def select(
    label: str, equal: tuple[str, ...] = (), between: str | None = None, provenance: bool = False
) -> str:
    """Nodes whose `equal` properties match the same-named parameters and whose date
    property `between` lies in [$first_day, $last_day]."""
    conditions = [f"n.{f} = ${f}" for f in equal]
    if between is not None:
        conditions += [f"n.{between} >= $first_day", f"n.{between} <= $last_day"]
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"MATCH (n:{label}){where} RETURN {_columns(label, provenance=provenance)}"


# --- list entries --------------------------------------------------------------------------

ENTRY_COLUMNS = _columns("ListEntry", "e", provenance=True)
ENTRIES_BY_STATUS = f"MATCH (e:ListEntry) WHERE e.status IN $statuses RETURN {ENTRY_COLUMNS}"
ENTRIES_PUBLISHED_BY = (
    f"MATCH (e:ListEntry) WHERE e.list_type IN $lists AND e.valid_from <= $day "
    f"RETURN {ENTRY_COLUMNS}"
)
ENTRIES_BETWEEN = (
    "MATCH (e:ListEntry) WHERE e.valid_from >= $first_day AND e.valid_from <= $last_day "
    f"RETURN {ENTRY_COLUMNS}"
)
ENTRY_STATUS = (
    "MATCH (e:ListEntry {entry_id: $key}) SET e.status = $status, "
    "e.status_changed_on = $changed_on, e.last_seen = $now"
)
# Subject edges of a new entry (CONCERNS, RESPONSIBLE) are the store's own queries.
ENTRY_TO_INSTITUTION = gq.SUBJECT_EDGES["ListEntry"][1]
ENTRY_TO_PERSON = gq.SUBJECT_EDGES["ListEntry"][2]
ENTRY_RESPONSIBLE = gq.RESPONSIBLE_LINK

EVALUATIONS_OF = gq.records_of("Evaluation", "EVALUATES", "Institution", "uscc")
EVALUATION_TO_INSTITUTION = gq.SUBJECT_EDGES["Evaluation"][1]
EVALUATIONS_OF_YEARS = (
    "MATCH (v:Evaluation) WHERE v.year IN $years "
    "RETURN v.ev_key AS ev_key, v.uscc AS uscc, v.year AS year, v.grade AS grade"
)
ALL_INSTITUTIONS = "MATCH (i:Institution) RETURN i.uscc AS uscc, i.name AS name"

COMMITMENTS_OF_INSTITUTIONS = gq.records_of("Commitment", "COMMITS", "Institution", "uscc")
COMMITMENTS_OF_PERSONS = gq.records_of("Commitment", "COMMITS", "Person", "pkey")
COMMITMENT_TO_INSTITUTION = gq.SUBJECT_EDGES["Commitment"][1]
COMMITMENT_TO_PERSON = gq.SUBJECT_EDGES["Commitment"][2]

AGENCIES = "MATCH (a:Agency) RETURN a.code AS code, a.name AS name, a.kind AS kind"
SUBJECT_EXISTS = {
    "institution": "MATCH (n:Institution {uscc: $key}) RETURN n.uscc AS key, n.name AS name",
    "person": "MATCH (n:Person {pkey: $key}) RETURN n.pkey AS key, n.name AS name",
}

HISTORY = (
    "MATCH (n:WorkflowEvent) WHERE n.target_kind = $target_kind AND n.target_key = $target_key "
    f"RETURN {_columns('WorkflowEvent')} ORDER BY on_date, event_key"
)
STATEMENTS_OF = (
    "MATCH (n:Statement) WHERE n.uscc = $uscc "
    f"RETURN {_columns('Statement')} ORDER BY serial DESC LIMIT 1"
)
