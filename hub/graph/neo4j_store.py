"""Production adapter: Neo4j 5 through the official async driver.

The queries are the shared ones in `queries.py`; this module only adds Neo4j's DDL
(uniqueness constraints and edge indexes), explicit transactions and result
conversion. It runs whenever HUB_STORE=neo4j and HUB_NEO4J_URI are set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase

from hub.graph import queries as q
from hub.graph.cypher_store import CypherStore, Run
from hub.graph.port import Row


def ddl() -> list[str]:
    statements = [
        f"CREATE CONSTRAINT {label.lower()}_key IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
        for label, key in q.NODE_KEYS.items()
    ]
    statements += [
        "CREATE INDEX holds_role IF NOT EXISTS FOR ()-[h:HOLDS]-() ON (h.role, h.valid_from)",
        "CREATE INDEX entry_list IF NOT EXISTS FOR (e:ListEntry) ON (e.list_type, e.status)",
    ]
    return statements


class Neo4jStore(CypherStore):
    name = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        self._driver: AsyncDriver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        self._database = database

    async def read(self, query: str, params: dict[str, Any]) -> list[Row]:
        async with self._driver.session(database=self._database) as session:
            result = await session.run(query, params)
            return [dict(record) async for record in result]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Run]:
        async with self._driver.session(database=self._database) as session:
            tx = await session.begin_transaction()
            try:

                async def run(query: str, params: dict[str, Any]) -> list[Row]:
                    result = await tx.run(query, params)
                    return [dict(record) async for record in result]

                yield run
            except BaseException:
                await tx.rollback()
                raise
            await tx.commit()
            self.generation += 1

    async def setup(self) -> None:
        await self._driver.verify_connectivity()
        async with self._driver.session(database=self._database) as session:
            for statement in ddl():
                await session.run(statement)

    async def close(self) -> None:
        await self._driver.close()
