"""`bridgework keys`: the data keys' KEKs — counts, re-wrapping and rotation. Events are
never touched: only the wrapped data keys in `data_keys` change."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bridgework.infra.crypto.kek import KEY_FILE, prune_file, rotate_file
from bridgework.infra.runtime import open_runtime
from bridgework.infra.terminal import aligned

if TYPE_CHECKING:
    import argparse

    import asyncpg
    from bridgework.infra.crypto.kek import Keks
    from bridgework.infra.settings import Settings

BATCH = 500


async def rewrap(pool: asyncpg.Pool, keks: Keks) -> int:
    """Wrap every live data key by the current KEK; return how many were re-wrapped."""
    done = 0
    while True:
        rows = await pool.fetch(
            "SELECT subject_id, kek_id, wrapped_key FROM data_keys"
            " WHERE kek_id IS NOT NULL AND kek_id <> $1 LIMIT $2",
            keks.current.id,
            BATCH,
        )
        if not rows:
            return done
        changes = [(r[0], r[1], *keks.wrap(r[0], keks.unwrap(r[0], r[1], r[2]))) for r in rows]
        # Only a key still wrapped as read: one erased meanwhile stays destroyed.
        await pool.executemany(
            "UPDATE data_keys SET kek_id = $3, wrapped_key = $4"
            " WHERE subject_id = $1 AND kek_id = $2",
            changes,
        )
        done += len(changes)


async def in_use(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT coalesce(kek_id, 'destroyed'), count(*) FROM data_keys GROUP BY 1 ORDER BY 1"
    )
    return {r[0]: r[1] for r in rows}


async def keys_command(settings: Settings, args: argparse.Namespace) -> None:
    path = settings.data_dir / KEY_FILE
    if args.action in {"rotate", "prune"} and settings.kek:
        raise SystemExit(
            "bridgework: BRIDGEWORK_KEK is set, so there is no key file to change: set the new "
            "KEK in BRIDGEWORK_KEK, the old one in BRIDGEWORK_KEK_RETIRED, and run "
            "`bridgework keys rewrap`"
        )
    if args.action == "rotate":
        rotate_file(path)
    async with open_runtime(settings) as runtime:
        keks = settings.keks()
        if args.action in {"rewrap", "rotate"}:
            count = await rewrap(runtime.pool, keks)
            sys.stdout.write(f"re-wrapped {count} data keys with {keks.current.id}\n")
        counts = await in_use(runtime.pool)
    if args.action == "prune":
        prune_file(path, frozenset(counts))
        kept = settings.keks().by_id
        sys.stdout.write(f"the key file keeps {', '.join(kept)}\n")
    rows = [("KEK", "DATA KEYS")] + [
        (f"{k}{' (current)' if k == keks.current.id else ''}", f"{n:,}") for k, n in counts.items()
    ]
    sys.stdout.write(aligned(rows))
