"""What the real-server harnesses of the tests share (MediaWiki: tests/mediawiki.py; Oxigraph:
tests/oxigraph.py): CI detection, a skip that fails under CI, free loopback ports, a process
group per server that dies with the test process, and stopping it."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(what: str, reason: str, advice: str) -> None:
    """Skip the test, or fail it under CI=true, where every test must run."""
    if ci():
        pytest.fail(f"CI=true and no {what} to test against: {reason}; {advice}", pytrace=False)
    pytest.skip(f"no {what} to test against: {reason}; {advice}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def own_group_ending_with_us() -> None:
    """In the server's process: a process group of its own (``stop_group`` kills the group), and
    on Linux a SIGTERM when the test process dies without a teardown."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a server's process group: TERM, then KILL after 5 s (again: nothing)."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def tail(path: Path) -> str:
    """The end of a server's log, for an error message."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-2000:]
    except OSError:
        return ""
