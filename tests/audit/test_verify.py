"""Export verification: good exports pass, every kind of tampering names the first bad entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit import AuditLog, Signer, verify_export
from audit.cli import main
from audit.merkle import leaf_hash

from .conftest import make_record


@pytest.fixture
def export(audit_log: AuditLog, tmp_path: Path) -> Path:
    for i in range(30):
        audit_log.append(make_record(i), [f"CC-{i}"])
        if i in (9, 19):
            audit_log.checkpoint_now()
    audit_log.redact(5, "court order 123")
    path = tmp_path / "export.jsonl"
    summary = audit_log.export(path)
    assert summary.size == 31 and summary.checkpoints >= 3
    return path


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _first_entry_line(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(b'{"index":'))


def _write(path: Path, lines: list[bytes]) -> Path:
    out = path.with_name("tampered.jsonl")
    out.write_bytes(b"".join(lines))
    return out


def _keys(*signers: Signer) -> list[str]:
    args = []
    for s in signers:
        args += ["--key", s.verifier().to_string()]
    return args


def test_good_export_verifies(
    export: Path, log_signer: Signer, office_signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = verify_export(export, [log_signer.verifier()], required=[log_signer.name])
    assert result.ok and result.entries == 31
    assert verify_export(export, [log_signer.verifier()], strict_leaves=True).ok
    code = main(
        ["verify", str(export), *_keys(log_signer, office_signer), "--require", office_signer.name]
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(out) == 1 and out[0].startswith("OK ")
    assert main(["verify", str(export), *_keys(Signer.generate("stranger.test"))]) == 1


@pytest.mark.parametrize("entry", [0, 7, 30])
def test_flipped_byte_names_entry(export: Path, log_signer: Signer, entry: int) -> None:
    lines = _lines(export)
    pos = _first_entry_line(lines) + entry
    line = bytearray(lines[pos])
    at = line.index(b'"principal":"') + len(b'"principal":"')
    line[at] ^= 0x01
    lines[pos] = bytes(line)
    result = verify_export(_write(export, lines), [log_signer.verifier()])
    assert not result.ok and result.problem is not None
    assert result.problem.index == entry, result.summary()
    assert "changed" in result.problem.reason


def test_deleted_entry_is_named(export: Path, log_signer: Signer) -> None:
    lines = _lines(export)
    del lines[_first_entry_line(lines) + 12]
    result = verify_export(_write(export, lines), [log_signer.verifier()])
    assert result.problem is not None and result.problem.index == 12
    assert "removed" in result.problem.reason


def test_deleted_last_entry_is_named(export: Path, log_signer: Signer) -> None:
    lines = _lines(export)
    del lines[-1]
    result = verify_export(_write(export, lines), [log_signer.verifier()])
    assert result.problem is not None and result.problem.index == 30


def test_reordered_entries_are_named(export: Path, log_signer: Signer) -> None:
    lines = _lines(export)
    base = _first_entry_line(lines)
    lines[base + 14], lines[base + 21] = lines[base + 21], lines[base + 14]
    result = verify_export(_write(export, lines), [log_signer.verifier()])
    assert result.problem is not None and result.problem.index == 14
    assert "out of order" in result.problem.reason


def test_rewritten_hash_is_caught_by_checkpoint(export: Path, log_signer: Signer) -> None:
    """An attacker who also fixes the recorded leaf hash is caught by the signed roots."""
    lines = _lines(export)
    pos = _first_entry_line(lines) + 15
    obj = json.loads(lines[pos])
    obj["leaf"]["purpose"] = "curiosity"
    leaf = json.dumps(obj["leaf"], separators=(",", ":"), sort_keys=True).encode()
    lines[pos] = (
        b'{"index":15,"leaf_hash":"' + leaf_hash(leaf).hex().encode() + b'","leaf":' + leaf + b"}\n"
    )
    result = verify_export(_write(export, lines), [log_signer.verifier()])
    assert result.problem is not None
    assert result.problem.index is not None and result.problem.index <= 15
    assert "checkpoint" in result.problem.reason


def test_tampered_checkpoint_and_added_entry(export: Path, log_signer: Signer) -> None:
    lines = _lines(export)
    cp = _first_entry_line(lines) - 1
    lines_cp = list(lines)
    lines_cp[cp] = lines_cp[cp].replace(b"\\n31\\n", b"\\n32\\n")
    result = verify_export(_write(export, lines_cp), [log_signer.verifier()])
    assert result.problem is not None and "checkpoint" in result.problem.reason
    extra = [*lines, lines[-1].replace(b'{"index":30,', b'{"index":31,')]
    result = verify_export(_write(export, extra), [log_signer.verifier()])
    assert result.problem is not None and result.problem.index == 31


def test_cli_keygen_and_proof(
    audit_log: AuditLog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    log_signer: Signer,
) -> None:
    assert main(["keygen", "office.example/k1"]) == 0
    skey, vkey = capsys.readouterr().out.split()
    assert skey.startswith("PRIVATE+KEY+office.example/k1+")
    assert vkey.startswith("office.example/k1+")
    receipt = audit_log.append(make_record(1), ["CC-1"])
    audit_log.append(make_record(2))
    proof = tmp_path / "entry.tlog-proof"
    proof.write_text(audit_log.tlog_proof(receipt.index))
    leaf = tmp_path / "leaf.json"
    leaf.write_bytes(audit_log.entry(receipt.index).raw + b"\n")
    key = ["--key", log_signer.verifier().to_string()]
    assert main(["proof", str(proof), *key, "--leaf", str(leaf)]) == 0
    assert main(["proof", str(proof), *key, "--leaf-hash", receipt.leaf_hash]) == 0
    leaf.write_bytes(audit_log.entry(1).raw)
    assert main(["proof", str(proof), *key, "--leaf", str(leaf)]) == 1
    keyfile = tmp_path / "log.vkey"
    keyfile.write_text(log_signer.verifier().to_string() + "\n")
    assert (
        main(["proof", str(proof), "--key", f"@{keyfile}", "--leaf-hash", receipt.leaf_hash]) == 0
    )


def test_cli_export_from_database(audit_log: AuditLog, tmp_path: Path, log_signer: Signer) -> None:
    for i in range(7):
        audit_log.append(make_record(i))
    audit_log.checkpoint_now()
    out = tmp_path / "cli-export.jsonl"
    assert main(["export", str(audit_log.path), str(out)]) == 0
    assert verify_export(out, [log_signer.verifier()]).entries == 7
    assert main(["export", str(tmp_path / "missing.db"), str(out)]) == 2
