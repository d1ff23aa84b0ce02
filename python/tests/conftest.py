"""Fixtures of the package's tests: a config store in a process of its own (``python -m memfabric.store``) and worker
processes driven line by line over their standard input and output. Every process a test starts is killed at its
end, whatever the outcome. The tests need MEMFABRIC_LIB (or an installed package) and numpy."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
# The tests test the source tree (the library comes from MEMFABRIC_LIB), in this process and in the workers.
sys.path.insert(0, str(SRC))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


class Worker:
    """A process running a test worker; ``send`` a command line, ``expect`` its answer line."""

    def __init__(self, args, env=None, name="worker"):
        self.name = name
        self.process = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=environment(env))
        self.errors = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stderr:
            self.errors.append(line)

    def send(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, prefix, timeout=120):
        result = {}

        def read():
            result["line"] = self.process.stdout.readline()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        line = result.get("line", "").strip()
        if not line.startswith(prefix):
            raise AssertionError(f"{self.name}: expected '{prefix}...', got {line!r} (alive: "
                                 f"{self.process.poll() is None}); its stderr:\n{''.join(self.errors[-40:])}")
        return line.split()

    def close(self):
        if self.process.poll() is None:
            try:
                self.send("quit")
                self.process.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def store():
    """A standalone store (python -m memfabric.store, URL from the environment as upstream's launcher)."""
    url = f"tcp://127.0.0.1:{free_port()}"
    process = subprocess.Popen([sys.executable, "-m", "memfabric.store"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment({"MEMFABRIC_STORE_URL": url}))
    try:
        line = process.stdout.readline()
        assert line.startswith("config store listening on"), (line, process.stderr.read() if process.poll() else "")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def workers(store):
    """Worker processes; they end before the store (which they need to leave cleanly) is stopped."""
    started = []

    def start(script, *args, env=None, name=None):
        worker = Worker([str(HERE / script), *args], env=env, name=name or script)
        started.append(worker)
        return worker

    yield start
    for worker in reversed(started):
        worker.close()
