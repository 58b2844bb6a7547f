"""Stage 5: build orchestration — papermill per notebook, open-data exports, HTML, PDF.

``informe build --year Y`` = :func:`build`. The data are validated before any
notebook runs (a data problem is reported once, with file and line, instead of
failing inside every notebook). Outputs go to ``outputs/<Y>/`` (or ``--out``):

* ``notebooks/`` — the executed notebooks (``07_objetivo.ipynb`` runs once per objective);
* ``datos/`` — ``indicadores_<Y>.csv`` and ``resumen_<Y>.csv``;
* ``informe_<Y>.html`` and ``informe_<Y>.pdf``, each written atomically;
* ``calidad_<Y>.html`` — the data-quality review for evaluators (not part of the official report).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from . import config, narrative, quality
from .execute import NotebookJob, run_notebooks
from .export import check_year, export
from .load import Dataset, load
from .params import load_params
from .problems import DataError

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
    base = {"anio": year, "data_dir": str(Path(data_dir).resolve()), "params_file": str(Path(params_path).resolve())}
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


def build(year: int, *, data_dir: Path | str | None = None, params_path: Path | str | None = None,
          out_dir: Path | str | None = None, formats: list[str] | tuple[str, ...] = ("html", "pdf"),
          workers: int = 2, progress: Callable[[str], None] = print) -> dict[str, Path]:
    """Build the year's report; returns the paths written by kind (html, pdf, datos, notebooks)."""
    from .render import html_to_pdf, stitch_html  # heavy imports (nbconvert, WeasyPrint) only when building

    started = time.perf_counter()
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    params_path = Path(params_path) if params_path else config.params_file(year)
    params = load_params(year, params_path, required=True)
    dataset = load(data_dir)
    check_year(dataset, year)
    problems = narrative.check(data_dir, year)
    if problems:
        raise DataError(problems)
    out = config.output_dir(year, out_dir)
    notebooks_out = out / "notebooks"
    if notebooks_out.exists():
        shutil.rmtree(notebooks_out)  # executed notebooks are regenerated; none from an older run may linger
    notebooks_out.mkdir(parents=True)

    written: dict[str, Path] = {"notebooks": notebooks_out}
    progress(f"Informe {year} de {dataset.dependencia.get('nombre')} — datos: {data_dir}, salida: {out}")
    datos = export(dataset, year, params, out)
    written["datos"] = datos[0].parent
    progress(f"Datos abiertos escritos en {written['datos']}")
    written["calidad"] = quality.write_review(dataset, year, params, out / f"calidad_{year}.html",
                                              dependencia=str(dataset.dependencia.get("nombre", "")))
    progress(f"Revisión de calidad de los datos: {written['calidad']}")

    jobs = plan(dataset, year, data_dir, params_path, notebooks_out)
    progress(f"Ejecutando {len(jobs)} cuadernos con papermill ({workers} en paralelo)…")
    executed = run_notebooks(jobs, workers=workers, progress=progress)

    title = f"{params['titulo']} — {dataset.dependencia.get('nombre')}"
    html_path = out / f"informe_{year}.html"
    with tempfile.TemporaryDirectory(prefix="informe-") as scratch:
        target = html_path if "html" in formats else Path(scratch) / html_path.name
        t0 = time.perf_counter()
        stitch_html(executed, target, title=title)
        if "html" in formats:
            written["html"] = target
            progress(f"HTML: {target} ({time.perf_counter() - t0:.1f} s)")
        if "pdf" in formats:
            t0 = time.perf_counter()
            written["pdf"] = html_to_pdf(target, out / f"informe_{year}.pdf")
            progress(f"PDF: {written['pdf']} ({time.perf_counter() - t0:.1f} s)")
    progress(f"Listo en {time.perf_counter() - started:.1f} s.")
    return written
