"""Graph store port and its adapters; `open_store` picks one from the settings."""

from __future__ import annotations

from hub.graph.cypher_store import CypherStore
from hub.graph.port import GraphStore, Page, UpsertCounts, WriteBatch
from hub.settings import Settings

__all__ = ["CypherStore", "GraphStore", "Page", "UpsertCounts", "WriteBatch", "open_store"]


async def open_store(settings: Settings) -> CypherStore:
    """Open (and set up) the configured store: embedded by default, Neo4j on request."""
    store: CypherStore
    if settings.store == "neo4j":
        if not settings.neo4j_uri:
            raise ValueError("HUB_STORE=neo4j needs HUB_NEO4J_URI")
        from hub.graph.neo4j_store import Neo4jStore

        store = Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
        )
    else:
        from hub.graph.ladybug_store import LadybugStore

        store = LadybugStore(settings.graph_path, buffer_pool_mib=settings.graph_buffer_pool_mib)
    await store.setup()
    return store
