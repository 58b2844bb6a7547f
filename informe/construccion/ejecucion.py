"""Execution of the parameterized notebooks with papermill, in a standard process pool.

Each notebook runs with the real :func:`papermill.execute_notebook` in a worker of a
:class:`concurrent.futures.ProcessPoolExecutor` (``spawn``: a fresh interpreter, never a
fork of a multi-threaded caller). Processes, not threads: papermill ``chdir``s for the whole
run and the working directory belongs to the process. Workers are reused, so importing
papermill (≈0.5 s) is paid once per worker. :func:`execute_job` is the unit of work; the
same function runs in ``informe lote``'s Dask workers.

Scheduling: at most ``workers`` jobs are submitted at a time, so on the first failure
no pending job starts, the running ones finish, and :class:`NotebookError` is raised.
Progress lines (start and end of each notebook) are emitted in the calling process.
Ctrl-C reaches the caller only (workers ignore SIGINT): the caller terminates the workers,
and their kernels, which watch their parent, exit with them.

Each worker keeps its kernel for its next notebook and resets it first (:mod:`informe.construccion.nucleos`);
a kernel that dies before running any cell is started again, once.

The kernel: ``kernel_name="python3"`` must mean *this* interpreter (the project's venv);
:func:`ensure_python_kernel` checks it and, if another ``python3`` spec would win, writes a
private kernel spec for ``sys.executable`` and puts it first in ``JUPYTER_PATH``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from informe.construccion import nucleos
from informe.construccion.salida import DISK_ERRNOS
from informe.escritura import atomic_path

__all__ = ["NotebookJob", "NotebookError", "run_notebooks", "execute_job", "payload", "ensure_python_kernel",
           "notebook_error"]


@dataclass
class NotebookJob:
    """One notebook execution: ``source`` is run with ``parameters`` and written to ``output``."""

    source: Path
    output: Path
    parameters: dict = field(default_factory=dict)
    label: str = ""
    weight: float = 1.0  # expected relative run time: the heaviest notebooks start first
    #: The notebook cache's key for it, when finer than its parameters (:func:`informe.construccion.huella.data_key`):
    #: the cache keeps and finds the notebook with ``huella`` set to this value.
    cache_key: str = ""

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
    tag = hashlib.sha1(sys.executable.encode()).hexdigest()[:10]  # stable across runs
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


# --------------------------------------------------------------------------- worker process

#: Extra kernel arguments for ipykernel: silence the kernel application's own log,
#: which only adds noise to the build output ("Kernel is running over TCP without
#: encryption" from every kernel; "KeyboardInterrupt caught in kernel" when
#: jupyter_client interrupts the kernel before shutting it down). Cell errors are
#: captured in the notebooks, and a crash at start-up is printed by the
#: interpreter itself, not through this log.
_IPYKERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]


def payload(job: NotebookJob, cwd: Path, kernel_name: str = "python3") -> dict:
    """What a worker needs to run ``job`` (plain, picklable values)."""
    return {
        "source": str(Path(job.source).absolute()),
        "output": str(Path(job.output).absolute()),
        "parameters": _jsonable(job.parameters),
        "cwd": str(Path(cwd).absolute()),
        "kernel_name": kernel_name,
        "extra_arguments": _IPYKERNEL_ARGS if kernel_name == "python3" else [],
    }
























def execute_job(source: str, output: str, parameters: dict, cwd: str, kernel_name: str,
                extra_arguments: list[str]) -> dict:
    """Execute one notebook (in a worker process). Returns a JSON-able dict: ``ok`` and, on
    failure, ``ename``, ``evalue``, ``executed_index``, ``execution_count``, ``traceback``.

    The kernel is kept for the worker's next notebook (same kernel, directory, arguments and
    environment) and reset before it: a new session, as in a new kernel, without paying a kernel
    start and the imports again (nbclient runs a notebook in a kernel it is given, ``km=``). A
    kernel whose notebook failed is shut down, never reused. A kernel that dies before running
    any cell is replaced, once.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError, strip_color

    Path(output).parent.mkdir(parents=True, exist_ok=True)
    key = nucleos.key(kernel_name, cwd, extra_arguments)
    for attempt in (1, 2):
        kernel = None
        try:
            kernel, used = nucleos.take(key)
            hooks = {"on_notebook_start": nucleos.reset_on_start(kernel.manager)} if used else {}
            # request_save_on_cell_execute=False: papermill writes the output notebook once, at the end
            # (or with the error), not at the start and end of every cell (≈ 30 writes of every output)
            pm.execute_notebook(source, output, parameters=parameters, cwd=cwd, kernel_name=kernel_name,
                                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                                km=kernel.manager, **hooks)
            nucleos.close_clients(kernel.manager)
            kernel.used = True
            tidy(Path(output))
        except PapermillExecutionError as exc:
            nucleos.discard(kernel)
            return {
                "ok": False,
                "ename": exc.ename,
                "evalue": exc.evalue,
                "executed_index": exc.cell_index,
                "execution_count": exc.exec_count,
                "traceback": [strip_color(line) for line in (exc.traceback or [])],
            }
        except Exception as exc:  # kernel died, unreadable notebook, missing file…
            if kernel is not None:
                nucleos.discard(kernel)
            if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:  # the disk failed, not the notebook
                return {"ok": False, "ename": type(exc).__name__, "evalue": str(exc).strip(), "executed_index": None,
                        "execution_count": None, "traceback": [],
                        "oserror": [exc.errno, exc.strerror, str(exc.filename or output)]}
            if attempt == 1 and _no_cell_ran(output):
                continue
            return {
                "ok": False,
                "ename": type(exc).__name__,
                "evalue": str(exc).strip(),
                "executed_index": None,
                "execution_count": None,
                "traceback": [],
            }
        nucleos.give_back(kernel)
        return {"ok": True, "retried": attempt > 1}
    raise AssertionError("unreachable")


#: The first line of the parameters cell papermill injects, in the project's language.
PARAMETERS_TITLE = ("# Parámetros de esta ejecución (los puso la construcción; reemplazan a los de la celda "
                    "anterior)")
#: What the fingerprint is, written under it in that cell.
FINGERPRINT_NOTE = ("# huella: resumen SHA-256 de las entradas ya validadas (datos, parámetros, narrativa); con él la "
                    "construcción sabe qué cambió y reutiliza lo demás")
#: The id of that cell (papermill draws a random one each run).
INJECTED_ID = "parametros-de-la-ejecucion"
#: A memory address in an output's plain-text fallback («<…Styler at 0x7f…>»): different in every run.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def tidy(path: Path) -> None:
    """The executed notebook as a reviewer reads it and as the same inputs always give it: the injected
    parameters cell as :func:`spanish_parameters` writes it, and no memory address in any output
    (papermill's timing metadata is the only thing left that changes between two runs)."""
    import nbformat

    nb = spanish_parameters(nbformat.read(str(path), as_version=4))
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            plain = out.get("data", {}).get("text/plain")
            if plain is not None:  # nbformat.read joins the lines: one string
                out["data"]["text/plain"] = ADDRESS.sub(">", plain)
    with atomic_path(path) as tmp:
        nbformat.write(nb, str(tmp))


def spanish_parameters(nb):
    """``nb`` with the parameters cell papermill injected in Spanish, saying what the fingerprint is, with a
    fixed id (papermill draws a random one). The notebook cache keys a notebook by its cells as papermill
    will run them, made the same way (:meth:`informe.construccion.cache.NotebookCache.restore`)."""
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            lines = [PARAMETERS_TITLE if line.strip() == "# Parameters" else line for line in cell.source.splitlines()]
            at = next((i for i, line in enumerate(lines) if line.startswith("huella = ")), None)
            if at is not None and FINGERPRINT_NOTE not in lines:
                lines.insert(at + 1, FINGERPRINT_NOTE)
            cell.source = "\n".join(lines) + "\n"
            cell["id"] = INJECTED_ID
    return nb


def _no_cell_ran(output: str) -> bool:
    """True when papermill wrote no executed cell (the kernel failed while starting) or nothing at all."""
    try:
        nb = json.loads(Path(output).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not any(c.get("execution_count") for c in nb.get("cells", []) if c.get("cell_type") == "code")


def _init_worker() -> None:
    """Runs once in each pool worker (started with SIGINT blocked, see :func:`_sigint_deferred`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy warning in kernels
    # jsonschema (imported by nbformat) optionally imports rfc3987_syntax, which compiles a
    # Lark grammar at import time (≈1.4 s); the notebook schema never uses its IRI checks.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import papermill  # noqa: F401  (once per worker)


def _source_cell_index(output: Path, executed_index: int | None) -> int | None:
    """Map papermill's cell index (in the executed notebook, which has the extra
    injected-parameters cell) to the index in the source notebook."""
    if executed_index is None:
        return None
    def tags(cell: dict) -> list:
        return cell.get("metadata", {}).get("tags", [])

    try:
        cells = json.loads(Path(output).read_text(encoding="utf-8"))["cells"]
        # papermill wrote an error banner at 0 and an anchor before the failing cell
        cells = [c for c in cells if "papermill-error-cell-tag" not in tags(c)]
        injected = sum(1 for c in cells[:executed_index] if "injected-parameters" in tags(c))
        return executed_index - injected
    except Exception:
        return executed_index


def notebook_error(job: NotebookJob, result: dict, cwd: Path | None = None) -> NotebookError | OSError:
    """What a failed :func:`execute_job` ``result`` means to the user: a :class:`NotebookError` naming the
    failing cell of the source notebook, or, when the notebook could not be written (a full disk…), that
    :class:`OSError`, with the path."""
    if result.get("oserror"):
        return OSError(*result["oserror"])
    return NotebookError(job, job.output, result.get("ename", "Error"), result.get("evalue", ""),
                         cell_index=_source_cell_index(job.output, result.get("executed_index")),
                         execution_count=result.get("execution_count"), traceback=result.get("traceback"), cwd=cwd)


def _jsonable(parameters: dict) -> dict:
    # Same convention as papermill for non-JSON values (Path, date…): their str().
    return json.loads(json.dumps(dict(parameters), default=str))


# --------------------------------------------------------------------------- API


def _ready() -> bool:
    return True


@contextlib.contextmanager
def _sigint_deferred():
    """Hold a Ctrl-C while the pool starts its workers: it then arrives once they are running,
    never in the middle of handing a new worker its start-up data, and the workers (and the pool's
    threads) start with SIGINT blocked until they ignore it."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _warm_kernel(kernel_name: str, cwd: str, extra_arguments: list[str]) -> None:
    """Start this worker's kernel, with the imports done, ready for its first notebook."""
    kernel, _ = nucleos.take(nucleos.key(kernel_name, cwd, extra_arguments))
    nucleos.give_back(kernel)


def start_pool(workers: int, *, cwd: Path | None = None, kernel_name: str = "python3") -> ProcessPoolExecutor:
    """``workers`` worker processes, started now; each then starts its kernel and makes the imports in
    the background, while the caller prepares what the notebooks read. For :func:`run_notebooks`'s
    ``pool``; the caller shuts it down."""
    from informe.config import ROOT

    cwd = Path(cwd) if cwd is not None else ROOT
    kernel_name = ensure_python_kernel(kernel_name)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)
    with _sigint_deferred():  # every worker fully started before the first task (and any Ctrl-C)
        for started in [pool.submit(_ready) for _ in range(workers)]:
            started.result()
    extra = _IPYKERNEL_ARGS if kernel_name == "python3" else []
    for _ in range(workers):
        pool.submit(_warm_kernel, kernel_name, str(cwd.absolute()), extra)
    return pool


def run_notebooks(
    jobs: list[NotebookJob],
    *,
    workers: int = 2,
    cwd: Path | None = None,
    kernel_name: str = "python3",
    progress: Callable[[str], None] = print,
    pool: ProcessPoolExecutor | None = None,
    when_done: Callable[[NotebookJob], None] | None = None,
) -> list[Path]:
    """Execute all jobs with papermill, at most ``workers`` at a time; return the output paths in
    the order of ``jobs``.

    ``cwd`` (default :data:`informe.config.ROOT`) is the working directory of the kernels.
    Progress: one line when each notebook starts (``[3/11] VII. Objetivo 1 …``) and one when it
    ends (``[3/11] VII. Objetivo 1 … 2.4 s``). On the first failure no pending job is started, the
    running ones are awaited, and :class:`NotebookError` is raised for the first failing notebook;
    papermill keeps the executed notebook with the error at the job's ``output``. A notebook that could
    not be written (a full disk, a read-only file system: :data:`informe.construccion.salida.DISK_ERRNOS`) did not fail:
    that :class:`OSError` is raised instead, with the path it could not write.

    ``pool``: workers already started with :func:`start_pool` (same ``cwd`` and ``kernel_name``),
    left running; by default a pool is started here and shut down at the end. ``when_done(job)`` is called
    here, while the others run, as each notebook ends without error. The heaviest jobs (``weight``)
    start first, so that no long notebook runs alone at the end.
    """
    from informe.config import ROOT

    jobs = list(jobs)
    if not jobs:
        return []
    cwd = Path(cwd) if cwd is not None else ROOT
    kernel_name = ensure_python_kernel(kernel_name)
    payloads = [payload(job, cwd, kernel_name) for job in jobs]
    total = len(jobs)

    def tag(i: int) -> str:
        return f"[{i + 1}/{total}] {jobs[i].label}"

    n_workers = max(1, min(int(workers), total))
    own_pool = pool is None
    if own_pool:
        pool = start_pool(n_workers, cwd=cwd, kernel_name=kernel_name)
    pending = sorted(range(total), key=lambda i: -jobs[i].weight)
    running: dict[Future, tuple[int, float]] = {}
    failure: NotebookError | OSError | None = None
    try:
        while pending or running:
            while pending and len(running) < n_workers and failure is None:
                i = pending.pop(0)
                progress(f"{tag(i)} …")
                running[pool.submit(execute_job, **payloads[i])] = (i, time.perf_counter())
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
                except BrokenProcessPool as exc:
                    result = {"ok": False, "ename": "WorkerDied", "evalue": f"el proceso de ejecución terminó "
                              f"inesperadamente ({exc})", "executed_index": None, "execution_count": None,
                              "traceback": []}
                if result["ok"]:
                    retried = " (el núcleo no arrancó a la primera; se reintentó)" if result.get("retried") else ""
                    progress(f"{tag(i)} … {elapsed:.1f} s{retried}")
                    if when_done is not None:
                        when_done(jobs[i])
                    continue
                progress(f"{tag(i)} … ERROR tras {elapsed:.1f} s")
                if failure is None:
                    failure = notebook_error(jobs[i], result, cwd)
    except BaseException:  # Ctrl-C or a bug: stop the workers now (their kernels exit with them)
        for process in multiprocessing.active_children():
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    if own_pool:
        pool.shutdown(wait=True)
    if failure is not None:
        raise failure
    return [job.output for job in jobs]
