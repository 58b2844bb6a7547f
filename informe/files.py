"""Writing outputs safely: atomic files, a staging directory swapped in at the end, one build at a time.

* :func:`atomic_path` / :func:`write_text_atomic` — a temporary file beside the target,
  renamed over it only when complete (mode 0644: a report is meant to be shared).
* :func:`staging` — a build writes every output into a fresh directory beside the
  output directory and :func:`swap_in` moves it into place only when everything
  succeeded; on failure or interruption the staging directory is removed and every
  previous output is left byte-identical.
* :func:`build_lock` — one build per output directory (``fcntl.flock`` on a lock file
  beside it): a second build waits for the first, it never deletes its files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

SHARED_FILE = 0o644
SHARED_DIR = 0o755


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, SHARED_FILE)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text (``\\n`` line ends) atomically, mode 0644."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    return Path(path)


@contextlib.contextmanager
def build_lock(out: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of output directory ``out`` (waiting, with a message, if another build has it)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"Otra construcción está escribiendo en {out}; se espera a que termine…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh directory beside ``out`` (same file system, so the final renames are atomic);
    removed when the block ends, whatever happens."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.construyendo-", dir=out.parent))
    os.chmod(folder, SHARED_DIR)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def swap_in(folder: Path, out: Path) -> None:
    """Move every entry of ``folder`` into ``out``: files replace files; a directory replaces the
    previous directory of the same name as a whole (nothing from an older build lingers in it)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for item in sorted(Path(folder).iterdir()):
        target = out / item.name
        if item.is_dir() and target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{item.name}.anterior-", dir=out))
            os.replace(target, old / item.name)
            os.replace(item, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(item, target)
