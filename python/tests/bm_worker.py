"""A BigMemory rank for test_bm.py: joins object 0 of a world of 2, then runs the commands it reads."""

import hashlib
import random
import sys
from dataclasses import dataclass

import numpy as np

import memfabric
from memfabric import bm

BLOCK = 64 << 10
SLOT = 4 << 20


@dataclass(frozen=True)
class Node:
    """A place a block can be: local host (LH), local device (LD), or a HOST/DEVICE slot (GH/GD), own or remote."""
    mem: str
    remote: bool = False

    def __repr__(self):
        return ("R" if self.remote else "") + self.mem


VALID = {("LH", "GH"), ("LH", "GD"), ("LD", "GH"), ("LD", "GD"), ("GH", "GH"), ("GH", "GD"), ("GH", "LH"),
         ("GH", "LD"), ("GD", "GH"), ("GD", "GD"), ("GD", "LH"), ("GD", "LD")}
NODES = [Node("LH"), Node("LD"), Node("GH"), Node("GD"), Node("GH", True), Node("GD", True)]


def valid(src, dst):
    """Upstream's rules (data_op_all_path_test.py): no own-G -> own-G edge, no remote -> remote edge."""
    if src.mem[0] == "G" and dst.mem[0] == "G" and not src.remote and not dst.remote:
        return False
    if src.remote and dst.remote:
        return False
    return (src.mem, dst.mem) in VALID


def eulerian_path():
    """Hierholzer's walk over every valid edge, from LH, as upstream's."""
    edges = [(a, b) for a in NODES for b in NODES if valid(a, b)]
    stack, path = [NODES[0]], []
    while stack:
        top = stack[-1]
        edge = next((e for e in edges if e[0] == top), None)
        if edge:
            edges.remove(edge)
            stack.append(edge[1])
        else:
            path.append(stack.pop())
    return path[::-1], sum(1 for a in NODES for b in NODES if valid(a, b))


def copy_type(src, dst):
    if src.mem[0] == "L":
        return bm.BmCopyType.H2G if src.mem == "LH" else bm.BmCopyType.L2G
    if dst.mem[0] == "L":
        return bm.BmCopyType.G2H if dst.mem == "LH" else bm.BmCopyType.G2L
    return bm.BmCopyType.G2G


def main():
    store_url = sys.argv[1]
    memfabric.initialize()
    config = bm.BmConfig()
    config.start_store = False
    bm.initialize(store_url, 2, 0, config)
    memory = bm.create(0, SLOT, SLOT)
    memory.join()
    rank = bm.bm_rank_id()
    print(f"joined {rank}", flush=True)
    local = {"LH": np.zeros(BLOCK, dtype=np.uint8), "LD": np.zeros(BLOCK, dtype=np.uint8)}

    def address(node, peer):
        if node.mem[0] == "L":
            return local[node.mem]
        mem_type = bm.BmMemType.HOST if node.mem == "GH" else bm.BmMemType.DEVICE
        return memory.peer_rank_ptr(peer if node.remote else rank, mem_type) + BLOCK  # one block in

    def read(node, peer):
        if node.mem[0] == "L":
            return local[node.mem].tobytes()
        out = np.zeros(BLOCK, dtype=np.uint8)
        memory.copy_data(address(node, peer), out, BLOCK, bm.BmCopyType.G2H)
        return out.tobytes()

    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "chain":
            peer = int(command[1])
            path, edges = eulerian_path()
            local["LH"][:] = np.frombuffer(random.Random(7).randbytes(BLOCK), dtype=np.uint8)
            first = hashlib.md5(local["LH"].tobytes()).hexdigest()
            for src, dst in zip(path, path[1:]):
                memory.copy_data(address(src, peer), address(dst, peer), BLOCK, copy_type(src, dst))
            last = hashlib.md5(read(path[-1], peer)).hexdigest()
            print(f"chain {'ok' if first == last else 'WRONG'} {len(path) - 1} {edges} {first} {last}", flush=True)
        elif command[0] == "g2g":
            peer = int(command[1])
            size = 4096
            gh = memory.peer_rank_ptr(peer, bm.BmMemType.HOST)
            gd = memory.peer_rank_ptr(peer, bm.BmMemType.DEVICE)
            lh = np.frombuffer(random.Random(1).randbytes(size), dtype=np.uint8).copy()
            ld = np.frombuffer(random.Random(2).randbytes(size), dtype=np.uint8).copy()
            wrong = []

            def gva_sum(gva):
                out = np.zeros(size, dtype=np.uint8)
                memory.copy_data(gva, out, size, bm.BmCopyType.G2H)
                return int(out.sum(dtype=np.uint64))

            def batch(src, dst, kind, expected_sum, name):
                memory.copy_data_batch([src], [dst], [size], 1, kind, 0)
                target = dst if isinstance(dst, int) else None
                got = gva_sum(target) if target is not None else int(dst.sum(dtype=np.uint64))
                if got != expected_sum:
                    wrong.append(name)

            for name, src, dst, kind in (("LH2GH", lh, gh, "H2G"), ("LH2GD", lh, gd, "H2G"), ("LD2GH", ld, gh, "L2G"),
                                         ("LD2GD", ld, gd, "L2G")):
                batch(src, dst, bm.BmCopyType[kind], int(src.sum(dtype=np.uint64)), name)
            for name, src, kind in (("GH2LH", gh, "G2H"), ("GH2LD", gh, "G2L"), ("GD2LH", gd, "G2H"),
                                    ("GD2LD", gd, "G2L")):
                dst = np.zeros(size, dtype=np.uint8)
                batch(src, dst, bm.BmCopyType[kind], gva_sum(src), name)
            for name, src, dst in (("GH2GH", gh, gh + size), ("GH2GD", gh, gd + size), ("GD2GH", gd, gh + 2 * size),
                                   ("GD2GD", gd, gd + 2 * size)):
                batch(src, dst, bm.BmCopyType.G2G, gva_sum(src), name)
            print(f"g2g {'ok' if not wrong else 'WRONG ' + ','.join(wrong)} 12", flush=True)
        elif command[0] == "fill":
            peer, seed = int(command[1]), int(command[2])
            data = (np.arange(1 << 20, dtype=np.uint32) * seed).astype(np.uint32)
            memory.copy_data(data, memory.peer_rank_ptr(peer, bm.BmMemType.HOST), data.nbytes, bm.BmCopyType.H2G)
            print("filled", flush=True)
        elif command[0] == "check":
            seed = int(command[1])
            # This rank's own HOST slot as a numpy array: the peer's copy is there, no read-back call.
            view = np.frombuffer(memory.local_buffer(bm.BmMemType.HOST), dtype=np.uint32, count=1 << 20)
            expected = (np.arange(1 << 20, dtype=np.uint32) * seed).astype(np.uint32)
            print(f"seen {'ok' if np.array_equal(view, expected) else 'WRONG'}", flush=True)
    memory.destroy()
    bm.uninitialize()
    return 0


if __name__ == "__main__":
    sys.exit(main())
