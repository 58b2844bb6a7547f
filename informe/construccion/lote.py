"""``informe lote``: every agency of the state in one run, on Dask distributed, plus a consolidated report.

``informe lote --year Y [--out DIR] [--scheduler tcp://HOST:8786] [--workers N] DIR…`` = :func:`lote`.
Each DIR is an agency's data folder (it has ``dependencia.yaml``) or a folder of agency folders. With several
years (``--year 2023-2025``) every agency is built for each year in the same run, each year in ``<out>/<Y>/``
(``--out`` by default ``outputs/lote_<Y1>-<Yn>/``), and an agency without results for a year is listed as such.

Outputs of a year (``--out``, by default ``outputs/lote_<Y>/``):

* ``<carpeta>/`` per agency, named after its data folder, with the layout of ``informe construir --out``:
  ``informe_<Y>.html``/``.pdf``, ``datos/``, ``notebooks/``, ``calidad_<Y>.html`` (and ``fallidos/``
  with the notebook that failed, if one did);
* ``consolidado_<Y>.html`` and ``consolidado_<Y>.csv``: one row per agency (indicadores, con avance,
  sin avance, igual, sin información, no aplica, % con avance, link to its report), or its error;
* the state's report, ``estado_<Y>.html`` and ``.pdf`` (:mod:`informe.construccion.estado`: notebooks,
  nbconvert, Chromium, built by a task of the same run once every agency of the year is settled), the pages of
  its executed notebooks (``cuadernos_estado_<Y>/``) and the state's dataset (``datos_estado_<Y>/``:
  ``estado_<Y>.csv`` and ``.xlsx``, ``estado_resumen_<Y>.csv``, ``datapackage.json``).

Parameters of each agency: ``<carpeta>/params/<Y>.yaml`` if present, else the project's
``params/<Y>.yaml`` if present, else the defaults (``anio: Y``; see :mod:`informe.datos.parametros`).

Task graph, per agency (fine-grained, so the workers stay busy across agencies)::

    prepare(A) ──► the caller submits A's notebooks ──► nb(A,1) nb(A,2) … nb(A,n) ──┐
        └───────────────────────────────────────────────────────────────────────────┴─► finish(A)

Each task is a step of :mod:`informe.construccion.pasos`, the steps ``informe construir`` calls in a row:

* :func:`prepare_agency`, the first task of each agency: the fingerprints (an agency whose inputs are
  those of its report in ``<out>/<carpeta>`` is settled "sin cambios" and nothing else runs), the
  validation (``entradas.year_inputs``: every blocker at once, as ``informe validar``; the data are
  read and validated once, here) and :func:`~informe.construccion.pasos.prepare` (the validated inputs
  for the kernels, the notebook jobs — those whose inputs are unchanged restored from the notebook cache
  —, the open data and the quality review);
* one task per notebook execution (:func:`run_notebook` → :func:`informe.construccion.pasos.run_notebook`:
  papermill in the worker process, in the worker's kernel, reset between notebooks), submitted by the
  caller when the agency's preparation comes back; each successful notebook goes into the notebook cache
  at once; a failure is named as ``informe construir`` names it, with its cell
  (:func:`~informe.construccion.pasos.failure`);
* :func:`finish_agency`, which depends on the preparation and on the agency's notebook futures (Dask
  starts it as soon as the last notebook is done): :func:`~informe.construccion.pasos.assemble`
  (provenance, HTML, the PDF — the previous one kept when nothing it is printed from changed — and the
  record of the build);
* priorities: every finishing task first; then agency by agency in the order given (results arrive
  steadily), inside an agency the heaviest notebooks first; the next agency's preparation comes right
  after the notebooks of the agency before it, so it runs while the last of those notebooks finish.

Every piece of an agency's work is a task: the number of workers governs all the CPU work of the run.
The caller only takes each agency's lock and staging directory, submits tasks, collects their results,
moves each finished report into place, prints progress and writes the consolidated report; it never
reads an agency's data.

As ``informe construir``, a notebook whose inputs are unchanged comes from the build cache (jupyter-cache,
:data:`informe.config.CACHE_DIR`), so after a correction only what depends on it runs again. The tasks
use the cache of their worker's environment: on a real cluster every worker needs it at the same path
(``INFORME_CACHE``) on a shared disk.

Each agency is written into a staging directory beside ``<out>/<carpeta>`` (made by the caller, which
holds the agency's lock) and swapped in by the caller only when the agency's report is complete
(``salida.staging`` / :func:`~informe.construccion.pasos.settle`, as ``informe construir``): a failed agency keeps its previous
outputs. One failing agency (invalid data, a failing notebook, a crashed worker) never stops the
others: its pending tasks are cancelled, it is listed in the consolidated report with its error, and
the exit code is 1 (2 when every agency failed validation). Progress: one line per finished or failed
agency, in order of completion, printed by the caller.

Tasks are plain module-level functions with plain arguments (strings, dicts, dataclasses of paths), so
they pickle to any worker; the workers import ``informe`` from their own environment. On a real cluster every worker
needs the project installed and the data and output folders at the same paths as the caller.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import functools
import io
import logging
import os
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from informe import config
from informe.construccion import huella, pasos
from informe.construccion.ejecucion import NotebookJob
from informe.construccion.salida import (
    DISK_ERRNOS,
    build_lock,
    claim_lote_output,
    claim_output,
    io_error,
    staging,
)
from informe.problemas import InformeError

__all__ = ["Agency", "Outcome", "find_agencies", "params_for", "lote", "prepare_agency", "run_notebook",
           "finish_agency", "consolidated_rows", "COUNTS", "CSV_COLUMNS"]

#: The summary counts of each agency (columns of ``datos/resumen_<Y>.csv``), in order.
COUNTS = pasos.COUNTS
#: Columns of ``consolidado_<Y>.csv``.
CSV_COLUMNS = ["dependencia", "carpeta", "estado", *COUNTS, "con_avance_pct", "informe_html", "informe_pdf",
               "error"]
#: Lines of an agency's problems kept in its error (the rest are counted).
ERROR_LINES = 3
#: Seconds to wait for a ``--scheduler`` to answer as a Dask scheduler.
CONNECT_TIMEOUT = 30
#: The agency file, and the names it is sometimes given by mistake (named in the output, never skipped).
AGENCY_FILE = "dependencia.yaml"


@dataclass
class Agency:
    """One agency's data folder; ``name`` is its output folder (the data folder's name)."""

    path: Path
    name: str
    problem: str = ""  # why it cannot be built before anything runs (a misnamed dependencia.yaml)


@dataclass
class Outcome:
    """What happened to one agency: built (``ok``) with its counts and report files, or its error lines."""

    agency: Agency
    nombre: str
    gobierno: str = ""
    ok: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # html / pdf, relative to <out>
    error: list[str] = field(default_factory=list)
    validation: bool = False  # failed validation (no notebook was submitted)
    sin_resultados: bool = False  # the agency has no results for the year: not built, not a failure
    anio: int = 0
    unchanged: bool = False  # same inputs as its report in the output folder: not rebuilt
    seconds: float = 0.0


# --------------------------------------------------------------------------- inputs


def find_agencies(dirs: list[Path | str]) -> list[Agency]:
    """The agencies named by ``dirs``: a folder with ``dependencia.yaml`` is one agency; otherwise its
    sub-folders with ``dependencia.yaml`` (sorted by name; hidden folders skipped) are.

    Raises :class:`InformeError` for a folder that is neither, or two agencies with the same folder
    name (they would write to the same output folder)."""
    found: list[Agency] = []
    seen: set[Path] = set()
    for given in dirs:
        folder = Path(given)
        if not folder.is_dir():
            raise InformeError(f"No existe la carpeta {folder}.")
        if (folder / AGENCY_FILE).is_file() or _misnamed(folder):
            candidates = [folder]
        else:
            candidates = [child for child in sorted(folder.iterdir(), key=lambda p: p.name)
                          if child.is_dir() and not child.name.startswith(".")
                          and ((child / AGENCY_FILE).is_file() or _misnamed(child))]
            if not candidates:
                raise InformeError(f"{folder} no es la carpeta de datos de una dependencia (no tiene "
                                   "dependencia.yaml) ni contiene carpetas de dependencias.")
        for path in candidates:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            wrong = None if (path / AGENCY_FILE).is_file() else _misnamed(path)
            found.append(Agency(path, resolved.name, problem=(
                f"{path / wrong}: el archivo de la dependencia debe llamarse exactamente «{AGENCY_FILE}»; "
                "cámbiele el nombre." if wrong else "")))
    names: dict[str, Path] = {}
    for agency in found:
        if agency.name in names:
            raise InformeError(f"Dos dependencias con la misma carpeta «{agency.name}» ({names[agency.name]} y "
                               f"{agency.path}): cada informe se escribe en <salida>/{agency.name}/; cambie el "
                               "nombre de una de las carpetas.")
        names[agency.name] = agency.path
    return found


def _misnamed(folder: Path) -> str | None:
    """The name of a file of ``folder`` meant to be ``dependencia.yaml`` but named otherwise
    (``dependencia.yml``, ``Dependencia.yaml``, ``dependencia.yaml.txt``…), if there is one."""
    for child in sorted(folder.iterdir(), key=lambda p: p.name):
        name = child.name.lower()
        if child.is_file() and child.name != AGENCY_FILE and name.startswith("dependencia.") and \
                name.removesuffix(".txt").endswith((".yaml", ".yml")):
            return child.name
    return None


def params_for(agency_dir: Path | str, year: int) -> Path | None:
    """The agency's parameters file: ``<agency>/params/<Y>.yaml``, else the project's ``params/<Y>.yaml``,
    else ``None`` (the defaults, ``anio: Y``)."""
    path = config.params_file(year, agency_dir)
    return path if path.is_file() else None


def _identity(agency: Agency, dataset=None) -> tuple[str, str]:
    """The agency's ``nombre`` (else its folder name) and ``gobierno``, from the dataset or, when the data
    are invalid, from dependencia.yaml if it can be read."""
    if dataset is not None:
        values = dataset.dependencia
    else:
        from informe.datos.lectura import read_yaml

        try:
            values, _ = read_yaml(agency.path / "dependencia.yaml", root=agency.path)
        except Exception:  # noqa: BLE001 — unreadable: the validation problems say why
            values = None
        values = values if isinstance(values, dict) else {}

    def text(key: str) -> str:
        value = values.get(key)
        return value.strip() if isinstance(value, str) else ""

    return text("nombre") or agency.name, text("gobierno")


def first_lines(lines: list[str], total: int | None = None) -> list[str]:
    """The first :data:`ERROR_LINES` lines, and how many more there are."""
    total = len(lines) if total is None else total
    kept = [line for line in lines if line.strip()][:ERROR_LINES]
    if total > len(kept):
        kept.append(f"… y {total - len(kept)} más.")
    return kept


# --------------------------------------------------------------------------- Dask tasks (run on workers)

_worker_ready = False
#: papermill chdir()s for a whole notebook run and the working directory belongs to the process: in a
#: worker started with several threads, notebooks of this process still run one at a time.
_notebook_lock = threading.Lock()

#: What :func:`prepare_agency` found (its result's ``estado``).
UNCHANGED, INVALID, FAILED, READY, NO_RESULTS = "sin cambios", "invalido", "error", "listo", "sin resultados"


def _prepare_worker() -> None:
    """Once per worker process: the kernel spec for this interpreter, and quiet kernels."""
    global _worker_ready
    if _worker_ready:
        return
    from informe.construccion.ejecucion import ensure_python_kernel

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy warning in kernels
    # jsonschema (imported by nbformat) optionally imports rfc3987_syntax, which compiles a grammar at
    # import time (≈1.4 s); the notebook schema never uses its IRI checks (as informe.construccion.ejecucion does).
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    ensure_python_kernel()
    _worker_ready = True


@functools.lru_cache(maxsize=None)
def _notebook_cache(folder: str):
    """The build cache of this worker's environment (one per process: its database is opened once, under
    a lock: :attr:`informe.construccion.cache.NotebookCache.cache`)."""
    from informe.construccion.cache import NotebookCache

    cache = NotebookCache(Path(folder))
    cache.cache  # noqa: B018 — opened now, once
    return cache


def prepare_agency(spec: dict) -> dict:
    """Dask task, the first of each agency: steps 1 and 2 of :mod:`informe.construccion.pasos`.

    ``spec``: ``path`` and ``name`` (the :class:`Agency`), ``year``, ``formats``, ``out`` (the agency's
    output folder), ``stage`` (its staging directory, made by the caller) and ``notebooks_dir``.

    Returns ``estado`` (:data:`UNCHANGED`, :data:`INVALID`, :data:`FAILED` or :data:`READY`), ``nombre`` and
    ``gobierno``; when unchanged, ``counts`` (the ``total`` row of ``datos/resumen_<Y>.csv``); when invalid or
    failed, ``error`` (the lines for the consolidated report: the data's problems, or what failed while writing
    the open data, the quality review…); when ready, ``report`` (:class:`~informe.construccion.pasos.Report`),
    ``prepared`` (:class:`~informe.construccion.pasos.Prepared`) and ``key`` (the build's fingerprint)."""
    _prepare_worker()
    agency, year, out = Agency(Path(spec["path"]), spec["name"]), spec["year"], Path(spec["out"])
    params_path = params_for(agency.path, year)
    notebook_key, key = pasos.fingerprints(agency.path, params_path, year, spec["formats"])
    if huella.unchanged(out, key):  # as `informe construir`: nothing to redo for this agency
        nombre, gobierno = _identity(agency)
        return {"estado": UNCHANGED, "nombre": nombre, "gobierno": gobierno,
                "counts": pasos.read_summary(out / "datos" / f"resumen_{year}.csv")}

    from informe.datos.entradas import only_missing_year, year_inputs

    inputs = year_inputs(agency.path, year, params_path, params_required=params_path is not None)
    if only_missing_year(inputs.problems, year):
        nombre, gobierno = _identity(agency)
        return {"estado": NO_RESULTS, "nombre": nombre, "gobierno": gobierno,
                "error": [f"Sin resultados para {year}: no se construye su informe de ese año."]}
    if inputs.problems:
        nombre, gobierno = _identity(agency)
        lines = [f"Datos inválidos: {len(inputs.problems)} problema(s)."]
        lines += first_lines([str(p) for p in inputs.problems])
        return {"estado": INVALID, "nombre": nombre, "gobierno": gobierno, "error": lines}
    nombre, gobierno = _identity(agency, inputs.dataset)
    report = pasos.Report(agency.path, year, params_path, out, Path(spec["stage"]), spec["formats"],
                          notebooks_dir=Path(spec["notebooks_dir"]))
    try:
        prepared = pasos.prepare(report, inputs.dataset, inputs.params, notebook_key,
                                 _notebook_cache(str(config.CACHE_DIR)))
    except Exception as exc:  # noqa: BLE001 — reported with the agency's name, as any failure of one agency
        return {"estado": FAILED, "nombre": nombre, "gobierno": gobierno,
                "error": [f"No se pudo preparar el informe: {_exception_text(exc)}"]}
    return {"estado": READY, "nombre": nombre, "gobierno": gobierno, "report": report, "prepared": prepared,
            "key": key}


def run_notebook(job: NotebookJob) -> dict:
    """Dask task: step 3 of :mod:`informe.construccion.pasos` for ONE notebook, in this worker's kernel, kept in
    the notebook cache at once when it succeeds. Returns its result (``ok``, ``seconds``; or the error)."""
    _prepare_worker()
    with _notebook_lock:
        return pasos.run_notebook(job, _notebook_cache(str(config.CACHE_DIR)))


def finish_agency(prepared: dict, *results: dict) -> dict:
    """Dask task, after all of an agency's notebooks (``results``: of those that ran, in the order they were
    submitted): step 4 of :mod:`informe.construccion.pasos` (provenance, HTML, PDF — the previous one kept when
    nothing it is printed from changed — and the manifest) in the agency's staging directory. ``prepared``: the
    result of :func:`prepare_agency`. Returns ``ok`` and timings, or the first failing notebook's index among
    ``results``."""
    for index, result in enumerate(results):
        if not result.get("ok"):
            return {"ok": False, "failed": index}
    done = pasos.assemble(prepared["report"], prepared["prepared"], prepared["key"])
    return {"ok": True, "html_seconds": done["html_seconds"], "pdf_seconds": done["pdf_seconds"]}


# --------------------------------------------------------------------------- the cluster


def _reach(scheduler: str) -> None:
    """Return once ``scheduler`` answers Dask's handshake; else an :class:`InformeError` within
    :data:`CONNECT_TIMEOUT` seconds. Dask's own connect bounds the connection, not the handshake after it: a
    port that accepts and never answers would hold ``Client(...)`` forever."""
    import asyncio

    from distributed.comm import connect
    from distributed.security import Security

    async def handshake() -> None:
        comm = await asyncio.wait_for(
            connect(scheduler, timeout=CONNECT_TIMEOUT, **Security().get_connection_args("client")), CONNECT_TIMEOUT)
        await comm.close()

    try:  # in a thread of its own: the caller may be running an event loop (a notebook)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, handshake()).result()
        return
    except (asyncio.TimeoutError, OSError) as exc:  # refused, unreachable, silent, closed, bad TLS
        what = f"no respondió como un planificador de Dask en {CONNECT_TIMEOUT} s"
        cause = f" ({_exception_text(exc)})" if str(exc).strip() else ""
    except Exception:  # noqa: BLE001 — an answer in another protocol (HTTP, SSH…) fails in any way
        what, cause = "respondió, pero no como un planificador de Dask (su respuesta es de otro protocolo)", ""
    raise InformeError(
        f"No se pudo usar el planificador de Dask {scheduler}: {what}{cause}. ¿Está en marcha «dask scheduler» en "
        "esa dirección y puerto, y se llega a ella desde esta máquina? Un clúster con TLS (tls://…) necesita los "
        "certificados en la configuración de Dask (DASK_DISTRIBUTED__COMM__TLS__CA_FILE, …__CLIENT__CERT y "
        "…__CLIENT__KEY).")


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int):
    """A Dask client: to ``scheduler`` if given, else to a :func:`private_cluster` of ``workers`` processes;
    closed (workers and all) on exit."""
    from distributed import Client

    if scheduler:
        _reach(scheduler)
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s")
        except Exception as exc:  # noqa: BLE001 — it answered the handshake a moment ago: said in one line
            raise InformeError(f"No se pudo usar el planificador de Dask {scheduler}: {_exception_text(exc)}.") from None
        try:
            yield client, f"clúster {scheduler}"
        finally:
            client.close()
        return
    with private_cluster(workers) as (cluster, security):
        client = Client(cluster, security=security)
        try:
            yield client, f"Dask local, {workers} trabajador(es) de 1 hilo"
        finally:
            client.close()


#: Dask configuration of :func:`private_cluster`: its HTTP ports serve nothing.
NO_HTTP_ROUTES = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}


@contextlib.contextmanager
def private_cluster(workers: int):
    """(cluster, security) of a LocalCluster of ``workers`` processes of one thread each that only this process
    can use, closed on exit.

    Private: it listens on 127.0.0.1 only and speaks TLS with credentials made for this run and kept in
    memory (a throw-away certificate authority, ``Security.temporary()``), required of every connection:
    another user of the machine can reach the port, not submit work. No HTTP dashboard, and no HTTP page at
    all: Dask's scheduler and workers open an HTTP port even without a dashboard, serving by default
    information pages, JSON, metrics, a proxy to the workers and the workers' logs to anyone on the
    machine, without credentials; here that port has no routes (every request is 404).
    """
    import dask
    from distributed import LocalCluster
    from distributed.security import Security

    # The worker processes start with SIGINT ignored (inherited): Ctrl-C reaches the whole process group,
    # and it is the caller's to handle, by closing the cluster (the kernels exit with their worker).
    security = Security.temporary()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        with dask.config.set(NO_HTTP_ROUTES):  # read when the scheduler and each nanny start
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   protocol="tls", security=security, dashboard_address=None,
                                   silence_logs=logging.ERROR)
    finally:
        if main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        yield cluster, security
    finally:
        cluster.close()


# --------------------------------------------------------------------------- the run

#: Task priorities (higher first). Agency ``i`` (in the order given) owns the band
#: ``[-i * AGENCY_BAND, -(i - 1) * AGENCY_BAND)``: its notebooks at the bottom (heaviest highest), its
#: preparation at the top, just below the notebooks of agency ``i - 1``. Every finishing task is above all.
AGENCY_BAND = 10**6
FINISH_PRIORITY = 10**12


def prepare_priority(rank: int) -> int:
    """The priority of the preparation of the agency of rank ``rank`` (0 = the first given)."""
    return -rank * AGENCY_BAND + AGENCY_BAND - 1


def notebook_priorities(rank: int, weights: list[float]) -> list[int]:
    """The priorities of an agency's notebooks: the heaviest first (no long tail), all below its preparation."""
    order = sorted(range(len(weights)), key=lambda k: (weights[k], -k))  # lightest first; ties in report order
    position = {k: n for n, k in enumerate(order)}
    return [-rank * AGENCY_BAND + 1 + position[k] for k in range(len(weights))]


@dataclass
class _Pending:
    """One agency of the run, until it is settled: its place, its futures and what its preparation said."""

    agency: Agency
    rank: int
    out: Path
    started: float
    nombre: str = ""
    gobierno: str = ""
    stage: Path | None = None
    prepare: object = None  # the futures of its tasks
    notebooks: list = field(default_factory=list)
    finish: object = None
    report: object = None  # pasos.Report and pasos.Prepared, once its preparation is back
    prepared: object = None

    def futures(self) -> list:
        return [f for f in (self.finish, *self.notebooks, self.prepare) if f is not None]


class _Run:
    """The caller's side of one ``informe lote``: submits each agency's tasks, settles agencies as their
    futures finish. No agency's data is read here: all of that work is done by the tasks."""

    def __init__(self, client, year, out, formats, progress, files: contextlib.ExitStack, total: int,
                 several: bool = False):
        self.client, self.year, self.out, self.formats, self.progress = client, year, out, formats, progress
        self.files, self.total, self.several = files, total, several
        self.outcomes: dict[str, Outcome] = {}
        self.pending: dict[str, _Pending] = {}  # by agency name
        self.by_key: dict[str, tuple[str, str, int | None]] = {}  # future key -> (agency, kind, notebook index)
        self.settled = 0
        self.run_id = uuid.uuid4().hex[:8]

    def _key(self, kind: str, agency: Agency, what: str = "") -> str:
        # The run id right after the kind: Dask groups the tasks by that prefix (one group of notebooks,
        # one of preparations), and schedules a large group's tasks by priority as workers free up.
        return f"{kind}-{self.run_id}-{self.year}-{agency.name}" + (f"-{what}" if what else "")

    # --- submission

    def submit(self, agency: Agency, rank: int) -> list:
        """Take ``agency``'s lock and staging directory and submit its preparation. Returns the futures."""
        entry = self.pending[agency.name] = _Pending(agency, rank, self.out / agency.name, time.perf_counter(),
                                                     nombre=agency.name)
        try:
            claim_output(entry.out, [agency.path], what="la carpeta de la dependencia")
            self.files.enter_context(build_lock(entry.out, self.progress))
            entry.stage = self.files.enter_context(staging(entry.out))
        except Exception as exc:  # noqa: BLE001 — one agency's failure must not stop the others
            self._fail(agency.name, [f"No se pudo preparar el informe: {_exception_text(exc)}"])
            return []
        spec = {"path": str(agency.path), "name": agency.name, "year": self.year, "formats": list(self.formats),
                "out": str(entry.out), "stage": str(entry.stage), "notebooks_dir": str(config.NOTEBOOKS_DIR)}
        fut = entry.prepare = self.client.submit(prepare_agency, spec, pure=False, priority=prepare_priority(rank),
                                                 key=self._key("preparar", agency))
        self.by_key[fut.key] = (agency.name, "preparar", None)
        return [fut]

    def _submit_notebooks(self, entry: _Pending) -> list:
        """The agency is prepared: submit the notebooks to execute and the finishing task (which depends on
        the preparation and on them). Returns the futures."""
        prepared = entry.prepared
        priorities = notebook_priorities(entry.rank, [job.weight for job in prepared.jobs])
        # In order of priority: the first ones go to idle workers as they arrive, so the heaviest first.
        for index in sorted(prepared.to_run, key=lambda k: -priorities[k]):
            job = prepared.jobs[index]
            fut = self.client.submit(run_notebook, job, pure=False, priority=priorities[index],
                                     key=self._key("cuaderno", entry.agency, job.output.stem))
            self.by_key[fut.key] = (entry.agency.name, "cuaderno", index)
            entry.notebooks.append(fut)
        fut = entry.finish = self.client.submit(finish_agency, entry.prepare, *entry.notebooks, pure=False,
                                                priority=FINISH_PRIORITY - entry.rank,
                                                key=self._key("informe", entry.agency))
        self.by_key[fut.key] = (entry.agency.name, "informe", None)
        return [*entry.notebooks, fut]

    # --- completion

    def done(self, fut) -> list:
        """One future finished (in order of completion): settle its agency if this decides it. Returns the
        futures this submitted (an agency's notebooks and finishing task, once it is prepared)."""
        name, kind, index = self.by_key.get(fut.key, (None, None, None))
        if name is None or name not in self.pending or fut.status == "cancelled":
            return []  # agency already settled (a cancelled sibling, or the finish of a failed agency)
        entry = self.pending[name]
        if fut.status == "error":
            if kind == "preparar":
                what = "No se pudo preparar el informe"
            elif kind == "cuaderno":
                what = f"Falló el cuaderno «{entry.prepared.jobs[index].label}»"
            else:
                what = "Falló el ensamblado del informe"
            self._fail(name, [f"{what}: {_exception_text(fut.exception())}"])
            return []
        result = fut.result()
        if kind == "preparar":
            return self._prepared(entry, result)
        if kind == "cuaderno":  # only a failure decides
            if not result.get("ok"):
                self._fail(name, self._notebook_error(entry, index, result))
            return []
        if not result.get("ok"):  # the finishing task saw a failed notebook first
            failed = entry.notebooks[result["failed"]]  # among the notebooks that ran
            self._fail(name, self._notebook_error(entry, self.by_key[failed.key][2], failed.result()))
            return []
        self._succeed(entry)
        return []

    def _prepared(self, entry: _Pending, result: dict) -> list:
        entry.nombre, entry.gobierno = result["nombre"], result["gobierno"]
        if result["estado"] == UNCHANGED:
            self._settle(entry, ok=True, unchanged=True, counts=result["counts"])
        elif result["estado"] == NO_RESULTS:
            self._settle(entry, sin_resultados=True, error=result["error"])
        elif result["estado"] in (INVALID, FAILED):
            self._settle(entry, error=result["error"], validation=result["estado"] == INVALID)
        else:
            entry.report, entry.prepared = result["report"], result["prepared"]
            return self._submit_notebooks(entry)
        return []

    def _notebook_error(self, entry: _Pending, index: int, result: dict) -> list[str]:
        err = pasos.failure(entry.prepared.jobs[index], result, entry.out)
        if isinstance(err, OSError):  # the disk failed, not the notebook
            return [str(io_error(err, entry.out))]
        return first_lines(str(err).splitlines())

    def _succeed(self, entry: _Pending) -> None:
        """The agency's report is complete in its staging directory (manifest included): move it into place."""
        try:
            pasos.settle(entry.report)
        except Exception as exc:  # noqa: BLE001
            self._fail(entry.agency.name, [f"No se pudo mover el informe a {entry.out}: {_exception_text(exc)}"])
            return
        self._settle(entry, ok=True, counts=entry.prepared.counts)

    def _fail(self, name: str, lines: list[str]) -> None:
        entry = self.pending[name]
        if entry.futures():
            self.client.cancel(entry.futures())  # the pending tasks of this agency never start
        self._settle(entry, error=lines)

    def _settle(self, entry: _Pending, **outcome) -> None:
        """The agency is done (built, unchanged or failed): its :class:`Outcome`, and one line of progress."""
        del self.pending[entry.agency.name]
        files = self._files(entry.agency) if outcome.get("ok") else {}
        self.record(Outcome(entry.agency, entry.nombre, entry.gobierno, files=files, anio=self.year,
                            seconds=time.perf_counter() - entry.started, **outcome))

    def _files(self, agency: Agency) -> dict[str, str]:
        return {kind: f"{agency.name}/informe_{self.year}.{kind}" for kind in ("html", "pdf") if kind in self.formats}

    def record(self, outcome: Outcome) -> None:
        """Keep ``outcome`` and print its line of progress."""
        self.outcomes[outcome.agency.name] = outcome
        self.settled += 1
        tag = f"[{self.settled}/{self.total}] {outcome.nombre} ({outcome.agency.name})" + (
            f" {self.year}" if self.several else "")
        if outcome.ok:
            c = outcome.counts
            share = _share(c)
            share_text = "" if share is None else f" ({share:.1f} %)"
            where = self.out / next(iter(outcome.files.values())) if outcome.files else self.out / outcome.agency.name
            done = "sin cambios" if outcome.unchanged else f"listo en {outcome.seconds:.1f} s"
            self.progress(f"{tag}: {done} — {c.get('indicadores', 0)} indicadores, "
                          f"{c.get('con_avance', 0)} con avance{share_text} → {where}")
        elif outcome.sin_resultados:
            self.progress(f"{tag}: sin resultados para {self.year}; no se construye")
        else:
            self.progress(f"{tag}: ERROR — {outcome.error[0]}" + (f" {outcome.error[1]}" if len(outcome.error) > 1 else ""))


def _exception_text(exc: BaseException) -> str:
    """The first line of an error, with its type; the message alone of an error meant for the user
    (:class:`InformeError`, already in Spanish); a worker that died running the task, in Spanish."""
    if isinstance(exc, OSError) and exc.errno in DISK_ERRNOS:  # a full disk…: the path and the cause
        return str(io_error(exc))
    if type(exc).__name__ == "KilledWorker":  # its message names the task and the worker's address
        return ("el proceso trabajador que lo ejecutaba terminó de forma inesperada (¿memoria insuficiente?) "
                "y Dask dejó de reintentarlo")
    text = str(exc).strip().splitlines()
    if isinstance(exc, InformeError) and text:
        return text[0]
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _share(counts: dict[str, int]) -> float | None:
    """Con avance / indicadores × 100 (None without indicators)."""
    if not counts or not counts.get("indicadores"):
        return None
    return 100 * counts["con_avance"] / counts["indicadores"]


def lote(year: int | list[int], dirs: list[Path | str], *, out_dir: Path | str | None = None,
         scheduler: str | None = None, workers: int = 2, formats: list[str] | tuple[str, ...] = ("html", "pdf"),
         progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Build every agency's report of ``year`` (or of each of several years), each year's consolidated report and
    the state's report; returns one :class:`Outcome` per agency and year, year by year in the order given (see the
    module docstring)."""
    from distributed import as_completed

    from informe.construccion.ejecucion import ensure_python_kernel
    from informe.construccion.salida import build_lock

    progress = progress or functools.partial(print, flush=True)
    years = sorted({int(year)} if isinstance(year, int) else {int(y) for y in year})
    agencies = find_agencies(dirs)
    if not agencies:
        raise InformeError("No se indicó ninguna carpeta de dependencia.")
    name = f"lote_{years[0]}" if len(years) == 1 else f"lote_{years[0]}-{years[-1]}"
    out = Path(out_dir) if out_dir else config.OUTPUTS_DIR / name
    outs = {y: out if len(years) == 1 else out / str(y) for y in years}
    claim_lote_output(out, [a.path for a in agencies])  # never into the user's own folder, nor the data
    started = time.perf_counter()
    ensure_python_kernel()  # before the workers start: they inherit JUPYTER_PATH
    failed_state: list[str] = []
    with build_lock(out, progress), contextlib.ExitStack() as files:
        # The staging directories (in ``files``) outlive the cluster: no worker is left writing into them.
        with _client(scheduler, workers) as (client, where):
            what = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
            progress(f"Informes {what} de {len(agencies)} dependencia(s) en {where} — salida: {out}")
            runs = {}
            queue = as_completed([], with_results=False)
            for k, y in enumerate(years):
                outs[y].mkdir(parents=True, exist_ok=True)
                run = runs[y] = _Run(client, y, outs[y], list(formats), progress, files, len(agencies),
                                     several=len(years) > 1)
                for rank, agency in enumerate(agencies):
                    if agency.problem:  # named in the progress and the consolidated report, never skipped
                        run.record(Outcome(agency, agency.name, error=[agency.problem], validation=True, anio=y))
                    else:
                        queue.update(run.submit(agency, k * len(agencies) + rank))
            for fut in queue:
                run = next((r for r in runs.values() if fut.key in r.by_key), None)
                if run is not None:  # once an agency is prepared: its notebooks and finishing task
                    queue.update(run.done(fut))
                if not any(r.pending for r in runs.values()):
                    break
            for run in runs.values():
                for pending in list(run.pending):  # defensive: a future that never reported
                    run._fail(pending, ["El clúster no devolvió el resultado de esta dependencia."])
            outcomes = {y: [runs[y].outcomes[a.name] for a in agencies] for y in years}
            for y in years:
                html, table = write_consolidated(outcomes[y], y, outs[y])
                progress(f"Consolidado {y}: {html} y {table}")
            failed_state = _state_reports(client, outs, years, list(formats), progress)
    every = [o for y in years for o in outcomes[y]]
    built = sum(o.ok for o in every)
    skipped = sum(o.sin_resultados for o in every)
    progress(f"Listo en {time.perf_counter() - started:.1f} s: {built} de {len(every)} informe(s) construido(s)"
             + (f"; {skipped} sin resultados del año" if skipped else "")
             + (f"; {len(every) - built - skipped} con error." if built + skipped < len(every) else "."))
    if failed_state:
        raise InformeError("No se pudo construir el informe estatal: " + " ".join(failed_state))
    return every


def build_state(out: str, year: int, years: list[int], formats: list[str]) -> dict:
    """Dask task: the state's report of ``year`` (:func:`informe.construccion.estado.build`) in this worker."""
    from informe.construccion import estado

    _prepare_worker()
    with _notebook_lock:
        return estado.build(Path(out), year, years, formats)


def _state_reports(client, outs: dict[int, Path], years: list[int], formats: list[str],
                   progress: Callable[[str], None]) -> list[str]:
    """Build each year's state report on the cluster (every agency of every year is settled: the trend of a year
    reads the earlier ones). Returns the error of each that failed."""
    from distributed import as_completed

    futures = {client.submit(build_state, str(outs[y]), y, years, formats, pure=False, priority=FINISH_PRIORITY,
                             key=f"estado-{uuid.uuid4().hex[:8]}-{y}"): y for y in years}
    errors = []
    for fut in as_completed(list(futures)):
        y = futures[fut]
        try:
            result = fut.result()
        except Exception as exc:  # noqa: BLE001 — said in one line; the agencies' reports are in place
            errors.append(f"{y}: {_exception_text(exc)}")
            progress(f"Informe estatal {y}: ERROR — {_exception_text(exc)}")
            continue
        where = outs[y] / f"estado_{y}.html"
        progress(f"Informe estatal {y}: " + ("sin cambios" if result.get("unchanged") else
                                              f"listo en {result['seconds']:.1f} s") + f" → {where}")
    return errors


def exit_code(outcomes: list[Outcome]) -> int:
    """0 every agency built (or without results for the year); 2 every agency failed validation; 1 otherwise."""
    failed = [o for o in outcomes if not o.ok and not o.sin_resultados]
    if not failed:
        return 0
    if len(failed) == len(outcomes) and all(o.validation for o in failed):
        return 2
    return 1


# --------------------------------------------------------------------------- consolidated report


def consolidated_rows(outcomes: list[Outcome]) -> list[dict]:
    """One plain row per agency (the CSV's columns)."""
    rows = []
    for o in outcomes:
        share = _share(o.counts) if o.ok else None
        rows.append({
            "dependencia": o.nombre,
            "carpeta": o.agency.name,
            "estado": "construido" if o.ok else "sin_resultados" if o.sin_resultados else "error",
            **{c: (o.counts.get(c, 0) if o.ok else None) for c in COUNTS},  # a status it has not: 0
            "con_avance_pct": None if share is None else round(share, 2),
            "informe_html": o.files.get("html", ""),
            "informe_pdf": o.files.get("pdf", ""),
            "error": "\n".join(o.error),
        })
    return rows


def _csv_text(rows: list[dict]) -> str:
    from informe.calculo.datos_abiertos import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) if row[c] is not None else "" for c in CSV_COLUMNS])
    return buffer.getvalue()


def consolidated_html(outcomes: list[Outcome], year: int) -> str:
    """The consolidated state report (``secciones/lote.html.j2``), with the report's stylesheet inlined."""
    from urllib.parse import quote

    from markupsafe import Markup

    from informe import formato
    from informe.reporte import presentacion

    css = presentacion.stylesheet()
    if "</" in css:
        raise ValueError("la hoja de estilos no puede contener «</».")
    rows = consolidated_rows(outcomes)
    built = [r for r in rows if r["estado"] == "construido"]
    total = {c: sum(r[c] for r in built) for c in COUNTS}
    share = _share(total)
    governments = {o.gobierno for o in outcomes} - {""}
    for n, row in enumerate(rows, 1):
        row["pct_texto"] = formato.percent(row["con_avance_pct"], 1) if row["con_avance_pct"] is not None else "N/D"
        row["ancla"] = f"error-{n}"
        # Links relative to this document, each path segment percent-encoded: no folder name can become a
        # scheme ("javascript:…") or leave the output folder.
        row["enlaces"] = {kind: "./" + quote(row[f"informe_{kind}"], safe="/") for kind in ("html", "pdf")
                          if row[f"informe_{kind}"]}
        row["lineas"] = row["error"].splitlines()
    html = presentacion.render(
        "lote.html.j2", anio=year, filas=rows, total=total, construidos=len(built),
        total_pct=formato.percent(share, 1) if share is not None else "N/D",
        gobierno=governments.pop() if len(governments) == 1 else "",
        fallidas=[r for r in rows if r["estado"] != "construido"], css=Markup(css),
        no_aplica=total["no_aplica"] > 0)  # the column only when some indicator has no direction, as in a report
    return html if html.endswith("\n") else html + "\n"


def write_consolidated(outcomes: list[Outcome], year: int, out: Path) -> tuple[Path, Path]:
    """Write ``consolidado_<Y>.html`` and ``consolidado_<Y>.csv`` in ``out`` (atomically; same outcomes, same bytes)."""
    from informe.escritura import write_text_atomic

    html = write_text_atomic(Path(out) / f"consolidado_{year}.html", consolidated_html(outcomes, year))
    table = write_text_atomic(Path(out) / f"consolidado_{year}.csv", _csv_text(consolidated_rows(outcomes)))
    return html, table
