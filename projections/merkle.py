"""RFC 9162 Merkle tree hashing: leaf/node hashes, an O(log n) append frontier,
inclusion and consistency proofs (RFC 9162 §2.1.3, §2.1.4) and their verification."""

from __future__ import annotations

import hashlib
from typing import Protocol


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class Frontier:
    """Compact range of the tree's perfect left subtrees: append is O(log n)."""

    def __init__(self, size: int = 0, hashes: list[bytes] | None = None) -> None:
        self.size = size
        self.hashes = list(hashes or [])
        if len(self.hashes) != size.bit_count():
            raise ValueError("frontier: hash count does not match size")

    def append(
        self, leaf: bytes, nodes: list[tuple[int, int, bytes]] | None = None, lowest: int = 1
    ) -> None:
        """Append `leaf`; each perfect subtree it completes of height `lowest` or more is
        added to `nodes` as (height, index at that height, hash)."""
        node, size, height = leaf, self.size, 0
        while size & 1:
            node = node_hash(self.hashes.pop(), node)
            size >>= 1
            height += 1
            if nodes is not None and height >= lowest:
                nodes.append((height, self.size >> height, node))
        self.hashes.append(node)
        self.size += 1

    def extend(self, leaves: list[bytes]) -> None:
        """`append` of each leaf, a perfect subtree at a time: each aligned power-of-two run
        is hashed a level at a time (one hashlib call a node, no method call a leaf), then
        its root carried into the frontier like a leaf at its height."""
        sha256, hashes, done = hashlib.sha256, self.hashes, 0
        while done < len(leaves):
            aligned = (self.size & -self.size).bit_length() - 1 if self.size else 62
            height = min(aligned, (len(leaves) - done).bit_length() - 1)
            level = leaves[done : done + (1 << height)]
            while len(level) > 1:
                level = [
                    sha256(b"\x01" + a + b).digest()
                    for a, b in zip(level[::2], level[1::2], strict=True)
                ]
            node, above = level[0], self.size >> height
            while above & 1:
                node = sha256(b"\x01" + hashes.pop() + node).digest()
                above >>= 1
            hashes.append(node)
            self.size += 1 << height
            done += 1 << height

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        node = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            node = node_hash(left, node)
        return node


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every level of the RFC 9162 tree, leaves first, root last, built a level at a time:
    pairing neighbours and carrying an odd last node up unchanged gives the same tree as
    splitting at the largest power of two below n."""
    built = [leaves]
    sha256 = hashlib.sha256
    while len(level := built[-1]) > 1:
        paired = [
            sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) & 1:
            paired.append(level[-1])
        built.append(paired)
    return built


def root_of(leaves: list[bytes]) -> bytes:
    return levels(leaves)[-1][0] if leaves else EMPTY_ROOT


def audit_path(tree: list[list[bytes]], index: int) -> list[bytes]:
    """`inclusion_proof(index, leaves)` read off `levels(leaves)`: O(log n) per leaf, for
    proving many leaves of one tree."""
    if not 0 <= index < len(tree[0]):
        raise ValueError("index: outside the tree")
    path = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):  # else: the odd last node, carried up unchanged
            path.append(level[sibling])
        index >>= 1
    return path


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("index: outside the tree")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root_of(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root_of(leaves[:k])]


class Subtrees(Protocol):
    """Where a proof reads the tree from: perfect subtrees' hashes, and leaves."""

    async def node(self, height: int, index: int) -> bytes | None:
        """The stored root of the perfect subtree `index` at `height`, if stored."""
        ...

    async def leaves(self, start: int, end: int) -> list[bytes]:
        """The leaf hashes of [start, end)."""
        ...


async def subtree_root(tree: Subtrees, start: int, size: int, smallest: int) -> bytes:
    """MTH of the `size` leaves from `start`: a stored perfect subtree where there is one, the
    leaves themselves for `smallest` or fewer, else its two halves (RFC 9162 §2.1.1)."""
    if size <= smallest:
        return root_of(await tree.leaves(start, start + size))
    if size & (size - 1) == 0:  # perfect, and aligned: every start in the recursion is
        height = size.bit_length() - 1
        if (stored := await tree.node(height, start >> height)) is not None:
            return stored
        k = size // 2
    else:
        k = _split(size)
    left = await subtree_root(tree, start, k, smallest)
    return node_hash(left, await subtree_root(tree, start + k, size - k, smallest))


async def stored_inclusion_proof(
    tree: Subtrees, index: int, size: int, smallest: int
) -> list[bytes]:
    """`inclusion_proof(index, leaves)` of a tree of `size` leaves read from `tree`: each
    sibling's root read as `subtree_root`, so O(log n) reads where subtrees are stored."""
    if not 0 <= index < size:
        raise ValueError("index: outside the tree")
    path, start = [], 0
    while size > 1:
        k = _split(size)
        if index < k:
            path.append(await subtree_root(tree, start + k, size - k, smallest))
            size = k
        else:
            path.append(await subtree_root(tree, start, k, smallest))
            start, index, size = start + k, index - k, size - k
    return path[::-1]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _skip_right_edge(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def _skip_right_edge(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def _subproof(m: int, leaves: list[bytes], *, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_of(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), root_of(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), root_of(leaves[:k])]


def consistency_proof(old_size: int, leaves: list[bytes]) -> list[bytes]:
    if not 0 < old_size <= len(leaves):
        raise ValueError("old_size: must be between 1 and the tree size")
    return _subproof(old_size, leaves, complete=True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _skip_right_edge(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
