"""The ASGI application: starlette routes around the strawberry GraphQL endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from hub.graph import open_store
from hub.graphql_http import GraphQLOverHTTP
from hub.personal_data import load_keyring
from hub.resolvers.context import HubContext, Loaders, Services
from hub.sanctions.catalogue import default_catalogue
from hub.sanctions.service import SanctionService
from hub.schema import build_schema
from hub.settings import Settings


async def open_services(settings: Settings) -> Services:
    keyring = load_keyring(settings.secret_path)
    catalogue = default_catalogue()  # validated here: a bad catalogue stops start-up
    store = await open_store(settings)
    return Services(settings, store, keyring, catalogue, SanctionService(store, catalogue, keyring))


class HubGraphQL(GraphQLOverHTTP[HubContext, None]):
    """The hub's GraphQL endpoint: GraphQL over HTTP (see hub.graphql_http) on its schema."""

    def __init__(self, services: Services, **kwargs: Any) -> None:
        super().__init__(build_schema(), **kwargs)
        self.services = services

    async def get_context(self, request: Any, response: Any) -> HubContext:
        return HubContext(self.services, Loaders.create(self.services.store), request, response)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    settings = settings or Settings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        own = services is None
        state["services"] = services or await open_services(settings)
        state["graphql"] = HubGraphQL(
            state["services"], graphql_ide="graphiql" if settings.development else None
        )
        try:
            yield
        finally:
            if own:
                await state["services"].store.close()

    class GraphQLEndpoint:
        """ASGI endpoint that hands over to the handler built at start-up."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await state["graphql"](scope, receive, send)

    async def health(_: Request) -> Response:
        s: Services = state["services"]
        return JSONResponse(
            {"status": "ok", "store": s.store.name, "catalogue": s.catalogue.version}
        )

    return Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"]),
            Route("/health", health),
        ],
        lifespan=lifespan,
    )
