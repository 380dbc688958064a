"""The local adapters' file writes: atomic, durable, and through one seam a test can wrap.

Every write of the local page store and the local entity store is one of three:

* ``replace(path, data)``: a temporary file in the same directory is written, flushed to the
  disk (``fsync``) and renamed over ``path``, and the directory is flushed, so that a crash or
  a full disk at any point leaves the old file or the new one, never a part of either;
* ``create(path, data)``: the same, but the temporary file is *linked* to ``path``, which fails
  when ``path`` exists: a creation never replaces a file (``FileExistsError``);
* ``append(path, data)``: one record added at the end of a log and flushed; a record torn by
  an earlier crash is ended first, so that a new record always starts on a line of its own.

Each low-level operation (open, write, fsync, close, link, rename, unlink, fsync of the
directory) goes through the current ``FileOps``, whose ``before`` is called first with the
operation and the file: ``using(ops)`` puts another one in place (the fault suite counts the
operations there and makes the k-th one die or find the disk full).  Failures are ``OSError``
with the file named; the adapters turn them into ``LocalFileError`` (``unusable``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from ..errors import LocalFileError

# A file system without hard links answers link() with one of these: the creation falls back to
# an existence check and a rename, which the callers' lock makes safe among wikibot processes.
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})


class FileOps:
    """The operations themselves; ``before`` runs first (a no-op here)."""

    def before(self, op: str, path: Path) -> None:
        """Called before each operation: ``op`` is its name, ``path`` the file it acts on."""

    def open(self, path: Path, flags: int) -> int:
        self.before("open", path)
        return os.open(path, flags, 0o666)

    def write(self, fd: int, data: bytes, path: Path) -> None:
        self.before("write", path)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def fsync(self, fd: int, path: Path) -> None:
        self.before("fsync", path)
        os.fsync(fd)

    def close(self, fd: int, path: Path) -> None:
        self.before("close", path)
        os.close(fd)

    def link(self, source: Path, target: Path) -> None:
        self.before("link", target)
        os.link(source, target)

    def rename(self, source: Path, target: Path) -> None:
        self.before("rename", target)
        os.replace(source, target)

    def unlink(self, path: Path) -> None:
        self.before("unlink", path)
        os.unlink(path)

    def fsync_dir(self, path: Path) -> None:
        """Flush a directory's entries (a rename or link is durable only then)."""
        self.before("fsync_dir", path)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_ops = FileOps()


@contextlib.contextmanager
def using(ops: FileOps) -> Iterator[FileOps]:
    """Route the local adapters' file operations through ``ops`` for the duration."""
    global _ops
    previous, _ops = _ops, ops
    try:
        yield ops
    finally:
        _ops = previous


def unusable(path: Path, error: OSError, doing: str = "write") -> LocalFileError:
    """The error a person sees: the file, what went wrong, and that what was saved before is kept."""
    reason = error.strerror or str(error)
    hint = " (the disk is full)" if error.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return LocalFileError(f"cannot {doing} {path}: {reason}{hint}; what was saved before is kept: "
                          "fix this and run the command again", path)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def _written(path: Path, data: bytes) -> Path:
    """A new temporary file next to ``path`` holding ``data``, on the disk."""
    ops = _ops
    temporary = _temporary(path)
    fd = ops.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        try:
            ops.write(fd, data, temporary)
            ops.fsync(fd, temporary)
        finally:
            ops.close(fd, temporary)
    except Exception:  # a failure (a full disk): nothing is left behind.  A kill leaves the file,
        with contextlib.suppress(OSError):  # which no reader ever takes for a page or an entity.
            os.unlink(temporary)
        raise
    return temporary


def replace(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a reader, or the next run after a crash, sees the old or the new."""
    ops = _ops
    temporary = _written(path, data)
    try:
        ops.rename(temporary, path)
    except Exception:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    ops.fsync_dir(path.parent)


def create(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; ``FileExistsError`` (and nothing written) when it exists."""
    ops = _ops
    temporary = _written(path, data)
    try:
        try:
            ops.link(temporary, path)
        except OSError as error:
            if error.errno not in _NO_LINKS:
                raise
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
            ops.rename(temporary, path)
        else:  # ``path`` is created: the temporary name goes (failing that, it is only litter)
            with contextlib.suppress(OSError):
                ops.unlink(temporary)
    except Exception:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    ops.fsync_dir(path.parent)


def append(path: Path, data: bytes) -> None:
    """Add ``data`` (one record ending in a newline) at the end of the log ``path``, on the disk."""
    ops = _ops
    fd = ops.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        size = os.fstat(fd).st_size
        if size and _last_byte(path, size) != b"\n":  # a record torn by a crash: end it first
            data = b"\n" + data
        ops.write(fd, data, path)
        ops.fsync(fd, path)
    finally:
        ops.close(fd, path)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)
