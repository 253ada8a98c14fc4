"""`bridgework verify` (the log against its sealed tree; `--checkpoint` against a saved signed
checkpoint; `--export` an export file offline) and `bridgework export`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.consistency import extends, read_verifiers
from bridgework.infra.checkpoints.export import ExportError, export, stored_types
from bridgework.infra.checkpoints.note import MAX_NOTE, NoteError
from bridgework.infra.checkpoints.offline import verify_export
from bridgework.infra.checkpoints.rows import FORMATS
from bridgework.infra.runtime import open_database, open_runtime
from bridgework.infra.sealing import verify
from bridgework.infra.terminal import progress

if TYPE_CHECKING:
    from bridgework.infra.settings import Settings


def add_verify_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    verify_ = commands.add_parser(
        "verify",
        parents=[data],
        help="check that the log is the one sealed; exit 1 naming the first altered event",
        description="Recompute every event's leaf from the log and compare them and their "
        "Merkle root with the sealed tree. With --checkpoint, also check a saved signed "
        "checkpoint and prove the log extends it. Exit 0 when all holds, 1 when not.",
    )
    verify_.add_argument(
        "--checkpoint", type=Path, metavar="FILE", help="a saved `GET /checkpoint` note"
    )
    verify_.add_argument(
        "--export", type=Path, metavar="FILE", help="an export file, checked offline"
    )
    verify_.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="the verifier key(s), as `GET /checkpoint/keys` gives them",
    )


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


def add_export_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    data: argparse.ArgumentParser,
) -> None:
    export_ = commands.add_parser(
        "export",
        parents=[data],
        help="export events as stored, with a manifest `verify --export` checks offline",
        description="Write the events recorded from --from (inclusive) to --to (exclusive) "
        "that the latest signed checkpoint covers, as stored, and FILE.manifest.json with "
        "the checkpoint and each row's inclusion proof.",
    )
    export_.add_argument("--from", dest="since", type=_moment, required=True, metavar="TIME")
    export_.add_argument("--to", dest="until", type=_moment, required=True, metavar="TIME")
    export_.add_argument(
        "--types", nargs="+", metavar="TYPE", help="public event types (default: all)"
    )
    export_.add_argument("--format", choices=FORMATS, default="jsonl")
    export_.add_argument("--output", type=Path, required=True, metavar="FILE")


def _moment(raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        at = None
    if at is None or at.utcoffset() is None:
        msg = f"{raw!r} is not a time with an offset, e.g. 2026-09-01T00:00:00Z"
        raise argparse.ArgumentTypeError(msg)
    return at


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
