"""A transfer engine for test_trans.py: "Decode" registers numpy buffers and checks what arrives in them (with no
read call: the sender's writes land in the arrays themselves); "Prefill" writes, batches and reads back."""

import hashlib
import sys

import numpy as np

import memfabric

BIG, SMALL, LAYERS = 128 << 10, 16 << 10, 61
KV_BYTES = LAYERS * (BIG + SMALL)
# A session nobody opened (a valid id: the engine looks it up and finds no such engine).
UNUSED_PORT = 1030


def kv_layout():
    offset = 0
    for _ in range(LAYERS):
        for size in (BIG, SMALL):
            yield offset, size
            offset += size


def kv_pattern(seed):
    return np.frombuffer(np.random.default_rng(seed).bytes(KV_BYTES), dtype=np.uint8).copy()


def main():
    store_url, session, role = sys.argv[1:4]
    engine = memfabric.TransferEngine()
    engine.initialize(store_url, session, role, 0)
    if role == "Decode":
        kv = np.zeros(KV_BYTES, dtype=np.uint8)
        small = np.zeros(4096, dtype=np.float32)
        engine.batch_register_memory([kv, small], [kv.nbytes, small.nbytes])
        print(f"ready {kv.__array_interface__['data'][0]} {small.__array_interface__['data'][0]}", flush=True)
    else:
        print("ready", flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] == "check_small":
            expected = np.arange(4096, dtype=np.float32) * float(command[1])
            print(f"small {'ok' if np.array_equal(small, expected) else 'WRONG'}", flush=True)
        elif command[0] == "kv_digest":
            print(f"kv_digest {hashlib.sha256(kv.tobytes()).hexdigest()}", flush=True)
        elif command[0] == "write_small":
            peer, address, seed = command[1], int(command[2]), float(command[3])
            data = np.arange(4096, dtype=np.float32) * seed
            engine.transfer_sync_write(peer, data, address)
            back = np.zeros_like(data)
            engine.transfer_sync_read(peer, back, address)
            print(f"small_written {'ok' if np.array_equal(back, data) else 'WRONG'}", flush=True)
        elif command[0] == "kv":
            peer, address, seed = command[1], int(command[2]), int(command[3])
            data = kv_pattern(seed)
            base = data.__array_interface__["data"][0]
            layout = list(kv_layout())
            engine.batch_transfer_sync_write(peer, [base + o for o, _ in layout], [address + o for o, _ in layout],
                                             [n for _, n in layout])
            back = np.zeros_like(data)
            back_base = back.__array_interface__["data"][0]
            engine.batch_transfer_sync_read(peer, [back_base + o for o, _ in layout],
                                            [address + o for o, _ in layout], [n for _, n in layout])
            # The stream forms too (done when they return): one block each way.
            engine.transfer_async_write_submit(peer, data[:BIG], address, BIG, stream=1)
            engine.batch_transfer_async_read_submit(peer, [back[:BIG]], [address], [BIG], stream=1)
            same = np.array_equal(back, data)
            print(f"kv {len(layout)} {'ok' if same else 'WRONG'} {hashlib.sha256(data.tobytes()).hexdigest()}",
                  flush=True)
        elif command[0] == "unknown":
            try:
                engine.transfer_sync_write(f"127.0.0.1:{UNUSED_PORT}", np.zeros(16, dtype=np.uint8), 4096)
                print("unknown NOT-RAISED", flush=True)
            except memfabric.InvalidParamError as e:
                print(f"unknown {e.code} {'PEER_UNAVAILABLE' in str(e)}", flush=True)
        elif command[0] == "outside":
            peer, address = command[1], int(command[2])
            try:
                engine.transfer_sync_write(peer, np.ones(64, dtype=np.uint8), address + KV_BYTES - 8)
                print("outside NOT-RAISED", flush=True)
            except memfabric.InvalidParamError as e:
                print(f"outside {e.code} {'ADDRESS_OUT_OF_RANGE' in memfabric.get_last_err_msg()}", flush=True)
    engine.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
