"""Stage 5: build orchestration — papermill per notebook, open-data exports, HTML, PDF.

``informe build --year Y`` = :func:`build`. Every input is checked before any notebook
runs and every blocker is reported at once. Outputs go to ``outputs/<Y>/`` (or ``--out``):

* ``notebooks/`` — the executed notebooks (``07_objetivo.ipynb`` runs once per objective);
* ``datos/`` — ``indicadores_<Y>.csv`` and ``resumen_<Y>.csv``;
* ``informe_<Y>.html`` and ``informe_<Y>.pdf``;
* ``calidad_<Y>.html`` — the data-quality review for evaluators (not part of the official report).

Nothing lost, nothing half-written: everything is written into a staging directory beside
the output directory and moved into place only when all of it succeeded; a failed or
interrupted build leaves the previous outputs byte-identical (the notebook that failed is
kept in ``fallidos/``). One build per output directory at a time (a lock; a second build
waits). Paths recorded in the executed notebooks are relative to the project when inside it.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from . import config, quality
from .execute import NotebookError, NotebookJob, run_notebooks
from .export import export
from .files import build_lock, staging, swap_in
from .load import Dataset
from .problems import DataError
from .validate import year_inputs

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
         notebooks_dir: Path | None = None) -> list[NotebookJob]:
    """The papermill jobs of one report, in report order."""
    source_dir = notebooks_dir or config.NOTEBOOKS_DIR
    base = {"anio": year, "data_dir": project_path(data_dir), "params_file": project_path(params_path)}
    jobs = []
    for name, label in NOTEBOOKS:
        if name == PER_OBJECTIVE:
            for objetivo_id in dataset.objetivos["objetivo_id"]:
                stem = Path(name).stem
                jobs.append(NotebookJob(source_dir / name, notebooks_out / f"{stem}_{objetivo_id}.ipynb",
                                        {**base, "objetivo_id": int(objetivo_id)},
                                        label.format(objetivo_id=objetivo_id)))
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


def _record_provenance(executed: Path, source: Path, final: Path) -> None:
    """papermill records the paths it was given; record the project-relative source and final path."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["papermill"]["input_path"] = project_path(source)
    nb.metadata["papermill"]["output_path"] = project_path(final)
    nbformat.write(nb, str(executed))


def build(year: int, *, data_dir: Path | str | None = None, params_path: Path | str | None = None,
          out_dir: Path | str | None = None, formats: list[str] | tuple[str, ...] = ("html", "pdf"),
          workers: int = 2, progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Build the year's report; returns the final paths written by kind (html, pdf, datos, notebooks…).

    ``progress`` receives one line per step (default: printed and flushed at once, so the lines keep
    their order among the messages of the worker processes)."""
    progress = progress or functools.partial(print, flush=True)
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    params_path = Path(params_path) if params_path else config.params_file(year)
    inputs = year_inputs(data_dir, year, params_path)  # every blocker at once, as `informe validate`
    if inputs.problems:
        raise DataError(inputs.problems)
    dataset, params = inputs.dataset, inputs.params
    out = config.output_dir(year, out_dir)
    with build_lock(out, progress):
        return _build_staged(year, dataset, params, data_dir, params_path, out, formats, workers, progress)


def _build_staged(year, dataset, params, data_dir, params_path, out, formats, workers, progress) -> dict[str, Path]:
    from .render import html_to_pdf, stitch_html  # heavy imports (nbconvert, WeasyPrint) only when building

    started = time.perf_counter()
    with staging(out) as stage:
        written: dict[str, Path] = {}
        progress(f"Informe {year} de {dataset.dependencia.get('nombre')} — datos: {project_path(data_dir)}, "
                 f"salida: {out}")
        datos = export(dataset, year, params, stage)
        written["datos"] = datos[0].parent
        written["calidad"] = quality.write_review(dataset, year, params, stage / f"calidad_{year}.html",
                                                  dependencia=str(dataset.dependencia.get("nombre", "")))
        notebooks = stage / "notebooks"
        jobs = plan(dataset, year, data_dir, params_path, notebooks)
        progress(f"Ejecutando {len(jobs)} cuadernos con papermill ({workers} en paralelo)…")
        try:
            executed = run_notebooks(jobs, workers=workers, progress=progress)
        except NotebookError as err:
            raise _keep_failed(err, stage, out) from None
        for job in jobs:
            _record_provenance(job.output, job.source, out / "notebooks" / job.output.name)
        written["notebooks"] = notebooks

        title = f"{params['titulo']} — {dataset.dependencia.get('nombre')}"
        html_path = stage / f"informe_{year}.html"
        t0 = time.perf_counter()
        stitch_html(executed, html_path, title=title)
        progress(f"HTML listo ({time.perf_counter() - t0:.1f} s)")
        if "pdf" in formats:
            t0 = time.perf_counter()
            written["pdf"] = html_to_pdf(html_path, stage / f"informe_{year}.pdf")
            progress(f"PDF listo ({time.perf_counter() - t0:.1f} s)")
        if "html" in formats:
            written["html"] = html_path
        else:
            html_path.unlink()
        swap_in(stage, out)
    shutil.rmtree(out / "fallidos", ignore_errors=True)  # a previous failure is now history
    final = {kind: out / path.relative_to(stage) for kind, path in written.items()}
    for kind in ("html", "pdf", "calidad"):
        if kind in final:
            progress(f"{kind.upper() if kind != 'calidad' else 'Revisión de calidad'}: {final[kind]}")
    progress(f"Listo en {time.perf_counter() - started:.1f} s.")
    return final


def _keep_failed(err: NotebookError, stage: Path, out: Path) -> NotebookError:
    """Keep the notebook that failed (with its error) in ``<out>/fallidos/``; the previous outputs stay as they were."""
    kept = out / "fallidos" / err.output.name
    if err.output.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(err.output, kept)
    return NotebookError(err.job, kept, err.ename, err.evalue, err.cell_index, err.execution_count, err.traceback,
                         cwd=Path.cwd())
