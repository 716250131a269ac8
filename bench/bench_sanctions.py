"""Sanctions benchmark over HTTP on 127.0.0.1, beside a bare starlette endpoint.

    .venv/bin/python bench/bench_sanctions.py --institutions 20000 --requests 20000

Builds a graph from generated canonical records (≈5 persons per institution), starts
one uvicorn server (uvloop, httptools) serving both /graphql and /bare — the bare
endpoint does the same store traversal with no GraphQL — then drives each with a
bounded number of concurrent requests from this process and prints requests/s and
p50/p99. Then times `screen` of 10,000 subjects through GraphQL. Everything stops by
itself: the request count and a wall-clock limit bound each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

QUERY = (
    'query($u: String!) { sanctions(subject: {uscc: $u}, asOf: "2026-11-01", '
    'purpose: "benchmark") { measures { measure { code } appliesAs entry { id } '
    "path { type key } } warnings { entryId } } }"
)


def serve(port: int) -> None:
    """The server process: the hub's app plus a bare endpoint on the same services."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from hub.app import create_app, open_services
    from hub.settings import Settings

    settings = Settings()
    state = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        services = await open_services(settings)
        state["services"] = services
        hub = create_app(settings, services)
        async with hub.router.lifespan_context(hub):
            state["hub"] = hub
            yield
        await services.store.close()

    async def bare(request: Request) -> JSONResponse:
        services = state["services"]
        uscc = request.query_params["u"]
        facts = await services.store.sanction_facts("institution", [uscc], [])
        return JSONResponse({"entries": [r["entry_id"] for r in facts.get(uscc, [])]})

    async def hub_asgi(scope, receive, send):  # type: ignore[no-untyped-def]
        await state["hub"](scope, receive, send)

    app = Starlette(routes=[Route("/bare", bare), Mount("/", hub_asgi)], lifespan=lifespan)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


async def drive(url: str, make_request, total: int, concurrency: int, limit_s: float):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + limit_s
    counter = iter(range(total))
    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        async def worker() -> None:
            nonlocal errors
            for _ in counter:
                if time.monotonic() > deadline:
                    return
                start = time.perf_counter()
                response = await make_request(client)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200 or b'"errors"' in response.content:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, q[49] * 1000, q[98] * 1000, errors, len(latencies)


def build(data_dir: Path, institutions: int) -> list[str]:
    from typer.testing import CliRunner

    from hub.cli import app
    from hub.demo import generate

    world, lines = generate(institutions, seed=7)
    path = data_dir / "bench.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    start = time.perf_counter()
    result = runner.invoke(
        app, ["ingest", "canonical", str(path), "--report", str(data_dir / "r.json")]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((data_dir / "r.json").read_text())
    print(
        f"graph: {institutions} institutions, {len(world.persons)} persons, "
        f"{len(world.entries)} list entries; ingest {report['read']} rows in "
        f"{time.perf_counter() - start:.0f} s"
    )
    return [i["uscc"] for i in world.institutions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--institutions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUB_DATA_DIR"] = str(Path(tmp) / "var")
        usccs = build(Path(tmp), args.institutions)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            rng = random.Random(1)

            async def graphql(client: httpx.AsyncClient) -> httpx.Response:
                return await client.post(
                    "/graphql", json={"query": QUERY, "variables": {"u": rng.choice(usccs)}}
                )

            async def bare(client: httpx.AsyncClient) -> httpx.Response:
                return await client.get("/bare", params={"u": rng.choice(usccs)})

            asyncio.run(drive(url, graphql, 500, 8, 30))  # warm-up
            header = ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "n")
            print("{:10s} {:>8s} {:>8s} {:>8s} {:>7s} {:>7s}".format(*header))
            results = {}
            for name, fn in (("bare", bare), ("sanctions", graphql)):
                rps, p50, p99, errors, n = asyncio.run(
                    drive(url, fn, args.requests, args.concurrency, args.seconds)
                )
                results[name] = rps
                print(f"{name:10s} {rps:8.0f} {p50:8.2f} {p99:8.2f} {errors:7d} {n:7d}")
            print(f"sanctions / bare = {results['sanctions'] / results['bare']:.2f}")

            subjects = [{"uscc": u} for u in (usccs * (10_000 // len(usccs) + 1))[:10_000]]
            screen = (
                'query($s: [SubjectInput!]!) { screen(subjects: $s, asOf: "2026-11-01", '
                'purpose: "benchmark") { measures { measure { code } } } }'
            )
            start = time.perf_counter()
            response = httpx.post(
                f"{url}/graphql", json={"query": screen, "variables": {"s": subjects}}, timeout=120
            )
            took = time.perf_counter() - start
            ok = response.status_code == 200 and len(response.json()["data"]["screen"]) == 10_000
            print(f"screen 10,000 subjects over HTTP: {took:.2f} s ({'ok' if ok else 'FAILED'})")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
