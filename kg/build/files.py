"""Files written so a reader sees the old content or the new, never a part."""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable

from ..model.errors import KGError

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes, tmp_dir: Path | None = None) -> None:
    """Write a file so a reader sees the old or the new content, never a part; the temporary
    file is made in `tmp_dir` (same file system) if given, else beside `path`."""
    write_all_atomic({Path(path): bytes_writer(data)}, tmp_dir)


def bytes_writer(data: bytes) -> Callable[[BinaryIO], None]:
    return lambda out: out.write(data)


def write_all_atomic(writers: dict[Path, Callable[[BinaryIO], None]], tmp_dir: Path | None = None) -> None:
    """Write every file to a temporary name beside it, then put them all in place: an error
    or an interruption on the way leaves all the old files as they were."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=tmp_dir or path.parent)
            staged.append((tmp, path))
            os.fchmod(handle, 0o666 & ~_UMASK)   # mkstemp makes 0600; outputs are ordinary files
            with os.fdopen(handle, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


class ShortSource(KGError):
    """A file copied from ends before the part asked for."""


class Appender:
    """A file written front to back that says where each part went; parts of another file
    are copied in the kernel (copy_file_range), and runs of adjacent parts as one copy."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "wb", buffering=0)
        self.size = 0
        self._pending: tuple[int, int, int] | None = None    # (source fd, offset, length) not yet copied

    def write(self, data: bytes) -> tuple[int, int]:
        self._copy_pending()
        self.handle.write(data)
        return self._advance(len(data))

    def copy(self, source: int, offset: int, length: int) -> tuple[int, int]:
        """Part of the open file `source` (a descriptor) from `offset`; it must not change before close()."""
        if self._pending and self._pending[0] == source and sum(self._pending[1:]) == offset:
            self._pending = (source, self._pending[1], self._pending[2] + length)
        else:
            self._copy_pending()
            self._pending = (source, offset, length)
        return self._advance(length)

    def close(self) -> None:
        try:
            self._copy_pending()
        finally:
            self.handle.close()

    def __enter__(self) -> "Appender":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _advance(self, length: int) -> tuple[int, int]:
        self.size += length
        return self.size - length, length

    def _copy_pending(self) -> None:
        if self._pending is None:
            return
        source, offset, length = self._pending
        self._pending = None
        out = self.handle.fileno()
        while length:
            try:
                done = os.copy_file_range(source, out, length, offset)
            except OSError:          # another file system, or a kernel without it: through memory
                done = os.write(out, os.pread(source, min(length, 1 << 24), offset))
            if done == 0:
                raise ShortSource(f"{length} bytes from offset {offset} are not there")
            offset, length = offset + done, length - done


STAGING = ".kg-staging"        # inside the output folder: every temporary file of a build
_COMMITTING = "COMMITTING"     # written into the staging folder once all its files are complete


class Staging:
    """A build's outputs, written into `OUT/.kg-staging/` and then moved into `OUT` together.

    All temporary files live in that one folder, which is removed on success, on an error
    and on SIGINT/SIGTERM (the CLI turns them into exceptions). After SIGKILL or a power
    cut it stays, and the next build (holding the lock) settles it: if the marker
    `COMMITTING` is there every file was complete, so the moves are finished (roll
    forward); otherwise it is deleted and the previous outputs stand (roll back). Either
    way no mix of two builds' files stays behind."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.folder = self.out_dir / STAGING

    def __enter__(self) -> "Staging":
        settle(self.out_dir)
        self.folder.mkdir()
        return self

    def __exit__(self, *_exc) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def commit(self, names: list[str]) -> dict[str, Path]:
        """Move the staged files `names` into the output folder, in that order."""
        for name in names:
            with self.path(name).open("rb+") as handle:
                os.fchmod(handle.fileno(), 0o666 & ~_UMASK)
                os.fsync(handle.fileno())
        write_atomic(self.path(_COMMITTING), "\n".join(names).encode("utf-8"), self.folder)
        _roll_forward(self.folder, self.out_dir, names)
        return {name: self.out_dir / name for name in names}


def settle(out_dir: Path) -> None:
    """Finish or undo what a killed build left in `out_dir` (see Staging)."""
    folder = Path(out_dir) / STAGING
    if not folder.is_dir():
        return
    marker = folder / _COMMITTING
    if marker.is_file():
        _roll_forward(folder, Path(out_dir), marker.read_text(encoding="utf-8").splitlines())
    shutil.rmtree(folder, ignore_errors=True)


def _roll_forward(folder: Path, out_dir: Path, names: list[str]) -> None:
    for name in names:
        if (folder / name).exists():
            os.replace(folder / name, out_dir / name)
    (folder / _COMMITTING).unlink(missing_ok=True)


@contextmanager
def build_lock(out_dir: Path):
    """Held while a build writes into `out_dir`; a second build into the same folder fails
    at once with a clear message instead of interleaving its files with the first's. The
    lock is the kernel's (flock on the folder itself): it goes with a killed build's
    process, and leaves no file behind."""
    handle = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KGError(f"another kg build is writing into {out_dir}; wait for it to finish, "
                          "or build into another folder") from None
        yield
    finally:
        os.close(handle)
