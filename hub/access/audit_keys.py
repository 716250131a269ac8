"""The log's signing key: created once under var/secrets/ (0600), never logged; its
verifier key is what auditors need to check exports and proofs offline."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from audit import Signer, Verifier
from audit.process import LogProcess
from hub.settings import Settings


def create_signer_file(path: Path, name: str) -> bool:
    """Write a new Ed25519 signer key named ``name``; False if one exists already."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(Signer.generate(name).to_string() + "\n")
    return True


def load_signers(settings: Settings) -> list[Signer]:
    """The log's key (created on first use) and, if configured, the credit office's cosigner."""
    create_signer_file(settings.audit_key_path, settings.audit_origin.replace(" ", "_"))
    signers = [Signer.from_string(settings.audit_key_path.read_text(encoding="utf-8"))]
    if settings.audit_cosigner_file is not None:
        text = settings.audit_cosigner_file.read_text(encoding="utf-8")
        signers.append(Signer.from_string(text))
    return signers


def verifier_keys(settings: Settings) -> list[Verifier]:
    return [s.verifier() for s in load_signers(settings)]


def open_audit_log(settings: Settings) -> LogProcess:
    """The access log, run in a process of its own (see `audit.serve` for why); called on
    the server's event loop, which then reads the log's replies itself."""
    settings.audit_path.parent.mkdir(parents=True, exist_ok=True)
    return LogProcess.start(
        settings.audit_path,
        settings.audit_origin,
        load_signers(settings),
        loop=asyncio.get_running_loop(),
    )
