"""Execution of the parameterized notebooks with papermill.

Design
------
Each notebook runs with the real :func:`papermill.execute_notebook` inside a
**separate worker process** (:class:`concurrent.futures.ProcessPoolExecutor`
with the ``spawn`` start method), never in threads of the calling process.

Why processes and not threads: papermill drives the kernel through nbclient,
which runs its own asyncio loop and zmq sockets; nbclient/jupyter_client keep
per-process state (event loops, the zmq context, signal handlers for kernel
interruption) that is not designed to be shared by several threads. Measured
here, both work for toy notebooks, but a thread pool couples every notebook to
the caller's event loop and zmq context (e.g. when the build is launched from
Jupyter itself) while processes isolate them completely, and the cost is small
(importing papermill once per worker, ≈0.5 s, paid in parallel). ``spawn`` is
used instead of ``fork`` because forking a process that already has threads
(zmq, an IPython kernel, a GUI) can deadlock.

Scheduling is done by hand — at most ``workers`` jobs are submitted at any
time — so that on the first failure no pending job is started (the executor's
own queue would already have handed one extra job to a worker). Progress
lines are printed in the calling process, so ``progress`` can be any callable.

The kernel: ``kernel_name="python3"`` must mean *this* interpreter (the
project's venv). jupyter_client replaces a spec whose ``argv[0]`` is
``python``/``python3`` with ``sys.executable``, and the venv's own
``share/jupyter/kernels/python3`` comes first in the search path, so normally
nothing has to be done; :func:`ensure_python_kernel` checks it and, if another
``python3`` spec pointing to a different interpreter would win, writes a
private kernel spec for ``sys.executable`` and puts it first in
``JUPYTER_PATH`` (inherited by the workers and the kernels).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

__all__ = ["NotebookJob", "NotebookError", "run_notebooks", "ensure_python_kernel"]


@dataclass
class NotebookJob:
    """One notebook execution: ``source`` is run with ``parameters`` and written to ``output``."""

    source: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        self.source = Path(self.source)
        self.output = Path(self.output)
        if not self.label:
            self.label = self.source.stem


class NotebookError(Exception):
    """A notebook failed.

    Attributes: ``job`` (the :class:`NotebookJob`), ``output`` (path of the executed
    notebook kept with the error), ``ename``/``evalue`` (exception name and message of
    the failing cell), ``cell_index`` (0-based index of the failing cell in the *source*
    notebook, ``None`` if the failure was not in a cell, e.g. the kernel died or the
    notebook could not be read), ``execution_count`` (the ``In [n]`` shown in the
    executed notebook) and ``traceback`` (list of lines, without colours).
    """

    def __init__(
        self,
        job: NotebookJob,
        output: Path,
        ename: str,
        evalue: str,
        cell_index: int | None = None,
        execution_count: int | None = None,
        traceback: list[str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.job = job
        self.output = Path(output)
        self.ename = ename
        self.evalue = evalue
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.traceback = list(traceback or [])
        self._cwd = cwd
        super().__init__(self._message())

    def _message(self) -> str:
        source = _display_path(self.job.source, self._cwd)
        where = f", celda {self.cell_index + 1}" if self.cell_index is not None else ""
        if self.execution_count is not None:
            where += f" (In [{self.execution_count}])"
        error = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        if self.output.exists():
            kept = f"el cuaderno ejecutado con el error se conservó en {_display_path(self.output, self._cwd)}"
        else:
            kept = "no se generó el cuaderno ejecutado"
        return f"Falló el cuaderno «{self.job.label}» ({source}){where}: {error} — {kept}"

    def __reduce__(self):  # picklable, e.g. across processes
        return (
            NotebookError,
            (self.job, self.output, self.ename, self.evalue, self.cell_index,
             self.execution_count, self.traceback, self._cwd),
        )


def _display_path(path: Path, cwd: Path | None) -> str:
    """``path`` relative to ``cwd`` when it is inside it, otherwise as given."""
    path = Path(path)
    if cwd is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(cwd)).as_posix()
        except ValueError:
            pass
    return str(path)


# --------------------------------------------------------------------------- kernel


def _is_this_python(argv0: str) -> bool:
    major, minor = sys.version_info[:2]
    if argv0 in {"python", f"python{major}", f"python{major}.{minor}"}:
        return True  # jupyter_client substitutes sys.executable
    try:
        return os.path.samefile(argv0, sys.executable)
    except OSError:
        return False


def ensure_python_kernel(kernel_name: str = "python3") -> str:
    """Make sure ``kernel_name`` (only for ``python3``) launches ``sys.executable``.

    Returns the kernel name to pass to papermill. If the spec that jupyter_client
    would pick runs another interpreter (or there is none), a private spec for
    ``sys.executable`` is written under the temp dir and prepended to ``JUPYTER_PATH``.
    """
    if kernel_name != "python3":
        return kernel_name
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
        if spec.argv and _is_this_python(spec.argv[0]):
            return kernel_name
    except NoSuchKernel:
        pass
    tag = abs(hash(sys.executable)) % 10**8
    base = Path(tempfile.gettempdir()) / f"informe-jupyter-{os.getuid() if hasattr(os, 'getuid') else 0}-{tag}"
    kdir = base / "kernels" / kernel_name
    kdir.mkdir(parents=True, exist_ok=True)
    spec_json = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python 3 ({sys.prefix})",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (kdir / "kernel.json").write_text(json.dumps(spec_json, indent=1), encoding="utf-8")
    current = os.environ.get("JUPYTER_PATH", "")
    if str(base) not in current.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(base), current) if p)
    return kernel_name


# --------------------------------------------------------------------------- worker


def _worker_init() -> None:
    # Silence debugpy's "frozen modules" warning printed by every Python ≥3.11 kernel.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import papermill  # noqa: F401  (pay the import once per worker)


def _execute_one(source: str, output: str, parameters: dict, cwd: str, kernel_name: str) -> dict:
    """Runs in a worker process. Returns a plain dict (exceptions from papermill
    do not always survive pickling)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            source,
            output,
            parameters=parameters,
            cwd=cwd,
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        from papermill.exceptions import strip_color

        return {
            "ok": False,
            "ename": exc.ename,
            "evalue": exc.evalue,
            "executed_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "traceback": [strip_color(line) for line in (exc.traceback or [])],
            "elapsed": time.perf_counter() - t0,
        }
    except BaseException as exc:  # kernel died, bad notebook, missing file…
        return {
            "ok": False,
            "ename": type(exc).__name__,
            "evalue": str(exc).strip(),
            "executed_index": None,
            "execution_count": None,
            "traceback": [],
            "elapsed": time.perf_counter() - t0,
        }
    return {"ok": True, "elapsed": time.perf_counter() - t0}


def _source_cell_index(output: Path, executed_index: int | None) -> int | None:
    """Map papermill's cell index (in the executed notebook, which has the extra
    injected-parameters cell) to the index in the source notebook."""
    if executed_index is None:
        return None
    try:
        import nbformat

        nb = nbformat.read(str(output), as_version=4)
        # papermill writes the error banner at 0 and an anchor cell before the failing one
        cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
        injected = sum(
            1 for c in cells[:executed_index] if "injected-parameters" in c.metadata.get("tags", [])
        )
        return executed_index - injected
    except Exception:
        return executed_index


# --------------------------------------------------------------------------- API


def run_notebooks(
    jobs: list[NotebookJob],
    *,
    workers: int = 2,
    cwd: Path | None = None,
    kernel_name: str = "python3",
    progress: Callable[[str], None] = print,
) -> list[Path]:
    """Execute all jobs with papermill in a pool of ``workers`` processes and return
    the output paths in the same order as ``jobs``.

    Progress: one line when each notebook starts (``[3/11] VII. Objetivo 1 …``) and
    one when it ends (``[3/11] VII. Objetivo 1 … 2.4 s``). On the first failure no
    pending job is started, the running ones are awaited, and :class:`NotebookError`
    is raised for the (first) failing notebook; papermill keeps the executed notebook
    with the error at the job's ``output``.
    """
    from informe.config import ROOT

    jobs = list(jobs)
    if not jobs:
        return []
    cwd = Path(cwd) if cwd is not None else ROOT
    kernel_name = ensure_python_kernel(kernel_name)
    total = len(jobs)
    width = len(str(total))
    workers = max(1, min(int(workers), total))

    def tag(i: int) -> str:
        return f"[{i + 1:>{width}}/{total}] {jobs[i].label}"

    pending = list(range(total))
    running: dict[Future, tuple[int, float]] = {}
    failure: NotebookError | None = None
    ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)
    try:
        while pending or running:
            while pending and len(running) < workers and failure is None:
                i = pending.pop(0)
                job = jobs[i]
                progress(f"{tag(i)} …")
                fut = pool.submit(
                    _execute_one,
                    str(job.source),
                    str(job.output),
                    dict(job.parameters),
                    str(cwd),
                    kernel_name,
                )
                running[fut] = (i, time.perf_counter())
            if failure is not None and pending:
                progress(f"Se omiten {len(pending)} cuaderno(s) pendiente(s) por el error anterior.")
                pending.clear()
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i, t0 = running.pop(fut)
                elapsed = time.perf_counter() - t0
                try:
                    result = fut.result()
                except BaseException as exc:  # the worker process itself died
                    result = {"ok": False, "ename": type(exc).__name__, "evalue": str(exc),
                              "executed_index": None, "execution_count": None, "traceback": []}
                if result["ok"]:
                    progress(f"{tag(i)} … {elapsed:.1f} s")
                    continue
                progress(f"{tag(i)} … ERROR tras {elapsed:.1f} s")
                if failure is None:
                    job = jobs[i]
                    failure = NotebookError(
                        job,
                        job.output,
                        result["ename"],
                        result["evalue"],
                        cell_index=_source_cell_index(job.output, result["executed_index"]),
                        execution_count=result["execution_count"],
                        traceback=result["traceback"],
                        cwd=cwd,
                    )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failure is not None:
        raise failure
    return [job.output for job in jobs]
