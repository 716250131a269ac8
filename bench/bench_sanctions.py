"""Sanctions benchmark over HTTP on 127.0.0.1, beside a bare starlette endpoint.

    .venv/bin/python bench/bench_sanctions.py --institutions 200000 --data-dir /tmp/g200k

Builds a graph from generated canonical records (≈5 persons per institution; with
--data-dir, once, reused by later runs), issues an agency API key, starts one uvicorn
server (uvloop, httptools) serving /graphql (access log on: every request is a durable,
signed leaf before its answer), /nolog/graphql (the same app and services with the
access log off; authentication and policy still run) and /bare — the same engine call
(`SanctionService.report`) with no GraphQL, key or log — waits for the sanction index to
load, then drives each for a bounded time with wrk (one C thread; or this process's
httpx client with --client python) and prints requests/s and p50/p99, the phases
alternating `--rounds` times to even out noise. Then times `screen` of 10,000 subjects,
log off and on. Everything stops by itself: wrk's duration, the request count and a
wall-clock limit bound each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
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

AS_OF = dt.date(2026, 11, 1)
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
    from starlette.routing import Route

    from hub.app import create_app, open_services
    from hub.identifiers import parse_uscc
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
        """The same engine call as the `sanctions` resolver, without GraphQL, keys or log."""
        services = state["services"]
        uscc = parse_uscc(request.query_params["u"])
        report = await services.sanctions.report(uscc, AS_OF, describe=False)
        return JSONResponse(
            {
                "measures": [
                    [m.measure.code, m.applies_as, m.entry.id if m.entry else None]
                    for m in report.measures
                ],
                "warnings": [w.entry_id for w in report.warnings],
            }
        )

    # Each endpoint runs as it would deployed alone: a path dispatch in front, not a
    # Starlette app mounting the others (that would add a second middleware stack to the
    # GraphQL endpoints and not to the bare one).
    bare_app = Starlette(routes=[Route("/bare", bare)])
    lifespan_app = Starlette(lifespan=lifespan)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await lifespan_app(scope, receive, send)
        elif scope["path"] == "/bare":
            await bare_app(scope, receive, send)
        elif scope["path"].startswith("/nolog/"):
            await state["nolog"]({**scope, "root_path": "/nolog"}, receive, send)
        else:
            await state["hub"](scope, receive, send)

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


WRK_SCRIPT = """
local usccs = {}
for line in io.lines(os.getenv("BENCH_USCCS")) do usccs[#usccs + 1] = line end
local path, key, query = os.getenv("BENCH_PATH"), os.getenv("BENCH_KEY"), os.getenv("BENCH_QUERY")
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
math.randomseed(1)
request = function()
  local u = usccs[math.random(#usccs)]
  if path == "/bare" then return wrk.format("GET", "/bare?u=" .. u) end
  local body = '{"query":"' .. query .. '","variables":{"u":"' .. u .. '"}}'
  return wrk.format("POST", path, headers, body)
end
errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  io.write(string.format("RESULT %d %.3f %.3f %.3f %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, e))
end
"""


def drive_wrk(
    url: str, path: str, usccs_file: Path, key: str, concurrency: int, seconds: float
) -> tuple[float, float, float, int, int]:
    """Drive with wrk (C, one thread): the client then costs the server's cores little."""
    script = usccs_file.with_name("bench.lua")
    script.write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "BENCH_USCCS": str(usccs_file),
        "BENCH_PATH": path,
        "BENCH_KEY": key,
        "BENCH_QUERY": QUERY.replace('"', '\\"'),
    }
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, duration, p50, p99, errors = line.split()[1:]
    return int(n) / float(duration), float(p50), float(p99), int(errors), int(n)


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


def prepare(args: argparse.Namespace, tmp: Path) -> tuple[Path, list[str], str]:
    """The graph to serve: built in `tmp`, or once in --data-dir and reused after that."""
    where = Path(args.data_dir) if args.data_dir else tmp
    where.mkdir(parents=True, exist_ok=True)
    os.environ["HUB_DATA_DIR"] = str(where / "var")
    usccs_file, key_file = where / "usccs.txt", where / "key.txt"
    if usccs_file.exists() and key_file.exists():
        print(f"graph: reusing {where}")
        return usccs_file, usccs_file.read_text().split(), key_file.read_text().strip()
    usccs, key = build(where, args.institutions)
    (where / "bench.jsonl").unlink()  # generated data: not kept
    usccs_file.write_text("\n".join(usccs) + "\n")
    key_file.write_text(key)
    return usccs_file, usccs, key


def wait_ready(url: str) -> None:
    """Until the server answers and its sanction index is loaded (bounded)."""
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            health = httpx.get(f"{url}/health", timeout=1).json()
            if health["sanction_index"] in ("ready", "off"):
                print(f"server ready: sanction index {health['sanction_index']}")
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--institutions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=20_000, help="python client only")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2, help="log off/on alternations")
    parser.add_argument("--data-dir", help="build the graph here once and reuse it")
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator (default: wrk when installed: apt-get install wrk)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    with tempfile.TemporaryDirectory() as tmp:
        usccs_file, usccs, key = prepare(args, Path(tmp))
        auth = {"Authorization": f"Bearer {key}"}
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url)
            rng = random.Random(1)

            def graphql_at(path: str):  # type: ignore[no-untyped-def]
                async def call(client: httpx.AsyncClient) -> httpx.Response:
                    return await client.post(
                        path,
                        json={"query": QUERY, "variables": {"u": rng.choice(usccs)}},
                        headers=auth,
                    )

                return call

            async def bare_call(client: httpx.AsyncClient) -> httpx.Response:
                return await client.get("/bare", params={"u": rng.choice(usccs)})

            python_calls = {
                "/bare": bare_call,
                "/graphql": graphql_at("/graphql"),
                "/nolog/graphql": graphql_at("/nolog/graphql"),
            }

            def run(path: str, total: int, seconds: float) -> tuple[float, float, float, int, int]:
                if args.client == "wrk":
                    return drive_wrk(url, path, usccs_file, key, args.concurrency, seconds)
                return asyncio.run(drive(url, python_calls[path], total, args.concurrency, seconds))

            for path in ("/graphql", "/nolog/graphql", "/bare"):  # warm-up
                run(path, 500, 2)
            print(f"client: {args.client}, concurrency {args.concurrency}")
            header = ("endpoint", "req/s", "p50 ms", "p99 ms", "errors", "n")
            print("{:18s} {:>8s} {:>8s} {:>8s} {:>7s} {:>7s}".format(*header))
            results: dict[str, list[float]] = {}
            rounds = max(1, args.rounds)
            phases = [
                ("bare", "/bare"),
                ("sanctions log off", "/nolog/graphql"),
                ("sanctions log on", "/graphql"),
            ] * rounds
            for name, path in phases:
                rps, p50, p99, errors, n = run(path, args.requests // rounds, args.seconds / rounds)
                results.setdefault(name, []).append(rps)
                print(f"{name:18s} {rps:8.0f} {p50:8.2f} {p99:8.2f} {errors:7d} {n:7d}")
            bare = statistics.mean(results["bare"])
            off = statistics.mean(results["sanctions log off"])
            on = statistics.mean(results["sanctions log on"])
            print(f"sanctions (log on) / bare = {on / bare:.2f}")
            print(
                f"access log on: {on:.0f} req/s vs {off:.0f} off: throughput "
                f"{(on / off - 1) * 100:+.1f}% (goal: no more than 15% lower)"
            )
            screen_10k(url, usccs, auth)
        finally:
            server.terminate()
            server.wait(timeout=30)


def screen_10k(url: str, usccs: list[str], auth: dict[str, str]) -> None:
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
        ok = response.status_code == 200 and len(response.json()["data"]["screen"]) == 10_000
        state = "ok" if ok else "FAILED"
        print(f"screen 10,000 subjects over HTTP, {label}: {took:.2f} s ({state})")


if __name__ == "__main__":
    main()
