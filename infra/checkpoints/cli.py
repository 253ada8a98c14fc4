"""`bridgework verify` (the log against its sealed tree; `--checkpoint` against a saved signed
checkpoint; `--export` an export file offline) and `bridgework export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.consistency import extends, read_verifiers
from bridgework.infra.checkpoints.note import MAX_NOTE, NoteError
from bridgework.infra.runtime import open_runtime
from bridgework.infra.sealing import verify

if TYPE_CHECKING:
    import argparse

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
    if (args.checkpoint is None) != (args.public_key is None):
        _fail("usage", "--checkpoint and --public-key go together")
    checkpoint = None
    if args.checkpoint is not None:
        try:
            checkpoint = (_note(args.checkpoint), read_verifiers(args.public_key))
        except NoteError as e:
            _fail("BAD CHECKPOINT", str(e))
    async with open_runtime(settings) as runtime:
        extension = None if checkpoint is None else await extends(runtime.pool, *checkpoint)
        verdict = await verify(runtime.pool)
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
