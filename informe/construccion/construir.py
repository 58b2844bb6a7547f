"""``informe construir``: the steps of :mod:`informe.construccion.pasos` in a row, with a pool of local processes.

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
earlier build (:func:`informe.construccion.salida.claim_output`, checked before anything runs), and never be the data
folder, inside it or around it; the swap replaces only the files the previous build recorded in its
manifest. An I/O failure (a full disk, a read-only file system) stops the build with a message naming
the path and the cause (:class:`informe.construccion.salida.OutputError`, exit code 1).
"""

from __future__ import annotations

import contextlib
import functools
import time
from pathlib import Path
from typing import Callable

from informe import config
from informe.construccion import huella, pasos
from informe.construccion.salida import build_lock, claim_output, io_error, staging


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
    notebook_key, key = pasos.fingerprints(data_dir, params_path, year, formats)
    if not force and huella.unchanged(out, key):
        progress(f"Sin cambios desde la última construcción en {out}; no hay nada que hacer "
                 "(--force reconstruye todo).")
        return _outputs(out, year, formats)

    from informe.construccion.ejecucion import start_pool
    from informe.construccion.pdf import chromium
    from informe.datos.entradas import year_inputs
    from informe.problemas import DataError

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
            with staging(out) as stage:
                report = pasos.Report(data_dir, year, params_path, out, stage, tuple(formats), force)
                written = _build_staged(report, inputs, workers, progress, notebook_key, key, pool)
    final = {kind: out / path.relative_to(stage) for kind, path in written.items()}
    for kind in ("html", "pdf", "calidad"):
        if kind in final:
            progress(f"{kind.upper() if kind != 'calidad' else 'Revisión de calidad'}: {final[kind]}")
    return final


def _outputs(out: Path, year: int, formats) -> dict[str, Path]:
    found = {"datos": out / "datos", "notebooks": out / "notebooks", "calidad": out / f"calidad_{year}.html"}
    found.update({kind: out / f"informe_{year}.{kind}" for kind in ("html", "pdf") if kind in formats})
    return found


def _build_staged(report: pasos.Report, inputs, workers, progress, notebook_key, key, pool=None) -> dict[str, Path]:
    """The steps of :mod:`informe.construccion.pasos` in a row, in ``report.stage``; swapped in at the end."""
    from informe.construccion.cache import NotebookCache
    from informe.construccion.ejecucion import NotebookError, run_notebooks, start_pool

    started = time.perf_counter()
    stage, year = report.stage, report.year
    with contextlib.ExitStack() as workers_running:
        progress(f"Informe {year} de {inputs.dataset.dependencia.get('nombre')} — datos: "
                 f"{pasos.project_path(report.data_dir)}, salida: {report.out}")
        cache = NotebookCache(config.CACHE_DIR)
        if pool is not None:  # stopped once the notebooks ran (now, if none runs)
            workers_running.callback(pool.shutdown, wait=True)
        prepared = pasos.prepare(report, inputs.dataset, inputs.params, notebook_key, cache)
        to_run = [prepared.jobs[i] for i in prepared.to_run]
        if len(to_run) < len(prepared.jobs):
            progress(f"{len(prepared.jobs) - len(to_run)} de {len(prepared.jobs)} cuadernos sin cambios: "
                     "se toman de la caché.")
        if to_run:
            if pool is None:
                pool = start_pool(max(1, min(workers, len(to_run))))
                workers_running.callback(pool.shutdown, wait=True)
            progress(f"Ejecutando {len(to_run)} cuadernos con papermill ({workers} en paralelo)…")
            try:  # each one stored in the cache as it ends
                run_notebooks(to_run, workers=workers, progress=progress, pool=pool, when_done=cache.store)
            except NotebookError as err:
                raise pasos.keep_failure(err, report.out) from None
    # the kernels have exited: not running beside the PDF
    written = pasos.assemble(report, prepared, key, progress)
    pasos.settle(report)
    progress(f"Listo en {time.perf_counter() - started:.1f} s.")
    return {"datos": stage / "datos", "calidad": stage / f"calidad_{year}.html", "notebooks": stage / "notebooks",
            **{kind: written[kind] for kind in ("html", "pdf") if kind in written}}
