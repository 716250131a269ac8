"""Sanctions benchmark over HTTP on 127.0.0.1, beside a bare starlette endpoint.

    .venv/bin/python bench/bench_sanctions.py --institutions 20000 --requests 20000

Builds a graph from generated canonical records (≈5 persons per institution), issues an
agency API key, starts one uvicorn server (uvloop, httptools) serving /graphql (access
log on: every request is a durable, signed leaf before its answer), /nolog/graphql (the
same app and services with the access log off; authentication and policy still run) and
/bare — the same store traversal with no GraphQL — then drives each with a bounded
number of concurrent requests from this process and prints requests/s and p50/p99
(log off and on alternate, `--rounds` times, to even out noise). Then times `screen` of
10,000 subjects, log off and on. Everything stops by itself: the request count and a
wall-clock limit bound each phase.
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
        nolog = create_app(settings, services, log_requests=False)
        async with hub.router.lifespan_context(hub), nolog.router.lifespan_context(nolog):
            state["hub"], state["nolog"] = hub, nolog
            yield
        await services.close()

    async def bare(request: Request) -> JSONResponse:
        services = state["services"]
        uscc = request.query_params["u"]
        facts = await services.store.sanction_facts("institution", [uscc], [])
        return JSONResponse({"entries": [r["entry_id"] for r in facts.get(uscc, [])]})

    async def hub_asgi(scope, receive, send):  # type: ignore[no-untyped-def]
        await state["hub"](scope, receive, send)

    async def nolog_asgi(scope, receive, send):  # type: ignore[no-untyped-def]
        await state["nolog"](scope, receive, send)

    app = Starlette(
        routes=[Route("/bare", bare), Mount("/nolog", nolog_asgi), Mount("/", hub_asgi)],
        lifespan=lifespan,
    )
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


def build(data_dir: Path, institutions: int) -> tuple[list[str], str]:
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
    if result.exit_code != 0:
        raise RuntimeError(f"ingest failed: {result.output}") from result.exception
    report = json.loads((data_dir / "r.json").read_text())
    issued = runner.invoke(app, ["keys", "create", "--agency", "hc", "--role", "agency"])
    assert issued.exit_code == 0, issued.output
    key = issued.stdout.strip().splitlines()[-1]
    print(
        f"graph: {institutions} institutions, {len(world.persons)} persons, "
        f"{len(world.entries)} list entries; ingest {report['read']} rows in "
        f"{time.perf_counter() - start:.0f} s"
    )
    return [i["uscc"] for i in world.institutions], key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--institutions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2, help="log off/on alternations")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUB_DATA_DIR"] = str(Path(tmp) / "var")
        usccs, key = build(Path(tmp), args.institutions)
        auth = {"Authorization": f"Bearer {key}"}
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

            def graphql_at(path: str):  # type: ignore[no-untyped-def]
                async def call(client: httpx.AsyncClient) -> httpx.Response:
                    return await client.post(
                        path,
                        json={"query": QUERY, "variables": {"u": rng.choice(usccs)}},
                        headers=auth,
                    )

                return call

            graphql, nolog = graphql_at("/graphql"), graphql_at("/nolog/graphql")

            async def bare(client: httpx.AsyncClient) -> httpx.Response:
                return await client.get("/bare", params={"u": rng.choice(usccs)})

            asyncio.run(drive(url, graphql, 500, 8, 30))  # warm-up
            asyncio.run(drive(url, nolog, 500, 8, 30))
            header = ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "n")
            print("{:16s} {:>8s} {:>8s} {:>8s} {:>7s} {:>7s}".format(*header))
            results: dict[str, list[float]] = {}
            rounds = max(1, args.rounds)
            phases = [("bare", bare)] + [
                ("sanctions log off", nolog),
                ("sanctions log on", graphql),
            ] * rounds
            for name, fn in phases:
                total = args.requests if name == "bare" else args.requests // rounds
                seconds = args.seconds if name == "bare" else args.seconds / rounds
                rps, p50, p99, errors, n = asyncio.run(
                    drive(url, fn, total, args.concurrency, seconds)
                )
                results.setdefault(name, []).append(rps)
                print(f"{name:16s} {rps:8.0f} {p50:8.2f} {p99:8.2f} {errors:7d} {n:7d}")
            off = statistics.mean(results["sanctions log off"])
            on = statistics.mean(results["sanctions log on"])
            print(f"sanctions (log off) / bare = {off / results['bare'][0]:.2f}")
            print(
                f"access log on: {on:.0f} req/s vs {off:.0f} off: throughput "
                f"{(on / off - 1) * 100:+.1f}% (goal: no more than 15% lower)"
            )

            subjects = [{"uscc": u} for u in (usccs * (10_000 // len(usccs) + 1))[:10_000]]
            screen = (
                'query($s: [SubjectInput!]!) { screen(subjects: $s, asOf: "2026-11-01", '
                'purpose: "benchmark") { measures { measure { code } } } }'
            )
            for label, path in (("log off", "/nolog/graphql"), ("log on", "/graphql")):
                start = time.perf_counter()
                response = httpx.post(
                    f"{url}{path}",
                    json={"query": screen, "variables": {"s": subjects}},
                    headers=auth,
                    timeout=120,
                )
                took = time.perf_counter() - start
                ok = (
                    response.status_code == 200 and len(response.json()["data"]["screen"]) == 10_000
                )
                state = "ok" if ok else "FAILED"
                print(f"screen 10,000 subjects over HTTP, {label}: {took:.2f} s ({state})")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
