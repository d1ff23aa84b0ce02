"""``python -m memfabric.demo``: a prefill server moves a KV cache to a decode server with the transfer engine.

Two processes on this host: this one starts a config store and is the prefill side (SENDER); it starts the decode
side (RECEIVER) as a second process, which registers a KV buffer (a bytearray: the engine writes into it in place)
and tells its address. The prefill side writes the cache in one batch of 122 blocks (61 x 128 KiB + 61 x 16 KiB, the
block layout of upstream's KV benchmark), the decode side checks every byte, and the demo prints what moved and how
fast. Exit code 0 when the bytes arrived intact. Options: ``--layers N`` (61), ``--rounds N`` (3).
"""

import argparse
import hashlib
import os
import socket
import subprocess
import sys
import time

BIG = 128 << 10
SMALL = 16 << 10


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def blocks(layers):
    """(offset, length) of the 122 blocks: per layer a 128 KiB block and a 16 KiB block, back to back."""
    layout = []
    offset = 0
    for _ in range(layers):
        for size in (BIG, SMALL):
            layout.append((offset, size))
            offset += size
    return layout, offset


def pattern(total, seed):
    unit = bytes((seed * 131 + i * 7 + (i >> 8)) & 0xFF for i in range(4096))
    return bytearray((unit * (total // len(unit) + 1))[:total])


def decode(args):
    import memfabric
    layout, total = blocks(args.layers)
    kv = bytearray(total)
    engine = memfabric.TransferEngine()
    engine.initialize(args.store, args.session, "Decode", 0)
    engine.register_memory(kv)
    address = memfabric._buffers.memory(kv, "kv")
    print(f"ready {address.address} {total}", flush=True)
    address.release()
    for line in sys.stdin:
        command = line.split()
        if command and command[0] == "verify":
            print(f"digest {hashlib.sha256(kv).hexdigest()}", flush=True)
            kv[:] = bytes(total)
        elif command and command[0] == "quit":
            break
    engine.destroy()
    return 0


def prefill(args):
    import memfabric
    layout, total = blocks(args.layers)
    store = f"tcp://127.0.0.1:{free_port()}"
    session = f"127.0.0.1:{free_port()}"
    peer = f"127.0.0.1:{free_port()}"
    memfabric.create_config_store(store)
    print(f"store {store}; prefill {session} (this process); decode {peer} (a second process)")
    child = subprocess.Popen([sys.executable, "-m", "memfabric.demo", "--decode", "--store", store, "--session", peer,
                              "--layers", str(args.layers)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    engine = memfabric.TransferEngine()
    try:
        engine.initialize(store, session, "Prefill", 0)
        ready = child.stdout.readline().split()
        if not ready or ready[0] != "ready":
            print(f"demo: the decode process did not start ({ready})", file=sys.stderr)
            return 1
        remote = int(ready[1])
        ok = True
        for round_ in range(args.rounds):
            kv = pattern(total, round_ + 1)
            engine.register_memory(kv)
            with memfabric._buffers.memory(kv, "kv") as local:
                sources = [local.address + offset for offset, _ in layout]
            targets = [remote + offset for offset, _ in layout]
            lengths = [length for _, length in layout]
            start = time.perf_counter()
            engine.batch_transfer_sync_write(peer, sources, targets, lengths)
            seconds = time.perf_counter() - start
            engine.unregister_memory(kv)
            child.stdin.write("verify\n")
            child.stdin.flush()
            answer = child.stdout.readline().split()
            intact = len(answer) == 2 and answer[1] == hashlib.sha256(kv).hexdigest()
            ok = ok and intact
            print(f"round {round_ + 1}: {len(layout)} blocks, {total} bytes in {seconds * 1e3:.2f} ms "
                  f"({total / seconds / 1e9:.2f} GB/s), decode side: {'every byte intact' if intact else 'WRONG'}")
        print("demo: verified" if ok else "demo: FAILED")
        return 0 if ok else 1
    finally:
        engine.destroy()
        if child.poll() is None:
            try:
                child.stdin.write("quit\n")
                child.stdin.close()
                child.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                child.kill()


def main():
    parser = argparse.ArgumentParser(prog="python -m memfabric.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=61)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decode", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--session", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("ASCEND_MF_LOG_LEVEL", "3")
    return decode(args) if args.decode else prefill(args)


if __name__ == "__main__":
    sys.exit(main())
