"""bin/bench-native: a 64 MiB and a 64 B BigMemory copy (H2G into another rank's HOST slot, same host) measured from
Java, from C (libmemfabric.so) and from Python (the memfabric package) in one run, against one peer rank, and their
ratios. Each side is a process of its own that joins as rank 1 of a world of 2; the sides alternate for --rounds
rounds and the medians are reported. 64 MiB: the median of 21 copies, each timed (after 3 unmeasured), GB/s = 1e9 B/s.
64 B: the median over 31 runs of 10,000 copies of the mean time per copy (after 200,000 unmeasured copies, which also
let the JIT compile the path). Usage: python3 bench_native.py NATIVE_DIR [--rounds N]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_python(url):
    import numpy as np
    import memfabric
    from memfabric import bm
    big, small = 64 << 20, 64
    config = bm.BmConfig()
    config.start_store = False
    memfabric.initialize()
    bm.initialize(url, 2, 0, config)
    memory = bm.create(0, big, big)
    memory.join()
    target = memory.peer_rank_ptr(1 - bm.bm_rank_id(), bm.BmMemType.HOST)
    buffer = np.ones(big, dtype=np.uint8)
    address = buffer.__array_interface__["data"][0]
    h2g = bm.BmCopyType.H2G
    for _ in range(3):
        memory.copy_data(address, target, big, h2g)
    copies = []
    for _ in range(21):
        start = time.perf_counter()
        memory.copy_data(address, target, big, h2g)
        copies.append(big / (time.perf_counter() - start) / 1e9)
    gbps = statistics.median(copies)
    for _ in range(200000):
        memory.copy_data(address, target, small, h2g)
    rounds = []
    for _ in range(31):
        begin = time.perf_counter()
        for _ in range(10000):
            memory.copy_data(address, target, small, h2g)
        rounds.append((time.perf_counter() - begin) / 10000 * 1e6)
    print(f"RESULT python {gbps:.3f} {statistics.median(rounds):.4f}", flush=True)
    memory.destroy()
    bm.uninitialize()


def peer(url):
    import memfabric
    from memfabric import bm
    config = bm.BmConfig()
    config.start_store = False
    memfabric.initialize()
    bm.initialize(url, 2, 0, config)
    memory = bm.create(0, 64 << 20, 64 << 20)
    memory.join()
    print("joined", flush=True)
    sys.stdin.read()
    memory.destroy()
    bm.uninitialize()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("native_dir")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", default="drive")
    parser.add_argument("--url")
    args = parser.parse_args()
    native = Path(args.native_dir).resolve()
    if args.mode == "peer":
        return peer(args.url)
    if args.mode == "python":
        return measure_python(args.url)
    env = dict(os.environ, MEMFABRIC_LIB=str(native / "libmemfabric.so"),
               PYTHONPATH=str(HERE.parent.parent.parent.parent / "python" / "src"))
    url = f"tcp://127.0.0.1:{free_port()}"
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    class_path = os.pathsep.join([str(native / "test-classes")] + [str(p) for p in sorted((native / "lib").glob("*.jar"))])
    commands = {
        "java": [java, "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                 class_path, "io.memfabric.nativeapi.NativeBenchJava", url],
        "c": [str(native / "c-tests" / "bench_copy"), url],
        "python": [sys.executable, __file__, str(native), "--mode", "python", "--url", url],
    }
    store = subprocess.Popen([sys.executable, "-m", "memfabric.store"], env=dict(env, MEMFABRIC_STORE_URL=url),
                             stdout=subprocess.PIPE, text=True)
    store.stdout.readline()
    peer_process = subprocess.Popen([sys.executable, __file__, str(native), "--mode", "peer", "--url", url], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    peer_process.stdout.readline()
    results = {side: [] for side in commands}
    try:
        for round_ in range(args.rounds):
            for side, command in commands.items():
                output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
                line = next((l for l in output.stdout.splitlines() if l.startswith("RESULT")), None)
                if line is None:
                    print(f"{side} failed:\n{output.stdout}\n{output.stderr[-3000:]}", file=sys.stderr)
                    return 1
                _, _, gbps, micros = line.split()
                results[side].append((float(gbps), float(micros)))
                print(f"round {round_ + 1} {side:6s}: 64 MiB {float(gbps):6.2f} GB/s, 64 B {float(micros):.3f} us",
                      flush=True)
    finally:
        peer_process.stdin.close()
        peer_process.wait(timeout=60)
        store.terminate()
        store.wait(timeout=30)
    big = {side: statistics.median(g for g, _ in values) for side, values in results.items()}
    small = {side: statistics.median(m for _, m in values) for side, values in results.items()}
    print(f"\nmedians of {args.rounds} rounds (same host, shm route, H2G into the peer's HOST slot):")
    print("| side | 64 MiB copy | ratio to Java (bar >= 0.9) | 64 B copy | overhead over Java (bar) |")
    print("|---|---|---|---|---|")
    for side, bar in (("java", ""), ("c", "<= 1 us"), ("python", "<= 5 us")):
        ratio = big[side] / big["java"]
        overhead = small[side] - small["java"]
        print(f"| {side} | {big[side]:.2f} GB/s | {ratio:.2f} | {small[side]:.3f} us | "
              f"{'-' if side == 'java' else f'{overhead:+.3f} us ({bar})'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
