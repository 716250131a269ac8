"""Hub settings, read from the environment (prefix HUB_) with safe local defaults."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    store: Literal["embedded", "neo4j"] = "embedded"
    secret_file: Path | None = None

    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"

    # LadybugDB page cache (its own default is 80% of RAM). It also holds what is committed
    # but not yet checkpointed (up to the store's 512 MiB WAL threshold): a 1M-row ingest
    # peaks at ~0.5 GiB of it, the process at ~1.8 GiB.
    graph_buffer_pool_mib: int = 1536
    ingest_batch_size: int = 20_000  # one transaction each; a commit costs 0.1-0.3 s
    screen_max_subjects: int = 10_000
    # the in-memory sanction index (hub.sanctions.index): on by default; reloaded after any
    # write by this process, and also after this many seconds if set (other writers, Neo4j)
    sanction_index: bool = True
    sanction_index_max_age_s: float | None = None
    development: bool = False

    # access control and the access log (issue 4)
    audit_origin: str = "credit-hub.local/audit"
    audit_key_file: Path | None = None
    audit_cosigner_file: Path | None = None
    audit_timeout: float = 5.0

    # workflows and the public endpoints (issue 6)
    workflow_backdate_days: int = 30  # how far back an agency may date a step (credit office: any)
    public_rate_per_minute: int = 60  # requests per client address to /public and /verify

    @cached_property
    def graph_path(self) -> Path:
        return self.data_dir / "graph.lbug"

    @cached_property
    def secret_path(self) -> Path:
        return self.secret_file or self.data_dir / "secrets" / "hub.key"

    @cached_property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @cached_property
    def keys_path(self) -> Path:
        return self.data_dir / "access" / "keys.sqlite"

    @cached_property
    def audit_path(self) -> Path:
        return self.data_dir / "audit" / "audit.db"

    @cached_property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "secrets" / "audit.key"
