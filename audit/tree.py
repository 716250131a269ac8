"""An append-only Merkle tree that keeps every perfect-subtree hash.

Why: a log with millions of entries must answer proofs for any historical size without
rehashing leaves.  Perfect subtrees never change once complete, so we keep them, level
by level, in flat ``bytearray`` buffers (32 bytes per node, about 64 bytes per leaf in
total).  Appending costs O(1) amortised / O(log n) worst case; any root or proof needs
O(log² n) hash operations at most.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from audit.merkle import EMPTY_ROOT, HASH_SIZE, NODE_PREFIX, largest_power_of_two_below


def hash_pairs(packed: bytes | bytearray) -> bytes:
    """Interior-node hashes of consecutive (left, right) pairs of 32-byte hashes."""
    sha = hashlib.sha256
    view = bytes(packed)
    return b"".join([sha(NODE_PREFIX + view[j : j + 64]).digest() for j in range(0, len(view), 64)])


def subtree_levels(packed: bytes, start: int = 0) -> list[bytes]:
    """Every node lying wholly inside leaves [start, start + n), level by level.

    ``packed`` holds the n leaf hashes; level h of the result holds the nodes with
    index ceil(start / 2^h) … floor((start + n) / 2^h) - 1.  Parts computed this way
    (e.g. in parallel) are joined by :meth:`MerkleTree.from_parts`.
    """
    if len(packed) % HASH_SIZE or start < 0:
        raise ValueError("packed leaf hashes must be a multiple of 32 bytes")
    end = start + len(packed) // HASH_SIZE
    levels = [bytes(packed)]
    height = 1
    while True:
        lo, hi = -(-start >> height), end >> height
        if hi <= lo:
            return levels
        first_below = -(-start >> (height - 1))
        offset = (2 * lo - first_below) * HASH_SIZE
        levels.append(hash_pairs(levels[-1][offset : offset + (hi - lo) * 64]))
        height += 1


class MerkleTree:
    """Stored RFC 6962 tree: ``levels[h][i]`` is the hash of leaves [i·2ʰ, (i+1)·2ʰ)."""

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> MerkleTree:
        """Build a tree from leaf hashes in bulk (faster than repeated :meth:`append`)."""
        tree = cls()
        tree.extend(hashes)
        return tree

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._size

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash; returns its index."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        index = self._size
        self._levels[0] += leaf_hash
        self._size += 1
        i, level = index, 0
        while i & 1:
            buf = self._levels[level]
            parent = hashlib.sha256(NODE_PREFIX + buf[(i - 1) * 32 : (i + 1) * 32]).digest()
            level += 1
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += parent
            i >>= 1
        return index

    def extend(self, hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes, then complete the upper levels level by level."""
        chunk = list(hashes)
        if any(len(h) != HASH_SIZE for h in chunk):
            raise ValueError("leaf hash must be 32 bytes")
        self.extend_packed(b"".join(chunk))

    def extend_packed(self, packed: bytes) -> None:
        """Append leaf hashes given as one concatenated byte string (32 bytes each)."""
        if len(packed) % HASH_SIZE:
            raise ValueError("packed leaf hashes must be a multiple of 32 bytes")
        self._levels[0] += packed
        self._size += len(packed) // HASH_SIZE
        level = 0
        while True:
            below = self._levels[level]
            count = len(below) // HASH_SIZE
            if count < 2:
                break
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            above = self._levels[level + 1]
            have = len(above) // HASH_SIZE
            want = count // 2
            if have == want:
                break
            above += hash_pairs(below[have * 64 : want * 64])
            level += 1

    @classmethod
    def from_parts(cls, parts: Sequence[tuple[int, Sequence[bytes]]]) -> MerkleTree:
        """Assemble a tree from :func:`subtree_levels` of consecutive leaf ranges.

        ``parts`` are ``(start, levels)`` pairs covering leaves 0, 1, … without gaps, in
        order.  Each part brings the nodes lying wholly inside its range; the few nodes
        that straddle two parts (at most one per boundary and level) are hashed here.
        """
        tree = cls()
        expected = 0
        for start, levels in parts:
            if start != expected or not levels or len(levels[0]) % HASH_SIZE:
                raise ValueError("parts must cover consecutive leaf ranges from 0")
            expected = start + len(levels[0]) // HASH_SIZE
        size = expected
        built = [bytearray(b"".join(levels[0] for _, levels in parts))]
        height = 1
        while size >> height:
            below = built[height - 1]
            out = bytearray()
            cursor = 0
            for start, levels in parts:
                end = start + len(levels[0]) // HASH_SIZE
                lo, hi = -(-start >> height), end >> height
                if hi > lo:
                    out += hash_pairs(below[cursor * 64 : lo * 64])
                    node_level = levels[height]
                    if len(node_level) != (hi - lo) * HASH_SIZE:
                        raise ValueError("part has the wrong number of nodes")
                    out += node_level
                    cursor = hi
            out += hash_pairs(below[cursor * 64 : (size >> height) * 64])
            built.append(out)
            height += 1
        tree._levels = built
        tree._size = size
        return tree

    def leaf_hash(self, index: int) -> bytes:
        """Stored hash of leaf ``index``."""
        if not 0 <= index < self._size:
            raise IndexError(f"leaf index {index} out of range (size {self._size})")
        return bytes(self._levels[0][index * 32 : index * 32 + 32])

    def _node(self, level: int, index: int) -> bytes:
        return bytes(self._levels[level][index * 32 : index * 32 + 32])

    def subtree_hash(self, start: int, end: int) -> bytes:
        """Merkle tree hash of leaves [start, end) for any range used by RFC 9162."""
        n = end - start
        if n <= 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            level = n.bit_length() - 1
            return self._node(level, start >> level)
        k = largest_power_of_two_below(n)
        return hashlib.sha256(
            NODE_PREFIX + self.subtree_hash(start, start + k) + self.subtree_hash(start + k, end)
        ).digest()

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree at ``size`` leaves (default: the current size)."""
        size = self._size if size is None else size
        if not 0 <= size <= self._size:
            raise ValueError(f"tree size {size} out of range (have {self._size})")
        return self.subtree_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 audit path for leaf ``index`` in the tree of ``size`` leaves."""
        size = self._size if size is None else size
        if not 0 <= size <= self._size:
            raise ValueError(f"tree size {size} out of range (have {self._size})")
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} out of range for tree size {size}")
        proof: list[bytes] = []
        start, n, m = 0, size, index
        # Walk down from the root, collecting siblings; reversed at the end (leaf first).
        while n > 1:
            k = largest_power_of_two_below(n)
            if m < k:
                proof.append(self.subtree_hash(start + k, start + n))
                n = k
            else:
                proof.append(self.subtree_hash(start, start + k))
                start, n, m = start + k, n - k, m - k
        proof.reverse()
        return proof

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 proof that the tree of ``size1`` is a prefix of ``size2``."""
        size2 = self._size if size2 is None else size2
        if not 0 < size1 <= size2 <= self._size:
            raise ValueError(f"need 0 < size1 <= size2 <= {self._size}, got {size1}, {size2}")
        proof: list[bytes] = []
        start, n, m, complete = 0, size2, size1, True
        while m != n:
            k = largest_power_of_two_below(n)
            if m <= k:
                proof.append(self.subtree_hash(start + k, start + n))
                n = k
            else:
                proof.append(self.subtree_hash(start, start + k))
                start, n, m, complete = start + k, n - k, m - k, False
        if not complete:
            proof.append(self.subtree_hash(start, start + n))
        proof.reverse()
        return proof
