"""One run of a job at a time per workspace: an exclusive ``flock`` on ``state/locks/<job>.lock``.

The lock belongs to the open file, so the operating system releases it when the process
ends, however it ends (a crash, ``kill -9``, a reboot): there is no stale lock to clean up.
The file says who holds it (process id, host, since when), for the message the second run
prints.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import LocalFileError, LockHeldError


@contextmanager
def job_lock(directory: Path, job: str) -> Iterator[Path]:
    """Hold the lock of ``job`` for the ``with`` block, or raise LockHeldError at once."""
    path = directory / f"{job}.lock"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as error:
        raise LocalFileError(f"cannot open the lock {path}: {error.strerror or error}", path) from error
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "a process that has not written its name yet"
        handle.close()
        raise LockHeldError(f"another '{job}' run is under way ({holder}; lock {path}): this run did nothing") from None
    try:
        handle.seek(0)
        handle.truncate()
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {since}\n")
        handle.flush()
        yield path
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
