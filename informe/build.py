"""Stage 5: build orchestration — papermill per notebook, open-data exports, HTML, PDF.

``informe construir --year Y`` = :func:`build`. Every input is checked before any notebook
runs and every blocker is reported at once. Outputs go to ``outputs/<Y>/`` (or ``--out``):

* ``notebooks/`` — the executed notebooks (``07_objetivo.ipynb`` runs once per objective);
* ``datos/`` — ``indicadores_<Y>.csv``, ``resumen_<Y>.csv``, ``indicadores_<Y>.xlsx`` and ``datapackage.json``;
* ``informe_<Y>.html`` and ``informe_<Y>.pdf`` (tagged, printed by Chromium, carrying the files of ``datos/``);
* ``calidad_<Y>.html`` — the data-quality review for evaluators (not part of the official report).

Nothing lost, nothing half-written: everything is written into a staging directory beside
the output directory and moved into place only when all of it succeeded; a failed or
interrupted build leaves the previous outputs byte-identical (the notebook that failed is
kept in ``fallidos/``). One build per output directory at a time (a lock; a second build
waits). Paths recorded in the executed notebooks are relative to the project when inside it.

Nothing of the user's is deleted: the output directory must be new, empty or hold the record of an
earlier build (:func:`informe.files.claim_output`, checked before anything runs), and never be the data
folder, inside it or around it; the swap replaces only the files the previous build recorded in its
manifest. An I/O failure (a full disk, a read-only file system) stops the build with a message naming
the path and the cause (:class:`informe.files.OutputError`, exit code 1).
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import config, huella
from .files import build_lock, claim_output, clear_failed, io_error, keep_failed, staging, swap_in, write_text_atomic

if TYPE_CHECKING:  # the heavy modules (pandas, pandera, papermill) load only when there is work to do
    from .execute import NotebookError, NotebookJob
    from .load import Dataset

#: Report order: (notebook, label). ``07_objetivo.ipynb`` is expanded per objective.
NOTEBOOKS = [
    ("00_portada.ipynb", "Portada y directorio"),
    ("01_introduccion.ipynb", "I–V. Introducción, marco normativo, misión, alineación"),
    ("06_resumen_ejecutivo.ipynb", "VI. Resumen ejecutivo"),
    ("07_objetivo.ipynb", "VII. Objetivo {objetivo_id}"),
    ("08_proyectos.ipynb", "VIII. Proyectos estratégicos"),
    ("09_glosario.ipynb", "IX. Glosario"),
    ("10_anexos.ipynb", "X. Anexos y calidad de datos"),
]
PER_OBJECTIVE = "07_objetivo.ipynb"


def plan(dataset: Dataset, year: int, data_dir: Path, params_path: Path, notebooks_out: Path,
         notebooks_dir: Path | None = None, fingerprint: str = "") -> list[NotebookJob]:
    """The papermill jobs of one report, in report order (``fingerprint``: the ``huella`` parameter)."""
    from .execute import NotebookJob

    source_dir = notebooks_dir or config.NOTEBOOKS_DIR
    base = {"anio": year, "data_dir": project_path(data_dir), "params_file": project_path(params_path)}
    jobs = []
    for name, label in NOTEBOOKS:
        if fingerprint:
            base["huella"] = huella.notebook_key(fingerprint, data_dir, Path(name).stem, year)
        if name == PER_OBJECTIVE:
            counts = dataset.indicadores["objetivo_id"].value_counts()
            for objetivo_id in dataset.objetivos["objetivo_id"]:
                stem = Path(name).stem
                jobs.append(NotebookJob(source_dir / name, notebooks_out / f"{stem}_{objetivo_id}.ipynb",
                                        {**base, "objetivo_id": int(objetivo_id)},
                                        label.format(objetivo_id=objetivo_id),
                                        weight=2 + int(counts.get(objetivo_id, 0))))  # charts per indicator
        else:
            jobs.append(NotebookJob(source_dir / name, notebooks_out / name, dict(base), label))
    return jobs


def project_path(path: Path | str) -> str:
    """``path`` relative to the project when it lies inside it (what the notebooks record), else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(config.ROOT))
    except ValueError:
        return str(path)


def record_provenance(executed: Path, source: Path, final: Path) -> None:
    """papermill records the paths it was given; record the project-relative source and final path."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata.setdefault("papermill", {})
    nb.metadata["papermill"]["input_path"] = project_path(source)
    nb.metadata["papermill"]["output_path"] = project_path(final)
    nbformat.write(nb, str(executed))


def build(year: int, *, data_dir: Path | str | None = None, params_path: Path | str | None = None,
          out_dir: Path | str | None = None, formats: list[str] | tuple[str, ...] = ("html", "pdf"),
          workers: int = 2, progress: Callable[[str], None] | None = None, force: bool = False) -> dict[str, Path]:
    """Build the year's report; returns the final paths written by kind (html, pdf, datos, notebooks…).

    Unchanged inputs since the last build in the same output directory: nothing is done. Otherwise
    only what changed is redone: notebooks whose inputs are unchanged come from the cache, and an
    unchanged HTML keeps its PDF (if its attachments, the open data, and the printing code are
    unchanged too). ``force`` redoes everything. ``progress`` receives one line per step (default:
    printed and flushed at once, so the lines keep their order)."""
    progress = progress or functools.partial(print, flush=True)
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    params_path = Path(params_path) if params_path else config.params_file(year, data_dir)
    out = config.output_dir(year, out_dir, data_dir)
    claim_output(out, [data_dir])  # never into the user's own folder, nor where the data are
    try:
        return _build(year, data_dir, params_path, out, formats, workers, progress, force)
    except BrokenPipeError:  # our reader went away (informe construir | head): not the disk
        raise
    except OSError as exc:  # a full disk, a read-only file system…: the path and the cause, not a traceback
        raise io_error(exc, out) from exc


def _build(year, data_dir, params_path, out, formats, workers, progress, force) -> dict[str, Path]:
    notebook_key = huella.notebook_inputs(data_dir, params_path, year)
    key = huella.build_inputs(notebook_key, data_dir, year, formats)
    if not force and huella.unchanged(out, key):
        progress(f"Sin cambios desde la última construcción en {out}; no hay nada que hacer "
                 "(--force reconstruye todo).")
        return _outputs(out, year, formats)

    from .execute import start_pool
    from .problems import DataError
    from .render import chromium
    from .validate import year_inputs

    if "pdf" in formats:
        chromium()  # no browser to print with: said now, not after the notebooks ran
    with contextlib.ExitStack() as workers_running:
        if force or not (out / huella.MANIFEST).is_file():
            # A first build (or --force) runs every notebook: the workers start their kernels now,
            # while the data are validated. (A rebuild may need none: it starts them if it does.)
            pool = start_pool(workers)
            workers_running.callback(pool.shutdown, wait=True)
        else:
            pool = None
        inputs = year_inputs(data_dir, year, params_path)  # every blocker at once, as `informe validar`
        if inputs.problems:
            raise DataError(inputs.problems)
        with build_lock(out, progress):
            if not force and huella.unchanged(out, key):  # another build just made it
                progress(f"Sin cambios: otra construcción acaba de escribir {out}.")
                return _outputs(out, year, formats)
            return _build_staged(year, inputs.dataset, inputs.params, data_dir, params_path, out, formats,
                                 workers, progress, notebook_key, key, force, pool)


def _outputs(out: Path, year: int, formats) -> dict[str, Path]:
    found = {"datos": out / "datos", "notebooks": out / "notebooks", "calidad": out / f"calidad_{year}.html"}
    found.update({kind: out / f"informe_{year}.{kind}" for kind in ("html", "pdf") if kind in formats})
    return found


def _build_staged(year, dataset, params, data_dir, params_path, out, formats, workers, progress,
                  notebook_key, key, force, pool=None) -> dict[str, Path]:
    from . import quality
    from .export import export
    from .notebook_cache import NotebookCache
    from .execute import start_pool
    from .render import html_to_pdf, publish_html  # heavy import (nbconvert) only when building

    started = time.perf_counter()
    with staging(out) as stage, contextlib.ExitStack() as workers_running:
        written: dict[str, Path] = {}
        progress(f"Informe {year} de {dataset.dependencia.get('nombre')} — datos: {project_path(data_dir)}, "
                 f"salida: {out}")
        cache = NotebookCache(config.CACHE_DIR)
        notebooks = stage / "notebooks"
        jobs = plan(dataset, year, data_dir, params_path, notebooks, fingerprint=notebook_key)
        to_run = jobs if force else [job for job in jobs if not cache.restore(job)]
        if pool is None and to_run:  # the workers start their kernels while the open data and review are written
            pool = start_pool(max(1, min(workers, len(to_run))))
        if pool is not None:  # stopped once the notebooks ran (now, if none runs)
            workers_running.callback(pool.shutdown, wait=True)
        if not to_run:
            workers_running.close()
        datos = export(dataset, year, params, stage)
        written["datos"] = datos[0].parent
        written["calidad"] = quality.write_review(dataset, year, params, stage / f"calidad_{year}.html",
                                                  dependencia=str(dataset.dependencia.get("nombre", "")))
        cache.save_context(notebook_key, dataset, params)  # the notebooks load it instead of validating again
        if len(to_run) < len(jobs):
            progress(f"{len(jobs) - len(to_run)} de {len(jobs)} cuadernos sin cambios: se toman de la caché.")
        if to_run:
            progress(f"Ejecutando {len(to_run)} cuadernos con papermill ({workers} en paralelo)…")
            _execute(to_run, workers, progress, stage, out, pool, when_done=cache.store)  # stored as each one ends
            workers_running.close()  # the kernels exit now, not after the PDF
        for job in jobs:
            record_provenance(job.output, job.source, out / "notebooks" / job.output.name)
        written["notebooks"] = notebooks

        title = f"{params['titulo']} — {dataset.dependencia.get('nombre')}"
        html_path = stage / f"informe_{year}.html"
        t0 = time.perf_counter()
        publish_html([job.output for job in jobs], [job.label for job in jobs], html_path, title=title)
        progress(f"HTML listo ({time.perf_counter() - t0:.1f} s)")
        if "pdf" in formats:
            written["pdf"] = stage / f"informe_{year}.pdf"
            previous_pdf = out / written["pdf"].name
            if not force and previous_pdf.is_file() and _same_print(out, stage, [html_path, *datos]):
                shutil.copy2(previous_pdf, written["pdf"])
                progress("PDF sin cambios (el HTML y los datos abiertos son idénticos a los anteriores).")
            else:
                t0 = time.perf_counter()
                html_to_pdf(html_path, written["pdf"], attachments=datos)
                progress(f"PDF listo ({time.perf_counter() - t0:.1f} s)")
        if "html" in formats:
            written["html"] = html_path
        else:
            html_path.unlink()
        write_manifest(stage, key)
        swap_in(stage, out)
    clear_failed(out)  # a previous failure is now history (only the notebooks we kept are removed)
    final = {kind: out / path.relative_to(stage) for kind, path in written.items()}
    for kind in ("html", "pdf", "calidad"):
        if kind in final:
            progress(f"{kind.upper() if kind != 'calidad' else 'Revisión de calidad'}: {final[kind]}")
    progress(f"Listo en {time.perf_counter() - started:.1f} s.")
    return final


#: Manifest entry recording how the PDF was printed (a PDF is reused only if printed the same way).
PRINT_KEY = "impresion"


def write_manifest(stage: Path, key: str) -> None:
    """Record the finished build in ``stage`` (:func:`informe.huella.manifest`) with how its PDF was
    printed (:func:`print_settings`): for ``informe construir`` and for each agency of ``informe lote``."""
    record = huella.manifest(stage, key)
    record[PRINT_KEY] = print_settings()
    write_text_atomic(stage / huella.MANIFEST, json.dumps(record, indent=1) + "\n")


def print_settings() -> str:
    """What the PDF's bytes depend on besides the HTML and its attachments: the printing code and the browser."""
    from . import chromium, render

    code = [Path(render.__file__), Path(chromium.__file__), render.PAPER_SCRIPT]
    return "-".join(huella.file_digest(path)[:12] for path in code) + "-" + render.browser_identity()


def _same_print(out: Path, stage: Path, inputs: list[Path]) -> bool:
    """True when the previous build in ``out`` printed its PDF from the same HTML and attachments
    (``inputs``, paths in ``stage``), with the same printing code: its PDF can be kept."""
    try:
        record = json.loads((out / huella.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get(PRINT_KEY) != print_settings():
        return False
    for path in inputs:
        previous = out / path.relative_to(stage)
        if not previous.is_file() or previous.read_bytes() != path.read_bytes():
            return False
    return True


def _execute(jobs, workers, progress, stage: Path, out: Path, pool=None, when_done=None) -> None:
    from .execute import NotebookError, run_notebooks

    try:
        run_notebooks(jobs, workers=workers, progress=progress, pool=pool, when_done=when_done)
    except NotebookError as err:
        raise _keep_failed(err, stage, out) from None


def _keep_failed(err: NotebookError, stage: Path, out: Path) -> NotebookError:
    """Keep the notebook that failed (with its error) in ``<out>/fallidos/``; the previous outputs stay as they were."""
    from .execute import NotebookError

    kept = keep_failed(err.output, out) if err.output.exists() else out / "fallidos" / err.output.name
    return NotebookError(err.job, kept, err.ename, err.evalue, err.cell_index, err.execution_count, err.traceback,
                         cwd=Path.cwd())
