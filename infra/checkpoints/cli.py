"""`bridgework verify` (the log against its sealed tree; `--checkpoint` against a saved signed
checkpoint; `--export` an export file offline; `--report` an impact report,
`infra/report_verify.py`) and `bridgework export`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.consistency import extends, read_verifiers
from bridgework.infra.checkpoints.export import ExportError, export, stored_types
from bridgework.infra.checkpoints.note import MAX_NOTE, NoteError
from bridgework.infra.checkpoints.offline import verify_export
from bridgework.infra.report_verify import verify_report_command
from bridgework.infra.runtime import open_database, open_runtime
from bridgework.infra.sealing import verify
from bridgework.infra.terminal import progress

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from bridgework.infra.settings import Settings


def _fail(prefix: str, problem: str) -> None:
    sys.stdout.write(f"{prefix}: {problem}\n")
    raise SystemExit(1)


def _note(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as f:
            return f.read(MAX_NOTE + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise NoteError(f"checkpoint: cannot read {path} ({e})") from None


async def verify_command(settings: Settings, args: argparse.Namespace) -> None:
    if args.report is not None:
        await verify_report_command(settings, args)
        return
    if args.export is not None:
        _verify_export(args)
        return
    if (args.checkpoint is None) != (args.public_key is None):
        _fail("usage", "--checkpoint and --public-key go together")
    checkpoint = None
    if args.checkpoint is not None:
        try:
            checkpoint = (_note(args.checkpoint), read_verifiers(args.public_key))
        except NoteError as e:
            _fail("BAD CHECKPOINT", str(e))
    async with open_database(settings) as pool:  # read only: an auditor's role may verify
        extension = None if checkpoint is None else await extends(pool, *checkpoint)
        verdict = await verify(pool)
    if extension is not None:
        if extension.head is None:
            _fail("BAD CHECKPOINT", extension.problem or "")
        if extension.problem is not None:
            _fail("TAMPERED", extension.problem)
        assert extension.head is not None  # noqa: S101 - for the type checker
        sys.stdout.write(
            f"ok: the log's {extension.size:,} events extend the signed checkpoint of"
            f" {extension.head.size:,} ({extension.proof} consistency proof hashes checked)\n"
        )
    if verdict.problem is not None:
        _fail("TAMPERED", verdict.problem)
    sys.stdout.write(
        f"ok: {verdict.sealed:,} sealed events match the sealed root"
        f" ({verdict.unsealed:,} newer events not sealed yet)\n"
    )


def _verify_export(args: argparse.Namespace) -> None:
    if args.public_key is None or args.checkpoint is not None:
        _fail("usage", "--export takes --public-key (and no --checkpoint: its manifest has one)")
    try:
        verifiers = read_verifiers(args.public_key)
    except NoteError as e:
        _fail("BAD KEY", str(e))
    with progress(f"verify {args.export.name}", unit="rows") as advance:
        verdict = verify_export(args.export, verifiers, advance)
    if verdict.problem is not None:
        _fail("BAD CHECKPOINT" if verdict.head is None else "TAMPERED", verdict.problem)
    assert verdict.head is not None  # noqa: S101 - for the type checker
    sys.stdout.write(
        f"ok: {verdict.rows:,} rows, each in the signed tree of {verdict.head.size:,}"
        f" ({verdict.head.origin}, {verdict.head.time.isoformat()})\n"
    )


async def export_command(settings: Settings, args: argparse.Namespace) -> None:
    if not args.since < args.until:
        _fail("usage", "--to must be after --from")
    try:
        stored_types(args.types)
    except ExportError as e:
        _fail("usage", str(e))
    async with open_runtime(settings) as runtime:
        with progress(f"export {args.output.name}", unit="rows") as advance:
            try:
                done = await export(
                    runtime.pool,
                    runtime.signer,
                    since=args.since,
                    until=args.until,
                    types=args.types,
                    fmt=args.format,
                    output=args.output,
                    on_rows=advance,
                )
            except (ExportError, OSError) as e:
                _fail("export", str(e))
    sys.stdout.write(
        f"exported {done.rows:,} events covered by the signed checkpoint of {done.tree_size:,};"
        f" manifest in {done.manifest}\n"
    )
