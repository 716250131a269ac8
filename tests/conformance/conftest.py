"""A real hub for the conformance tests: `credit-hub init`, `ingest canonical` of a small
generated world, then `credit-hub serve` on a free port on 127.0.0.1 (a subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.demo import generate

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "conformance"
START_TIMEOUT = 60.0  # seconds for /health to answer
CLI_TIMEOUT = 120.0  # seconds for init / ingest / export-schema
STOP_TIMEOUT = 10.0


@dataclass
class Hub:
    url: str  # the GraphQL endpoint
    base: str
    data_dir: Path
    sdl_file: Path  # `credit-hub export-schema`
    institutions: list[dict[str, Any]]
    log_file: Path
    api_key: str  # a credit_office key (`credit-hub keys create`): every field is allowed

    @property
    def headers(self) -> dict[str, str]:
        """What a credit-office client sends: its key, and the purpose of its lookups."""
        return {"Authorization": f"Bearer {self.api_key}", "X-Purpose": "conformance tests"}


def credit_hub() -> list[str]:
    """The `credit-hub` command of the interpreter running the tests."""
    script = Path(sys.executable).parent / "credit-hub"
    if script.exists():
        return [str(script)]
    found = shutil.which("credit-hub")
    if found:
        return [found]
    return [sys.executable, "-c", "from hub.cli import app; app()"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        credit_hub() + args,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
        **kwargs,
    )
    assert result.returncode == 0, f"credit-hub {' '.join(args)} failed:\n{result.stderr}"
    return result


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT)


def _start(env: dict[str, str], log_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server; retry on another port if the chosen one was taken meanwhile."""
    for _ in range(3):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with log_file.open("ab") as log:
            proc = subprocess.Popen(
                [*credit_hub(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                    return proc, base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        _stop(proc)
    raise RuntimeError(f"the hub did not start; log:\n{log_file.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    work = tmp_path_factory.mktemp("conformance-hub")
    data_dir = work / "data"
    env = {**os.environ, "HUB_DATA_DIR": str(data_dir), "HUB_STORE": "embedded"}
    env.pop("HUB_DEVELOPMENT", None)

    world, lines = generate(12, seed=3)
    canonical = work / "world.jsonl"
    canonical.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    _run(["init"], env)
    _run(["ingest", "canonical", str(canonical), "--report", str(work / "report.json")], env)
    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
    assert report["rejected"] == 0, report
    api_key = _run(["keys", "create", "--agency", "co", "--role", "credit_office"], env).stdout
    sdl_file = work / "hub.graphql"
    sdl_file.write_text(_run(["export-schema"], env).stdout, encoding="utf-8")

    log_file = work / "serve.log"
    proc, base = _start(env, log_file)
    try:
        yield Hub(
            url=f"{base}/graphql",
            base=base,
            data_dir=data_dir,
            sdl_file=sdl_file,
            institutions=world.institutions,
            log_file=log_file,
            api_key=api_key.strip(),
        )
    finally:
        _stop(proc)
