"""`bridgework verify --checkpoint FILE --public-key FILE`: check a saved checkpoint's
signature, then prove that the log as it is now extends it: recompute every leaf from the
log, and check an RFC 9162 consistency proof from the checkpoint's tree to the recomputed
one. When it fails, name the first event that differs: the stored tree names it exactly if
only the log was changed; if the stored tree was rewritten to match, the checkpoints stored
beside it that still verify under the key bound it (and name it, when two are adjacent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridgework.infra.checkpoints.note import NoteError, TreeHead, Verifier, open_note, parse_vkey
from bridgework.infra.sealing import Leaf, recomputed, verify
from bridgework.projections.merkle import consistency_proof, root_of, verify_consistency

if TYPE_CHECKING:
    from pathlib import Path

    import asyncpg


@dataclass(frozen=True)
class Extension:
    """What the check found: `problem` is None when the log extends the checkpoint."""

    head: TreeHead | None
    size: int
    """Events in the log now."""
    problem: str | None = None
    proof: int = 0
    """Hashes in the consistency proof checked."""


def read_verifiers(path: Path) -> list[Verifier]:
    """Every vkey line of a public-key file (`GET /checkpoint/keys`)."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        raise NoteError(f"public key: cannot read {path} ({e})") from None
    if not lines:
        raise NoteError(f"public key: {path} holds no vkey line")
    return [parse_vkey(line) for line in lines]


def open_signed(note: str, verifiers: list[Verifier]) -> TreeHead:
    """The tree head of `note` signed by any of `verifiers`; the first key's error if none."""
    errors = []
    for verifier in verifiers:
        try:
            return open_note(note, verifier)
        except NoteError as e:
            errors.append(e)
    raise errors[0]


async def extends(pool: asyncpg.Pool, note: str, verifiers: list[Verifier]) -> Extension:
    try:
        head = open_signed(note, verifiers)
    except NoteError as e:
        return Extension(None, 0, str(e))
    leaves = [leaf async for _, page in recomputed(pool) for leaf in page]
    hashes = [leaf.hash for leaf in leaves]
    if len(leaves) < head.size:
        return Extension(
            head,
            len(leaves),
            f"log shorter: it holds {len(leaves):,} events, the checkpoint signed {head.size:,}; "
            + await _first_difference(pool, head, leaves, verifiers),
        )
    proof = consistency_proof(head.size, hashes)
    if verify_consistency(head.size, len(hashes), head.root, root_of(hashes), proof):
        return Extension(head, len(leaves), proof=len(proof))
    first = await _first_difference(pool, head, leaves, verifiers)
    return Extension(head, len(leaves), f"root differs at size {head.size:,}: {first}")


async def _first_difference(
    pool: asyncpg.Pool, head: TreeHead, leaves: list[Leaf], verifiers: list[Verifier]
) -> str:
    verdict = await verify(pool)
    if verdict.problem is not None and (verdict.problem_at or 0) < head.size:
        return verdict.problem
    # The stored tree agrees with the log: both were rewritten. Bound the change between the
    # largest stored checkpoint the log still matches and the next one it does not.
    hashes = [leaf.hash for leaf in leaves]
    signed = await _signed_sizes(pool, head.size, verifiers)
    good, bad = 0, head.size
    low, high = 0, len(signed)
    while low < high:
        middle = (low + high) // 2
        size, root = signed[middle]
        if size <= len(hashes) and root_of(hashes[:size]) == root:
            good, low = size, middle + 1
        else:
            bad, high = size, middle
    if bad - good == 1 and good < len(leaves):
        e = leaves[good]
        return f"leaf {good}: event {e.event_id} at position {e.position} is not the one signed"
    where = f"leaves {good:,} to {bad - 1:,}"
    if good < len(leaves):
        where += f" (from event {leaves[good].event_id} at position {leaves[good].position})"
    return f"the first event that differs is among {where}; the stored tree was rewritten too"


async def _signed_sizes(
    pool: asyncpg.Pool, below: int, verifiers: list[Verifier]
) -> list[tuple[int, bytes]]:
    """The sizes and roots of the stored checkpoints below `below` that verify under the key."""
    rows = await pool.fetch(
        "SELECT note FROM seal_checkpoints WHERE size < $1 ORDER BY size", below
    )
    found = []
    for row in rows:
        try:
            head = open_signed(row["note"], verifiers)
        except NoteError:
            continue
        found.append((head.size, head.root))
    return found
