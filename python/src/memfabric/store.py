"""``python -m memfabric.store``: a standalone config store (upstream's ``launch_ascend_mf_store.py``).

The URL comes from the environment: ``MEMFABRIC_STORE_URL``, or upstream's ``ASCEND_MF_STORE_URL``
(``tcp://ip:port`` or ``tcp://[ipv6]:port``); ``ASCEND_MF_LOG_LEVEL`` (0..3) applies as upstream's. The store serves
until SIGINT or SIGTERM. It prints ``config store listening on <url>`` once it listens.
"""

import os
import signal
import sys
import threading


def main():
    url = os.environ.get("MEMFABRIC_STORE_URL") or os.environ.get("ASCEND_MF_STORE_URL")
    if not url:
        raise ValueError("set MEMFABRIC_STORE_URL (or ASCEND_MF_STORE_URL) to the store's URL, e.g. "
                         "tcp://127.0.0.1:7000")
    import memfabric
    stop = threading.Event()
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), lambda number, frame: stop.set())
    memfabric.create_config_store(url)
    print(f"config store listening on {url}", flush=True)
    while not stop.wait(1.0):
        pass
    print("config store stopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
