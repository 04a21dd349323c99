"""Files written so a reader sees the old content or the new, never a part."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so a reader sees the old or the new content, never a part."""
    write_all_atomic({Path(path): bytes_writer(data)})


def bytes_writer(data: bytes) -> Callable[[BinaryIO], None]:
    return lambda out: out.write(data)


def write_all_atomic(writers: dict[Path, Callable[[BinaryIO], None]]) -> None:
    """Write every file to a temporary name beside it, then put them all in place: an error
    or an interruption on the way leaves all the old files as they were."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, write in writers.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
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
