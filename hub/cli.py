"""The `credit-hub` command: init, ingest, serve, schemas, demo."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from hub.ingest import Ingestor, IngestReport, ingest_lines
from hub.personal_data import create_secret_file, load_keyring
from hub.records import json_schema
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.access.keys import ApiKey, KeyStore

app = typer.Typer(help="credit-hub: health-sector credit supervision and joint sanctions.")
ingest_app = typer.Typer(help="Load agency data into the graph.")
app.add_typer(ingest_app, name="ingest")
err = Console(stderr=True)


@app.command()
def init() -> None:
    """Create the data directory and the hub's secret keys (once)."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    created = create_secret_file(settings.secret_path)
    state = "created" if created else "already present"
    err.print(f"secret key {state}: {settings.secret_path}")
    _init_audit_key(settings)


def _print_summary(report: IngestReport) -> None:
    err.print(
        f"[bold]{report.source}[/]: read {report.read}, accepted {report.accepted}, "
        f"rejected {report.rejected}"
    )
    for label, counts in sorted(report.written.items()):
        err.print(
            f"  {label}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
    for rejection in report.rejections[:20]:
        err.print(f"  [red]{rejection.position}[/] {rejection.field}: {rejection.reason}")
    if report.rejected > 20:
        err.print(f"  … {report.rejected - 20} more in {report.quarantine_file}")


async def _ingest_canonical(settings: Settings, path: Path, progress: Progress) -> IngestReport:
    from hub.graph import open_store

    keyring = load_keyring(settings.secret_path)
    store = await open_store(settings)
    try:
        ingestor = Ingestor(
            store, keyring, str(path), settings.quarantine_dir, settings.ingest_batch_size
        )
        task = progress.add_task(path.name, total=path.stat().st_size)
        with path.open("rb") as fh:
            text = (line.decode("utf-8") for line in fh)

            def advance(_: int) -> None:
                progress.update(task, completed=fh.tell())

            report = await ingest_lines(ingestor, text, on_progress=advance)
        progress.update(task, completed=path.stat().st_size)
        return report
    finally:
        await store.close()


@ingest_app.command("canonical")
def ingest_canonical(
    path: Path,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="write the JSON report here")
    ] = None,
) -> None:
    """Ingest a canonical JSON Lines file (one record a line)."""
    settings = Settings()
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        report = asyncio.run(_ingest_canonical(settings, path, progress))
    _print_summary(report)
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    if report_file:
        report_file.write_text(body + "\n", encoding="utf-8")
    else:
        reports = settings.data_dir / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        (reports / f"{path.name}.{report.started.replace(':', '')}.json").write_text(body + "\n")


@app.command("records-schema")
def records_schema() -> None:
    """Print the JSON Schema of canonical records."""
    json.dump(json_schema(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@app.command()
def stats() -> None:
    """Count nodes and edges in the graph."""
    from hub.graph import open_store

    async def run() -> dict[str, int]:
        store = await open_store(Settings())
        try:
            return await store.counts()
        finally:
            await store.close()

    json.dump(asyncio.run(run()), sys.stdout, indent=2)
    sys.stdout.write("\n")


def _add_connector_commands() -> None:
    """Agency connectors add `credit-hub ingest AGENCY …` and `demo-data` (see connectors/)."""
    try:
        from connectors.cli import add_commands
    except ImportError:
        return
    add_commands(app, ingest_app)


_add_connector_commands()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="only 1 with the embedded store")] = 1,
) -> None:
    """Serve the GraphQL API at /graphql."""
    import uvicorn

    from hub.app import create_app

    settings = Settings()
    if workers != 1 and settings.store == "embedded":
        raise typer.BadParameter("the embedded store is owned by one process: use --workers 1")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL SDL of the federation subgraph."""
    from hub.schema import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")


@app.command()
def demo(
    institutions: Annotated[int, typer.Option(help="size of the generated world")] = 2000,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="load only")] = False,
) -> None:
    """Init, load a generated demo world (once) and serve it with GraphiQL."""
    from hub.demo import generate

    init()
    settings = Settings()
    path = settings.data_dir / "demo" / f"canonical-{institutions}-{seed}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        world, lines = generate(institutions, seed=seed, bad_share=0.01)
        with path.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
        ingest_canonical(path, report_file=None)
        listed = next((e for e in world.entries if e["list"] == "black"), None)
        if listed:
            err.print(f'try: sanctions(subject: {{uscc: "{listed["subject"]["uscc"]}"}}, …)')
    if no_serve:
        return
    err.print(f"GraphiQL on http://{host}:{port}/graphql")
    import os

    os.environ["HUB_DEVELOPMENT"] = "true"
    serve(host=host, port=port, workers=1)


# --- access control: API keys and the access log's key (issue 4) ---------------------

keys_app = typer.Typer(help="API keys of agencies' clients (shown once, stored hashed).")
app.add_typer(keys_app, name="keys")


def _init_audit_key(settings: Settings) -> None:
    from hub.access.audit_keys import create_signer_file

    created = create_signer_file(settings.audit_key_path, settings.audit_origin)
    state = "created" if created else "already present"
    err.print(f"access-log signing key {state}: {settings.audit_key_path}")


def _key_store(settings: Settings) -> KeyStore:
    from hub.access.keys import KeyStore

    return KeyStore(settings.keys_path, load_keyring(settings.secret_path))


@keys_app.command("create")
def keys_create(
    agency: Annotated[str, typer.Option(help="the agency's code, as in the graph")],
    role: Annotated[str, typer.Option(help="agency | credit_office | auditor")],
) -> None:
    """Issue a key to an agency known in the graph; the key is printed once, on stdout."""
    from hub.access.enrol import UnknownAgency, issue_key
    from hub.access.roles import KEYED_ROLES, Role
    from hub.graph import open_store

    if role not in KEYED_ROLES:
        raise typer.BadParameter(f"one of {', '.join(KEYED_ROLES)}", param_hint="--role")
    settings = Settings()

    async def run() -> tuple[ApiKey, str]:
        store = await open_store(settings)
        keys = _key_store(settings)
        try:
            return await issue_key(store, keys, agency, Role(role))
        finally:
            keys.close()
            await store.close()

    try:
        row, token = asyncio.run(run())
    except UnknownAgency as exc:
        err.print(f"[red]refused[/]: {exc}")
        raise typer.Exit(1) from None
    err.print(f"key {row.key_id} for agency {row.agency}, role {row.role.value}; shown only now:")
    sys.stdout.write(token + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (id, agency, role, created, revoked); never the keys themselves."""
    keys = _key_store(Settings())
    try:
        for row in keys.list():
            revoked = f"revoked {row.revoked}" if row.revoked else "active"
            sys.stdout.write(
                f"{row.key_id}\t{row.agency}\t{row.role.value}\t{row.created}\t{revoked}\n"
            )
    finally:
        keys.close()


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key at once (the running server refuses it from the next request)."""
    keys = _key_store(Settings())
    try:
        if not keys.revoke(key_id):
            err.print(f"[red]no active key {key_id}[/]")
            raise typer.Exit(1)
    finally:
        keys.close()
    err.print(f"key {key_id} revoked")


@app.command("audit-key")
def audit_key() -> None:
    """Print the access log's verifier key(s), for `credit-hub-audit verify --key`."""
    from hub.access.audit_keys import verifier_keys

    for verifier in verifier_keys(Settings()):
        sys.stdout.write(verifier.to_string() + "\n")
