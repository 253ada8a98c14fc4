from bridgework.projections import merkle

# RFC 6962 / CT reference test leaves (certificate-transparency-go merkle tests).
LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def hashed(n: int) -> list[bytes]:
    return [merkle.leaf_hash(x) for x in LEAVES[:n]]


def test_known_root_of_eight_leaves() -> None:
    root = merkle.root_of(hashed(8)).hex()
    assert root == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert merkle.root_of([]) == merkle.EMPTY_ROOT


def test_frontier_matches_recursive_root_at_every_size() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(70)]
    frontier = merkle.Frontier()
    for i, leaf in enumerate(leaves):
        frontier.append(leaf)
        assert frontier.root() == merkle.root_of(leaves[: i + 1])
        assert merkle.Frontier(frontier.size, frontier.hashes).root() == frontier.root()


def test_extend_gives_the_frontier_of_appending_each_leaf() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(300)]
    for start in (0, 1, 2, 3, 5, 8, 13, 64, 100):
        for count in (0, 1, 2, 3, 7, 16, 31, 64, 100, 200):
            one_by_one = merkle.Frontier()
            for leaf in leaves[: start + count]:
                one_by_one.append(leaf)
            bulk = merkle.Frontier()
            bulk.extend(leaves[:start])
            bulk.extend(leaves[start : start + count])
            assert (bulk.size, bulk.hashes) == (one_by_one.size, one_by_one.hashes)
            assert bulk.root() == merkle.root_of(leaves[: start + count])


def test_inclusion_and_consistency_proofs_verify_and_reject_tampering() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(37)]
    for n in range(1, 38):
        root = merkle.root_of(leaves[:n])
        for i in range(n):
            proof = merkle.inclusion_proof(i, leaves[:n])
            assert merkle.verify_inclusion(i, n, leaves[i], proof, root)
            assert not merkle.verify_inclusion(i, n, merkle.leaf_hash(b"x"), proof, root)
        for m in range(1, n + 1):
            old = merkle.root_of(leaves[:m])
            proof = merkle.consistency_proof(m, leaves[:n])
            assert merkle.verify_consistency(m, n, old, root, proof)
            if m < n:
                assert not merkle.verify_consistency(m, n, merkle.leaf_hash(b"x"), root, proof)


def test_the_audit_path_read_off_the_levels_is_the_inclusion_proof() -> None:
    for n in range(1, 40):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(n)]
        tree = merkle.levels(leaves)
        assert tree[-1] == [merkle.root_of(leaves)]
        for i in range(n):
            assert merkle.audit_path(tree, i) == merkle.inclusion_proof(i, leaves)


def test_append_records_each_perfect_subtree_it_completes() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(70)]
    frontier, nodes = merkle.Frontier(), []
    for leaf in leaves:
        frontier.append(leaf, nodes, 2)
    tree = merkle.levels(leaves)
    # every complete node of height 2 and more, once: level h's node i covers 2**h leaves
    expected = [(h, i, tree[h][i]) for h in range(2, len(tree)) for i in range(len(leaves) >> h)]
    assert sorted(nodes) == sorted(expected)


class Stored:
    """Subtrees read from memory, some of their nodes missing, counting the reads."""

    def __init__(self, leaves: list[bytes], nodes: dict[tuple[int, int], bytes]) -> None:
        self.all, self.nodes, self.reads = leaves, nodes, 0

    async def node(self, height: int, index: int) -> bytes | None:
        self.reads += 1
        return self.nodes.get((height, index))

    async def leaves(self, start: int, end: int) -> list[bytes]:
        self.reads += 1
        return self.all[start:end]


async def test_a_proof_from_stored_subtrees_is_the_proof_from_every_leaf() -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(300)]
    frontier, recorded = merkle.Frontier(), []
    for leaf in leaves:
        frontier.append(leaf, recorded, 3)
    every = {(h, i): node for h, i, node in recorded}
    some = {key: node for n, (key, node) in enumerate(every.items()) if n % 3}  # a third gone
    for nodes in (every, some, {}):
        for n in (1, 2, 7, 8, 9, 64, 65, 129, 255, 256, 300):
            for i in {i for i in (0, 1, n // 2, n - 2, n - 1) if 0 <= i < n}:
                tree = Stored(leaves, {k: v for k, v in nodes.items() if (k[1] + 1) << k[0] <= n})
                got = await merkle.stored_inclusion_proof(tree, i, n, 8)
                assert got == merkle.inclusion_proof(i, leaves[:n]), (n, i)
    tree = Stored(leaves, every)
    await merkle.stored_inclusion_proof(tree, 5, 300, 8)
    assert tree.reads <= 2 * (300).bit_length()  # a node or a few leaves per level
