"""``credit-hub-audit``: the auditor's command line (verify, proof, keygen, export).

Kept on argparse and this package only, so an auditor can install and run it without
the hub or its dependencies.  Exit codes: 0 good, 1 verification failed, 2 usage/IO error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from audit.errors import AuditError
from audit.export import export_database
from audit.merkle import leaf_hash
from audit.note import Verifier, generate_key
from audit.tlogproof import verify_tlog_proof
from audit.verify import verify_export


def _read_key(value: str) -> str:
    """A key given inline, or as @FILE."""
    if value.startswith("@"):
        return Path(value[1:]).read_text(encoding="utf-8").strip()
    return value


def _verifiers(values: Sequence[str]) -> list[Verifier]:
    return [Verifier.from_string(_read_key(v)) for v in values]


def _cmd_verify(args: argparse.Namespace) -> int:
    result = verify_export(
        args.export,
        _verifiers(args.key),
        args.require,
        args.origin,
        args.strict,
        workers=args.workers,
    )
    print(result.summary())
    return 0 if result.ok else 1


def _cmd_proof(args: argparse.Namespace) -> int:
    text = Path(args.proof).read_text(encoding="utf-8")
    if args.leaf_hash is not None:
        digest = bytes.fromhex(args.leaf_hash)
    else:
        data = Path(args.leaf).read_bytes()
        if data.endswith(b"\n"):
            data = data[:-1]  # canonical JSON never ends in a newline; editors add one
        digest = leaf_hash(data)
    try:
        signed = verify_tlog_proof(text, digest, _verifiers(args.key), args.origin, args.require)
    except AuditError as exc:
        print(f"FAILED {exc}")
        return 1
    cp = signed.checkpoint
    print(f"OK entry included in {cp.origin} at tree size {cp.size}")
    return 0


def _cmd_keygen(args: argparse.Namespace) -> int:
    skey, vkey = generate_key(args.name)
    print(skey)
    print(vkey)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    summary = export_database(args.database, args.output, args.max_checkpoints)
    print(f"exported {summary.size} entries and {summary.checkpoints} checkpoints to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="credit-hub-audit", description="Verify credit-hub audit logs, proofs and keys."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="verify an export file")
    verify.add_argument("export", type=Path)
    verify.add_argument(
        "--key",
        action="append",
        required=True,
        help="trusted verifier key (name+id+key or @file); repeatable",
    )
    verify.add_argument(
        "--require",
        action="append",
        default=[],
        help="key name that must have signed every checkpoint; repeatable",
    )
    verify.add_argument("--origin", help="expected log origin")
    verify.add_argument(
        "--strict",
        action="store_true",
        help="also check every leaf's schema and canonical form (slower)",
    )
    verify.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes hashing entries (default: one per CPU, up to 4, for large exports)",
    )
    verify.set_defaults(func=_cmd_verify)

    proof = sub.add_parser("proof", help="verify a c2sp.org/tlog-proof file for one leaf")
    proof.add_argument("proof", type=Path)
    proof.add_argument("--key", action="append", required=True)
    proof.add_argument("--require", action="append", default=[])
    proof.add_argument("--origin")
    which = proof.add_mutually_exclusive_group(required=True)
    which.add_argument("--leaf", type=Path, help="file holding the leaf's canonical JSON")
    which.add_argument("--leaf-hash", help="hex leaf hash (as in a receipt)")
    proof.set_defaults(func=_cmd_proof)

    keygen = sub.add_parser("keygen", help="print a new signer key and its verifier key")
    keygen.add_argument("name")
    keygen.set_defaults(func=_cmd_keygen)

    export = sub.add_parser("export", help="export a log database file (no keys needed)")
    export.add_argument("database", type=Path)
    export.add_argument("output", type=Path)
    export.add_argument("--max-checkpoints", type=int, default=1000)
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``credit-hub-audit``."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (AuditError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
