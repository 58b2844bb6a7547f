"""``informe lote``: every agency of the state in one run, on Dask distributed, plus a consolidated report.

``informe lote --year Y [--out DIR] [--scheduler tcp://HOST:8786] [--workers N] DIR…`` = :func:`lote`.
Each DIR is an agency's data folder (it has ``dependencia.yaml``) or a folder of agency folders.

Outputs (``--out``, by default ``outputs/lote_<Y>/``):

* ``<carpeta>/`` per agency, named after its data folder, with the layout of ``informe build --out``:
  ``informe_<Y>.html``/``.pdf``, ``datos/``, ``notebooks/``, ``calidad_<Y>.html`` (and ``fallidos/``
  with the notebook that failed, if one did);
* ``consolidado_<Y>.html`` and ``consolidado_<Y>.csv``: one row per agency (indicadores, con avance,
  sin avance, igual, sin información, % con avance, link to its report), or its error.

Parameters of each agency: ``<carpeta>/params/<Y>.yaml`` if present, else the project's
``params/<Y>.yaml`` if present, else the defaults (``anio: Y``; see :mod:`informe.params`).

Task graph (fine-grained, so the workers stay busy across agencies)::

    caller:  validate A ─ submit A's notebooks ─ export + review of A ─ validate B ─ submit B's …
    workers: nb(A,1) nb(A,2) … nb(A,n) ──┐                  nb(B,1) … nb(B,m) ──┐
                                          └─ finish(A): provenance, stitch HTML, PDF   └─ finish(B) …

* one Dask task per notebook execution (:func:`run_notebook` → :func:`informe.execute.execute_job`:
  papermill in the worker process, in the worker's kernel, reset between notebooks);
* one task per agency that depends on that agency's notebook futures (:func:`finish_agency`:
  provenance, ``render.stitch_html``, ``render.html_to_pdf``); Dask starts it as soon as the last of
  its notebooks is done;
* priorities: the agencies' notebooks in the order the agencies were given (the first agency is
  finished first, so results arrive steadily), inside an agency the heaviest notebooks first, an
  agency's finishing task before any notebook.

As ``informe build``, each agency's inputs are fingerprinted first: an agency whose inputs are those of
its report in ``<out>/<carpeta>`` is not rebuilt ("sin cambios"), and a notebook whose inputs are
unchanged comes from the build cache (jupyter-cache, :data:`informe.config.CACHE_DIR`), so after a
correction only what depends on it runs again. The kernels read the validated data from that cache:
on a real cluster the workers need it at the same path (``INFORME_CACHE``).

The caller validates each agency (``validate.year_inputs``: every blocker at once, as ``informe
validate``), writes its open data (``datos/``) and quality review into a staging directory beside
``<out>/<carpeta>`` and swaps it in only when the agency's report is complete (``files.staging`` /
``files.swap_in``, as ``informe build``): a failed agency keeps its previous outputs. One failing
agency (invalid data, a failing notebook, a crashed worker) never stops the others: its pending
notebooks are cancelled, it is listed in the consolidated report with its error, and the exit code
is 1 (2 when every agency failed validation). Progress: one line per finished or failed agency, in
order of completion, printed by the caller.

Tasks are plain module-level functions with plain arguments (strings, dicts), so they pickle to any
worker; the workers import ``informe`` from their own environment. On a real cluster every worker
needs the project installed and the data and output folders at the same paths as the caller.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import config
from .problems import InformeError

__all__ = ["Agency", "Outcome", "find_agencies", "params_for", "lote", "run_notebook", "finish_agency",
           "consolidated_rows", "COUNTS", "CSV_COLUMNS"]

#: The summary counts of each agency (columns of ``datos/resumen_<Y>.csv``), in order.
COUNTS = ("indicadores", "con_avance", "sin_avance", "igual", "sin_informacion")
#: Columns of ``consolidado_<Y>.csv``.
CSV_COLUMNS = ["dependencia", "carpeta", "estado", *COUNTS, "con_avance_pct", "informe_html", "informe_pdf",
               "error"]
#: Lines of an agency's problems kept in its error (the rest are counted).
ERROR_LINES = 3


@dataclass
class Agency:
    """One agency's data folder; ``name`` is its output folder (the data folder's name)."""

    path: Path
    name: str


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
    validation: bool = False  # failed validation (nothing was submitted)
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
        if (folder / "dependencia.yaml").is_file():
            candidates = [folder]
        else:
            candidates = [child for child in sorted(folder.iterdir(), key=lambda p: p.name)
                          if child.is_dir() and not child.name.startswith(".")
                          and (child / "dependencia.yaml").is_file()]
            if not candidates:
                raise InformeError(f"{folder} no es la carpeta de datos de una dependencia (no tiene "
                                   "dependencia.yaml) ni contiene carpetas de dependencias.")
        for path in candidates:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            found.append(Agency(path, resolved.name))
    names: dict[str, Path] = {}
    for agency in found:
        if agency.name in names:
            raise InformeError(f"Dos dependencias con la misma carpeta «{agency.name}» ({names[agency.name]} y "
                               f"{agency.path}): cada informe se escribe en <salida>/{agency.name}/; cambie el "
                               "nombre de una de las carpetas.")
        names[agency.name] = agency.path
    return found


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
        from .load import read_yaml

        try:
            values, _ = read_yaml(agency.path / "dependencia.yaml", root=agency.path)
        except Exception:  # noqa: BLE001 — unreadable: the validation problems say why
            values = None
        values = values if isinstance(values, dict) else {}

    def text(key: str) -> str:
        value = values.get(key)
        return value.strip() if isinstance(value, str) else ""

    return text("nombre") or agency.name, text("gobierno")


def _first_lines(lines: list[str], total: int | None = None) -> list[str]:
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


def _prepare_worker() -> None:
    """Once per worker process: the kernel spec for this interpreter, and quiet kernels."""
    global _worker_ready
    if _worker_ready:
        return
    from .execute import ensure_python_kernel

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy warning in kernels
    # jsonschema (imported by nbformat) optionally imports rfc3987_syntax, which compiles a grammar at
    # import time (≈1.4 s); the notebook schema never uses its IRI checks (as informe.execute does).
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    ensure_python_kernel()
    _worker_ready = True


def run_notebook(job: dict) -> dict:
    """Dask task: execute ONE notebook with papermill in this worker (``job`` = ``execute.payload(...)``).

    Returns :func:`informe.execute.execute_job`'s JSON-able result plus ``seconds``."""
    from .execute import execute_job

    _prepare_worker()
    with _notebook_lock:
        t0 = time.perf_counter()
        result = execute_job(**job)
    result["seconds"] = round(time.perf_counter() - t0, 3)
    return result


def finish_agency(spec: dict, *results: dict) -> dict:
    """Dask task, after all of an agency's notebooks (``results``, in report order): record provenance,
    stitch the HTML report and print the PDF into the agency's staging directory.

    ``spec``: ``executed``, ``sources``, ``finals`` (lists of paths), ``title``, ``html``, ``pdf`` (or
    ``None``), ``attachments`` (the open-data files the PDF carries), ``keep_html``. Returns ``ok`` and
    timings, or the first failing notebook's index."""
    from .build import record_provenance
    from .render import html_to_pdf, stitch_html

    for index, result in enumerate(results):
        if not result.get("ok"):
            return {"ok": False, "failed": index}
    t0 = time.perf_counter()
    for executed, source, final in zip(spec["executed"], spec["sources"], spec["finals"]):
        record_provenance(Path(executed), Path(source), Path(final))
    html = stitch_html([Path(p) for p in spec["executed"]], Path(spec["html"]), title=spec["title"])
    html_seconds = time.perf_counter() - t0
    pdf_seconds = None
    if spec["pdf"]:
        t1 = time.perf_counter()
        html_to_pdf(html, Path(spec["pdf"]), attachments=[Path(p) for p in spec.get("attachments", [])])
        pdf_seconds = round(time.perf_counter() - t1, 3)
    if not spec["keep_html"]:
        html.unlink()
    return {"ok": True, "html_seconds": round(html_seconds, 3), "pdf_seconds": pdf_seconds}


# --------------------------------------------------------------------------- the cluster


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int):
    """A Dask client: to ``scheduler`` if given, else to a LocalCluster of ``workers`` processes of one
    thread each, listening on 127.0.0.1 only, without dashboard; closed (workers and all) on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise InformeError(f"No se pudo conectar con el planificador de Dask {scheduler} ({exc}). ¿Está en "
                               "marcha «dask scheduler» y se llega a esa dirección desde esta máquina?") from None
        try:
            yield client, f"clúster {scheduler}"
        finally:
            client.close()
        return
    # The worker processes start with SIGINT ignored (inherited): Ctrl-C reaches the whole process group,
    # and it is the caller's to handle, by closing the cluster (the kernels exit with their worker).
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
    finally:
        if main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)
    try:
        client = Client(cluster)
        try:
            yield client, f"Dask local, {workers} trabajador(es) de 1 hilo"
        finally:
            client.close()
    finally:
        cluster.close()


# --------------------------------------------------------------------------- the run


class _Run:
    """The caller's side of one ``informe lote``: submits tasks, settles agencies as their futures finish."""

    def __init__(self, client, year, out, formats, progress, files: contextlib.ExitStack, total: int):
        self.client, self.year, self.out, self.formats, self.progress = client, year, out, formats, progress
        self.files, self.total = files, total
        self.outcomes: dict[str, Outcome] = {}
        self.pending: dict[str, dict] = {}  # agency name -> its futures, jobs, staging dir…
        self.by_key: dict[str, tuple[str, int | None]] = {}  # future key -> (agency, notebook index | None)
        self.settled = 0
        self.run_id = uuid.uuid4().hex[:8]
        from .notebook_cache import NotebookCache

        self.cache = NotebookCache(config.CACHE_DIR)

    # --- submission

    def submit(self, agency: Agency, priority: int) -> list:
        """Validate ``agency``; if valid, submit its notebooks, write its open data (the PDF's attachments),
        submit its finishing task and write its quality review (while the workers run). Returns the futures
        submitted."""
        from . import huella, quality
        from .build import plan
        from .execute import payload
        from .export import export
        from .validate import year_inputs

        started = time.perf_counter()
        params_path = params_for(agency.path, self.year)
        agency_out = self.out / agency.name
        notebook_key = huella.notebook_inputs(agency.path, params_path, self.year)
        key = huella.build_inputs(notebook_key, agency.path, self.year, self.formats)
        if huella.unchanged(agency_out, key):  # as `informe build`: nothing to redo for this agency
            self._settle_unchanged(agency, agency_out, started)
            return []
        inputs = year_inputs(agency.path, self.year, params_path, params_required=params_path is not None)
        if inputs.problems:
            nombre, gobierno = _identity(agency)
            lines = [f"Datos inválidos: {len(inputs.problems)} problema(s)."]
            lines += _first_lines([str(p) for p in inputs.problems])
            self._settle(Outcome(agency, nombre, gobierno, error=lines, validation=True,
                                 seconds=time.perf_counter() - started))
            return []
        dataset, params = inputs.dataset, inputs.params
        nombre, gobierno = _identity(agency, dataset)
        entry = {"agency": agency, "nombre": nombre, "gobierno": gobierno, "jobs": [], "futures": [],
                 "ran": [], "finish": None, "stage": None, "out": agency_out, "started": started, "key": key}
        self.pending[agency.name] = entry
        try:
            self.files.enter_context(_lock(agency_out, self.progress))
            stage = entry["stage"] = self.files.enter_context(_staging(agency_out))
            # The notebooks read the validated data from the cache (``huella``), and a notebook whose
            # inputs are unchanged since an earlier run (of lote or build) comes from it, not a kernel.
            self.cache.save_context(notebook_key, dataset, params)
            jobs = entry["jobs"] = plan(dataset, self.year, agency.path, params_path or config.params_file(self.year),
                                        stage / "notebooks", fingerprint=notebook_key)
            if params_path is None:  # "" = the defaults in the notebooks (report.open), as validated here
                for job in jobs:
                    job.parameters["params_file"] = ""
            for index, job in enumerate(jobs):
                if self.cache.restore(job):
                    continue
                entry["ran"].append(index)
                # agencies in the order given; inside one, the heaviest notebooks first (no long tail)
                fut = self.client.submit(run_notebook, payload(job, config.ROOT), pure=False,
                                         priority=-priority * 1000 + round(job.weight),
                                         key=f"cuaderno-{agency.name}-{job.output.stem}-{self.run_id}")
                self.by_key[fut.key] = (agency.name, index)
                entry["futures"].append(fut)
            # The open data first: the finishing task may start at once (every notebook cached) and the PDF
            # carries these files. Still while the workers run the notebooks, as the quality review below.
            datos = export(dataset, self.year, params, stage)
            spec = {
                "executed": [str(job.output) for job in jobs],
                "sources": [str(job.source) for job in jobs],
                "finals": [str(agency_out / "notebooks" / job.output.name) for job in jobs],
                "title": f"{params['titulo']} — {nombre}",
                "html": str(stage / f"informe_{self.year}.html"),
                "pdf": str(stage / f"informe_{self.year}.pdf") if "pdf" in self.formats else None,
                "attachments": [str(path) for path in datos],
                "keep_html": "html" in self.formats,
            }
            entry["finish"] = self.client.submit(finish_agency, spec, *entry["futures"], priority=10**6, pure=False,
                                                 key=f"informe-{agency.name}-{self.run_id}")
            self.by_key[entry["finish"].key] = (agency.name, None)
            # While the workers run the notebooks: the quality review.
            quality.write_review(dataset, self.year, params, stage / f"calidad_{self.year}.html", dependencia=nombre)
            entry["counts"] = _read_summary(stage / "datos" / f"resumen_{self.year}.csv")
        except Exception as exc:  # noqa: BLE001 — one agency's failure must not stop the others
            self._fail(agency.name, [f"No se pudo preparar el informe: {_exception_text(exc)}"])
            return []
        return [*entry["futures"], entry["finish"]]

    # --- completion

    def done(self, fut) -> None:
        """One future finished (in order of completion): settle its agency if this decides it."""
        name, index = self.by_key.get(fut.key, (None, None))
        if name is None or name not in self.pending or fut.status == "cancelled":
            return  # agency already settled (a cancelled sibling, or the finish of a failed agency)
        entry = self.pending[name]
        if fut.status == "error":
            what = f"el cuaderno «{entry['jobs'][index].label}»" if index is not None else "el ensamblado del informe"
            self._fail(name, [f"Falló {what}: {_exception_text(fut.exception())}"])
            return
        result = fut.result()
        if index is not None:  # a notebook: only a failure decides
            if not result.get("ok"):
                self._fail(name, self._notebook_error(entry, index, result))
            return
        if not result.get("ok"):  # the finishing task saw a failed notebook first
            failed = result["failed"]  # among the notebooks that ran
            self._fail(name, self._notebook_error(entry, entry["ran"][failed], entry["futures"][failed].result()))
            return
        self._succeed(name)

    def _notebook_error(self, entry: dict, index: int, result: dict) -> list[str]:
        from .execute import NotebookError

        job = entry["jobs"][index]
        kept = entry["out"] / "fallidos" / job.output.name
        if job.output.exists():  # keep the notebook with the error, as informe build does
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(job.output, kept)
        err = NotebookError(job, kept, result.get("ename", "Error"), result.get("evalue", ""),
                            cell_index=None, execution_count=result.get("execution_count"),
                            traceback=result.get("traceback"), cwd=Path.cwd())
        return _first_lines(str(err).splitlines())

    def _succeed(self, name: str) -> None:
        from .files import swap_in

        from . import huella
        from .files import write_text_atomic

        entry = self.pending[name]
        agency, out = entry["agency"], entry["out"]
        try:
            for index in entry["ran"]:
                self.cache.store(entry["jobs"][index])
            manifest = huella.manifest(entry["stage"], entry["key"])
            write_text_atomic(entry["stage"] / huella.MANIFEST, json.dumps(manifest, indent=1) + "\n")
            swap_in(entry["stage"], out)
        except Exception as exc:  # noqa: BLE001
            self._fail(name, [f"No se pudo mover el informe a {out}: {_exception_text(exc)}"])
            return
        del self.pending[name]
        shutil.rmtree(out / "fallidos", ignore_errors=True)  # a previous failure is now history
        files = {kind: f"{agency.name}/informe_{self.year}.{kind}" for kind in ("html", "pdf") if kind in self.formats}
        self._settle(Outcome(agency, entry["nombre"], entry["gobierno"], ok=True, counts=entry.get("counts", {}),
                             files=files, seconds=time.perf_counter() - entry["started"]))

    def _settle_unchanged(self, agency: Agency, out: Path, started: float) -> None:
        """The agency's inputs are those of its report in ``out``: it stays as it is."""
        nombre, gobierno = _identity(agency)
        files = {kind: f"{agency.name}/informe_{self.year}.{kind}" for kind in ("html", "pdf") if kind in self.formats}
        self._settle(Outcome(agency, nombre, gobierno, ok=True, unchanged=True, files=files,
                             counts=_read_summary(out / "datos" / f"resumen_{self.year}.csv"),
                             seconds=time.perf_counter() - started))

    def _fail(self, name: str, lines: list[str]) -> None:
        entry = self.pending.pop(name)
        futures = [f for f in (entry["finish"], *entry["futures"]) if f is not None]
        if futures:
            self.client.cancel(futures)  # the pending notebooks of this agency never start
        self._settle(Outcome(entry["agency"], entry["nombre"], entry["gobierno"], error=lines,
                             seconds=time.perf_counter() - entry["started"]))

    def _settle(self, outcome: Outcome) -> None:
        self.outcomes[outcome.agency.name] = outcome
        self.settled += 1
        tag = f"[{self.settled}/{self.total}] {outcome.nombre} ({outcome.agency.name})"
        if outcome.ok:
            c = outcome.counts
            share = _share(c)
            share_text = "" if share is None else f" ({share:.1f} %)"
            where = self.out / next(iter(outcome.files.values())) if outcome.files else self.out / outcome.agency.name
            done = "sin cambios" if outcome.unchanged else f"listo en {outcome.seconds:.1f} s"
            self.progress(f"{tag}: {done} — {c.get('indicadores', 0)} indicadores, "
                          f"{c.get('con_avance', 0)} con avance{share_text} → {where}")
        else:
            self.progress(f"{tag}: ERROR — {outcome.error[0]}" + (f" {outcome.error[1]}" if len(outcome.error) > 1 else ""))


def _exception_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@contextlib.contextmanager
def _lock(out: Path, progress):
    from .files import build_lock

    with build_lock(out, progress):
        yield


@contextlib.contextmanager
def _staging(out: Path):
    from .files import staging

    with staging(out) as stage:
        yield stage


def _read_summary(path: Path) -> dict[str, int]:
    """The ``total`` row of ``datos/resumen_<Y>.csv``."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["objetivo_id"] == "total":
                return {column: int(row[column]) for column in COUNTS}
    raise InformeError(f"{path} no tiene la fila «total».")


def _share(counts: dict[str, int]) -> float | None:
    """Con avance / indicadores × 100 (None without indicators)."""
    if not counts or not counts.get("indicadores"):
        return None
    return 100 * counts["con_avance"] / counts["indicadores"]


def lote(year: int, dirs: list[Path | str], *, out_dir: Path | str | None = None, scheduler: str | None = None,
         workers: int = 2, formats: list[str] | tuple[str, ...] = ("html", "pdf"),
         progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Build every agency's report of ``year`` and the consolidated report; returns one
    :class:`Outcome` per agency, in the order given (see the module docstring)."""
    from distributed import as_completed

    from .execute import ensure_python_kernel
    from .files import build_lock

    progress = progress or functools.partial(print, flush=True)
    agencies = find_agencies(dirs)
    if not agencies:
        raise InformeError("No se indicó ninguna carpeta de dependencia.")
    out = Path(out_dir) if out_dir else config.OUTPUTS_DIR / f"lote_{year}"
    started = time.perf_counter()
    ensure_python_kernel()  # before the workers start: they inherit JUPYTER_PATH
    with build_lock(out, progress), contextlib.ExitStack() as files:
        # The staging directories (in ``files``) outlive the cluster: no worker is left writing into them.
        with _client(scheduler, workers) as (client, where):
            progress(f"Informes {year} de {len(agencies)} dependencia(s) en {where} — salida: {out}")
            run = _Run(client, year, out, list(formats), progress, files, len(agencies))
            queue = as_completed([], with_results=False)
            for priority, agency in enumerate(agencies):
                for fut in run.submit(agency, priority):
                    queue.add(fut)
            for fut in queue:
                run.done(fut)
                if not run.pending:
                    break
            for name in list(run.pending):  # defensive: a future that never reported
                run._fail(name, ["El clúster no devolvió el resultado de esta dependencia."])
    outcomes = [run.outcomes[a.name] for a in agencies]
    html, table = write_consolidated(outcomes, year, out)
    built = sum(o.ok for o in outcomes)
    progress(f"Consolidado: {html} y {table}")
    progress(f"Listo en {time.perf_counter() - started:.1f} s: {built} de {len(outcomes)} informe(s) construido(s)"
             + (f"; {len(outcomes) - built} con error." if built < len(outcomes) else "."))
    return outcomes


def exit_code(outcomes: list[Outcome]) -> int:
    """0 every agency built; 2 every agency failed validation; 1 otherwise when something failed."""
    if all(o.ok for o in outcomes):
        return 0
    if all(o.validation for o in outcomes):
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
            "estado": "construido" if o.ok else "error",
            **{c: (o.counts.get(c) if o.ok else None) for c in COUNTS},
            "con_avance_pct": None if share is None else round(share, 2),
            "informe_html": o.files.get("html", ""),
            "informe_pdf": o.files.get("pdf", ""),
            "error": "\n".join(o.error),
        })
    return rows


def _csv_text(rows: list[dict]) -> str:
    from .export import plain

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([plain(row[c]) if row[c] is not None else "" for c in CSV_COLUMNS])
    return buffer.getvalue()


def consolidated_html(outcomes: list[Outcome], year: int) -> str:
    """The consolidated state report (``secciones/lote.html.j2``), with the report's stylesheet inlined."""
    from markupsafe import Markup

    from . import fmt, present

    css = present.stylesheet()
    if "</" in css:
        raise ValueError("la hoja de estilos no puede contener «</».")
    rows = consolidated_rows(outcomes)
    built = [r for r in rows if r["estado"] == "construido"]
    total = {c: sum(r[c] for r in built) for c in COUNTS}
    share = _share(total)
    governments = {o.gobierno for o in outcomes} - {""}
    for n, row in enumerate(rows, 1):
        row["pct_texto"] = fmt.percent(row["con_avance_pct"], 1) if row["con_avance_pct"] is not None else "N/D"
        row["ancla"] = f"error-{n}"
        row["lineas"] = row["error"].splitlines()
    html = present.render(
        "lote.html.j2", anio=year, filas=rows, total=total, construidos=len(built),
        total_pct=fmt.percent(share, 1) if share is not None else "N/D",
        gobierno=governments.pop() if len(governments) == 1 else "",
        fallidas=[r for r in rows if r["estado"] != "construido"], css=Markup(css))
    return html if html.endswith("\n") else html + "\n"


def write_consolidated(outcomes: list[Outcome], year: int, out: Path) -> tuple[Path, Path]:
    """Write ``consolidado_<Y>.html`` and ``consolidado_<Y>.csv`` in ``out`` (atomically; same outcomes, same bytes)."""
    from .files import write_text_atomic

    html = write_text_atomic(Path(out) / f"consolidado_{year}.html", consolidated_html(outcomes, year))
    table = write_text_atomic(Path(out) / f"consolidado_{year}.csv", _csv_text(consolidated_rows(outcomes)))
    return html, table
