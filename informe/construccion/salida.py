"""Writing outputs safely: atomic files, a staging directory swapped in at the end, one build at a
time, and never a file we did not write.

* :func:`atomic_path` / :func:`write_text_atomic` — a temporary file beside the target,
  renamed over it only when complete (mode 0644: a report is meant to be shared).
* :func:`claim_output` — whether a build may write into an output folder: only a folder that is
  new, empty, holds the record of an earlier build (:data:`OWN_MARKERS`) or nothing but the open data
  of ``informe exportar`` (:data:`EXPORTED`); never ``/``, the home folder, the data folder, a folder that
  contains it, or a folder inside it. Checked before anything runs; the user's own folders are refused
  with a Spanish message (exit code 2).
* :func:`staging` — a build writes every output into a fresh directory beside the
  output directory and :func:`swap_in` moves it into place only when everything
  succeeded; on failure or interruption the staging directory is removed and every
  previous output is left byte-identical. The swap replaces only what the previous build
  recorded in its manifest (``huella.MANIFEST``): any other file in the folder stays.
* :func:`keep_failed` / :func:`clear_failed` — the notebook that failed goes to ``fallidos/``,
  recorded in ``fallidos/.informe-fallidos.json``; a later successful build removes only what
  that record lists.
* :func:`build_lock` — one build per output directory (``fcntl.flock`` on a lock file
  beside it): a second build waits for the first, it never deletes its files.
* :class:`OutputError` / :func:`io_error` — an I/O failure while writing (full disk, read-only
  file system, ``--out`` naming a file) as a Spanish message naming the path and the cause
  (exit code 1), never blamed on a notebook.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import fnmatch
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator

from informe.construccion.huella import MANIFEST, NARRATIVE
from informe.escritura import write_text_atomic
from informe.problemas import InformeError

SHARED_DIR = 0o755

#: The folder where the notebook of a failed build is kept, and the record of what we put there.
FAILED_DIR = "fallidos"
FAILED_RECORD = ".informe-fallidos.json"
#: Paths (glob patterns, relative to an output folder) that only a build of ours writes: a folder
#: holding one of them is ours to write into.
OWN_MARKERS = (MANIFEST, f"{FAILED_DIR}/{FAILED_RECORD}")
#: The files ``informe exportar`` writes (it keeps no record): a folder holding nothing else is ours too.
EXPORTED = ("datos/datapackage.json", "datos/indicadores_*.csv", "datos/indicadores_*.xlsx", "datos/resumen_*.csv")


#: The output folder of ``informe lote`` is ours if it holds the consolidated table of an earlier run or
#: an agency's report (a build's record in a subfolder); each agency's folder in it is checked on its own.
LOTE_MARKERS = ("consolidado_*.csv", f"*/{MANIFEST}", f"*/{FAILED_DIR}/{FAILED_RECORD}",
                "[0-9][0-9][0-9][0-9]/consolidado_*.csv")  # a several-year lote: a folder per year


class OutputError(InformeError):
    """An I/O failure while writing a build's outputs: the message names the path and the cause.
    Exit code 1 (a build that failed), not 2 (invalid data or arguments)."""

    exit_code = 1


#: The cause of the common I/O failures, in Spanish, and what to do about it.
_CAUSES = {
    errno.ENOSPC: ("no queda espacio en el disco", "libere espacio o elija con --out una carpeta en otro disco"),
    errno.EDQUOT: ("se agotó la cuota de disco del usuario", "libere espacio o elija con --out otra carpeta"),
    errno.EFBIG: ("el archivo excede el tamaño máximo del sistema de archivos", "elija con --out otra carpeta"),
    errno.EROFS: ("el sistema de archivos es de solo lectura", "elija con --out una carpeta donde se pueda escribir"),
    errno.EACCES: ("no hay permiso de acceso", "elija con --out una carpeta donde se pueda escribir"),
    errno.EPERM: ("la operación no está permitida ahí", "elija con --out una carpeta donde se pueda escribir"),
    errno.ENOTDIR: ("una parte de la ruta es un archivo, no una carpeta", "elija con --out una carpeta"),
    errno.EISDIR: ("es una carpeta, no un archivo", "quite o renombre esa carpeta, o elija otra salida con --out"),
    errno.EIO: ("error de entrada/salida del disco", "revise el disco o elija con --out otra carpeta"),
}
_WRITING = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})
#: Errors of the disk rather than of the program: a notebook that meets one did not fail, the disk did.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                         errno.EIO})


def io_error(exc: OSError, path: Path | str | None = None) -> OutputError:
    """``exc`` as a message for the user: the path (``exc``'s own, else ``path``), the cause and the fix."""
    where = _shown(exc.filename, path) if exc.filename is not None else path
    cause, fix = _CAUSES.get(exc.errno, (exc.strerror or str(exc), "revise la ruta o elija con --out otra carpeta"))
    verb = "escribir en" if exc.errno in _WRITING else "leer o escribir"
    text = f"No se pudo {verb} {where}: {cause}" if where is not None else f"Error de entrada/salida: {cause}"
    return OutputError(f"{text} ({os.strerror(exc.errno) if exc.errno else type(exc).__name__}); {fix}. "
                       "Los resultados anteriores quedan como estaban.")


def _shown(filename, out: Path | str | None):
    """``filename`` as the user knows it: a path in the staging directory of ``out`` is shown in ``out``."""
    if out is None or not isinstance(filename, (str, os.PathLike)):
        return filename
    real = _real(out)
    try:
        parts = _real(filename).relative_to(real.parent).parts
    except (ValueError, OSError):
        return filename
    if parts and parts[0].startswith(f".{real.name}.construyendo-"):
        return Path(out).joinpath(*parts[1:])
    return filename


def _real(path: Path | str) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def claim_output(out: Path | str, data: Iterable[Path | str] = (), *, markers: Iterable[str] = OWN_MARKERS,
                 what: str = "la carpeta de salida") -> None:
    """Check, before anything runs, that ``out`` may receive a build's outputs (see the module docstring).

    ``data``: the data paths of the build (folders, or workbooks: the folder holding a workbook). ``out``
    may not be ``/``, the home folder, a data folder, a folder that contains one, nor a folder inside a
    data folder (its outputs would be read as data); beside a workbook it may be any other folder than the
    workbook's own folder (or one of its ancestors). Symbolic links are followed. ``markers``: paths that
    only we write, whose presence makes an existing, non-empty ``out`` ours.

    Raises :class:`informe.problemas.InformeError` (exit code 2) for a folder that is not ours, and
    :class:`OutputError` (exit code 1) when ``out`` is a file or cannot be written."""
    from informe import config

    given = Path(out)
    real = _real(given)
    try:
        home = _real(Path.home())
    except (RuntimeError, KeyError):  # no home folder known
        home = None
    if real == Path(real.anchor):
        raise InformeError(f"--out {given}: la salida no puede ser la raíz del sistema de archivos; "
                           "elija una carpeta nueva o vacía.")
    if home is not None and real == home:
        raise InformeError(f"--out {given}: la salida no puede ser su carpeta personal ({home}); elija una "
                           "carpeta nueva o vacía.")
    for path in data:
        book = config.is_book(path)
        folder = _real(config.data_folder(path))
        if book:
            if _inside(folder, real):
                raise InformeError(f"--out {given}: esa carpeta contiene el libro de datos «{path}»; elija una "
                                   "carpeta nueva o vacía fuera de ella (p. ej. una subcarpeta «salida»).")
            for sub in (*NARRATIVE, "params"):  # read beside the workbook
                if _inside(real, folder / sub):
                    raise InformeError(f"--out {given}: está dentro de {folder / sub}, que se lee con el libro de "
                                       "datos; elija una carpeta nueva o vacía fuera de ella.")
            continue
        if _inside(folder, real):
            why = "es la carpeta de datos" if folder == real else f"contiene la carpeta de datos «{path}»"
            raise InformeError(f"--out {given}: {why}; la construcción no escribe donde están los datos; "
                               "elija una carpeta nueva o vacía fuera de los datos.")
        if _inside(real, folder):
            raise InformeError(f"--out {given}: está dentro de la carpeta de datos «{path}» (sus archivos se "
                               "leerían como datos); elija una carpeta nueva o vacía fuera de los datos.")
    if real.exists() and not real.is_dir():
        raise OutputError(f"No se puede escribir en {given}: es un archivo, no una carpeta; elija con --out una "
                          "carpeta nueva o vacía.")
    if real.is_dir():
        if not owned(real, markers):
            raise InformeError(
                f"--out {given}: {what} ya existe y tiene archivos que no escribió una construcción de informe "
                f"(no tiene el registro {MANIFEST}); para no borrar ni reemplazar archivos suyos, la construcción "
                "no escribe ahí. Elija una carpeta nueva o vacía.")
        existing = real
    else:
        existing = next(p for p in real.parents if p.exists())
        if not existing.is_dir():
            raise OutputError(f"No se puede crear {given}: {existing} es un archivo, no una carpeta; elija con "
                              "--out otra ruta.")
    if not os.access(existing, os.W_OK | os.X_OK):
        code = errno.EROFS if _read_only(existing) else errno.EACCES
        raise io_error(OSError(code, os.strerror(code), str(existing)))


def claim_lote_output(out: Path | str, data: Iterable[Path | str]) -> None:
    """:func:`claim_output` for the output folder of ``informe lote`` (``data``: every agency's folder; the
    folder is ours by :data:`LOTE_MARKERS`). Each agency's folder in it is claimed on its own."""
    claim_output(out, data, markers=LOTE_MARKERS, what="la carpeta del lote")


def _read_only(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def owned(folder: Path | str, markers: Iterable[str] = OWN_MARKERS) -> bool:
    """True when ``folder`` does not exist, is empty, holds one of ``markers`` (glob patterns), or holds
    nothing but the open data that ``informe exportar`` writes (:data:`EXPORTED`)."""
    folder = Path(folder)
    if not folder.exists() or not any(folder.iterdir()):
        return True
    if any(path.is_file() for pattern in markers for path in folder.glob(pattern)):
        return True
    return all(_exported(path.relative_to(folder).as_posix()) for path in folder.rglob("*")
               if not path.is_dir() or path.is_symlink())


def _exported(name: str) -> bool:
    return any(name.count("/") == pattern.count("/") and fnmatch.fnmatchcase(name, pattern) for pattern in EXPORTED)






@contextlib.contextmanager
def build_lock(out: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of output directory ``out`` (waiting, with a message, if another build has it).
    The lock file lies beside the real folder (symbolic links followed): every path to it shares it."""
    real = _real(out)
    real.parent.mkdir(parents=True, exist_ok=True)
    lock = real.parent / f".{real.name}.lock"
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
    """A fresh directory beside ``out`` (beside the real folder, on the same file system, so the final
    renames are atomic); removed when the block ends, whatever happens."""
    real = _real(out)
    real.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{real.name}.construyendo-", dir=real.parent))
    os.chmod(folder, SHARED_DIR)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def recorded(out: Path | str) -> set[str]:
    """The files (paths relative to ``out``) that the build recorded in ``out``'s manifest wrote, the
    manifest included; empty when there is no readable manifest."""
    try:
        record = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
        files = record.get("archivos", {}) if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return set()
    return {name for name in files if _relative(name)} | {MANIFEST}


def _relative(name: object) -> bool:
    """A recorded name that stays inside the folder (a hand-edited record cannot point elsewhere)."""
    if not isinstance(name, str) or not name:
        return False
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts


def swap_in(folder: Path, out: Path) -> None:
    """Move every file of ``folder`` (a finished build, with its manifest) into ``out``.

    Each new file replaces the file of the same path (``os.replace``: atomic per file); a file that the
    previous build recorded in its manifest and the new one did not write is removed (so nothing of an
    older build lingers), and so is a folder left empty by that; anything else in ``out`` (a user's own
    file, even inside ``notebooks/`` or ``datos/``) stays untouched. The manifest moves last: a swap cut
    short never looks like a finished build (:func:`informe.construccion.huella.unchanged` compares every digest)."""
    folder, out = Path(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    previous = recorded(out)
    new = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())
    for name in sorted(new, key=lambda n: n == MANIFEST):
        if name == MANIFEST:
            for stale in sorted(previous - set(new), reverse=True):
                _remove_recorded(out, stale)
        target = out / name
        for parent in reversed(Path(name).parents[:-1]):  # the folders above the file, outermost first
            _make_dir(out, str(parent), previous)
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"No se puede escribir {target}: ya existe una carpeta con ese nombre que no escribió "
                              "una construcción de informe; quítela o renómbrela, o elija con --out otra carpeta.")
        os.replace(folder / name, target)
    if MANIFEST not in new:  # a build always writes one; without it, stale files are still removed
        for stale in sorted(previous - set(new), reverse=True):
            _remove_recorded(out, stale)


def _make_dir(out: Path, name: str, previous: set[str]) -> None:
    """Make folder ``out/name`` for new files; a file in the way is replaced only if we wrote it."""
    path = out / name
    if path.is_dir():
        return
    if path.exists() or path.is_symlink():
        if name not in previous:
            raise OutputError(f"No se puede crear la carpeta {path}: ya existe un archivo con ese nombre que no "
                              "escribió una construcción de informe; quítelo o renómbrelo, o elija con --out otra "
                              "carpeta.")
        path.unlink()
    path.mkdir()
    os.chmod(path, SHARED_DIR)


def _remove_recorded(out: Path, name: str) -> None:
    """Remove file ``out/name`` that a previous build wrote, and the folders that leaves empty."""
    path = out / name
    if path.is_dir() and not path.is_symlink():
        return  # a folder now: not the file we wrote
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    for parent in path.parents:
        if parent == out or out not in parent.parents:
            break
        try:
            parent.rmdir()  # only when empty
        except OSError:
            break


def keep_failed(notebook: Path, out: Path) -> Path:
    """Move the notebook of a failed build into ``out/fallidos/`` and record it there (so that
    :func:`clear_failed` removes it later and ``out`` is known to be ours). A user's own file of the same
    name is never replaced: the notebook then gets a numbered name. Returns where it was kept."""
    folder = Path(out) / FAILED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    record = _failed_record(folder)
    kept, n = folder / Path(notebook).name, 1
    while (kept.exists() or kept.is_symlink()) and kept.name not in record:
        n += 1
        kept = folder / f"{Path(notebook).stem}-{n}{Path(notebook).suffix}"
    os.replace(notebook, kept)
    record.add(kept.name)
    write_text_atomic(folder / FAILED_RECORD, json.dumps({"archivos": sorted(record)}, indent=1) + "\n")
    return kept


def clear_failed(out: Path) -> None:
    """A build succeeded in ``out``: remove the notebooks that failed builds kept in ``fallidos/`` (only those
    listed in its record), the record, and the folder if that leaves it empty."""
    folder = Path(out) / FAILED_DIR
    for name in _failed_record(folder):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            (folder / name).unlink()
    with contextlib.suppress(FileNotFoundError):
        (folder / FAILED_RECORD).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


def _failed_record(folder: Path) -> set[str]:
    try:
        record = json.loads((folder / FAILED_RECORD).read_text(encoding="utf-8"))
        names = record.get("archivos", []) if isinstance(record, dict) else []
    except (OSError, ValueError):
        return set()
    return {name for name in names if isinstance(name, str) and name and "/" not in name and name not in (".", "..")}
