"""The steps of one report, written once: ``informe construir`` calls them in a row, ``informe lote`` runs
each as a Dask task for every agency.

1. :func:`fingerprints` — what the report depends on; :func:`informe.construccion.huella.unchanged` then says
   whether the output folder already holds it.
2. :func:`prepare` — with the validated inputs (:func:`informe.datos.entradas.year_inputs`), in the staging
   directory: the inputs kept for the kernels (:mod:`informe.datos.contexto`), the notebook jobs in report
   order (:func:`plan`; those whose inputs are unchanged restored from the notebook cache), the open data
   (``datos/``) and the quality review. Returns a :class:`Prepared`.
3. :func:`run_notebook` — one notebook (papermill in this process's kernel), kept in the notebook cache at once
   when it succeeds; :func:`failure` turns a failed result into the error the user reads (with the cell), and
   :func:`keep_failure` keeps the failed notebook in ``<salida>/fallidos/``.
4. :func:`assemble` — provenance, the stitched HTML, the PDF (the previous one kept when the HTML, its
   attachments and the printing are the same: :func:`same_print`) and the record of the build (the manifest).
5. :func:`settle` — the staging directory swapped into the output folder; earlier failures cleared.

Every value passed between steps is plain (paths, strings, dataclasses of them): it pickles to a Dask worker.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from informe import config
from informe.construccion import huella
from informe.construccion.salida import clear_failed, keep_failed, swap_in
from informe.escritura import write_text_atomic

if TYPE_CHECKING:  # the unchanged rebuild imports this module and nothing heavy: the rest when there is work
    from informe.construccion.ejecucion import NotebookError, NotebookJob

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
#: Manifest entry recording how the PDF was printed (a PDF is reused only if printed the same way).
PRINT_KEY = "impresion"


@dataclass
class Report:
    """One report to build: the agency's data, the year, its parameters (``None``: the defaults), where it goes
    (``out``, written through ``stage``), the formats, and whether everything is redone (``force``)."""

    data_dir: Path
    year: int
    params_path: Path | None
    out: Path
    stage: Path
    formats: tuple[str, ...] = ("html", "pdf")
    force: bool = False
    notebooks_dir: Path | None = None  # where the notebooks are (default: the package's)

    def __post_init__(self) -> None:
        self.data_dir, self.out, self.stage = Path(self.data_dir), Path(self.out), Path(self.stage)
        self.params_path = Path(self.params_path) if self.params_path else None
        self.formats = tuple(self.formats)


@dataclass
class Prepared:
    """What :func:`prepare` left in the staging directory and what the next steps need."""

    nombre: str
    title: str
    jobs: list[NotebookJob]
    to_run: list[int]  # indices in ``jobs`` of the notebooks to execute (the others came from the cache)
    attachments: list[Path]  # the open-data files, which the PDF carries
    counts: dict[str, int] = field(default_factory=dict)  # the ``total`` row of resumen_<Y>.csv


def fingerprints(data_dir: Path, params_path: Path | None, year: int, formats) -> tuple[str, str]:
    """(what every notebook reads, what the whole report depends on): :mod:`informe.construccion.huella`."""
    notebook_key = huella.notebook_inputs(data_dir, params_path, year)
    return notebook_key, huella.build_inputs(notebook_key, data_dir, year, formats)


def project_path(path: Path | str) -> str:
    """``path`` relative to the project when it lies inside it (what the notebooks record), else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(config.ROOT))
    except ValueError:
        return str(path)


def plan(dataset, year: int, data_dir: Path, params_path: Path | None, notebooks_out: Path,
         notebooks_dir: Path | None = None, fingerprint: str = "", params: dict | None = None) -> list[NotebookJob]:
    """The papermill jobs of one report, in report order (``fingerprint``: the ``huella`` parameter;
    ``params_path`` ``None``: the notebooks use the default parameters, as validated). Each job's cache key
    covers the code, the parameters, the narrative it reads and the data it shows (:func:`huella.data_key`)."""
    from informe.construccion.ejecucion import NotebookJob

    source_dir = notebooks_dir or config.NOTEBOOKS_DIR
    base = {"anio": year, "data_dir": project_path(data_dir),
            "params_file": project_path(params_path) if params_path else ""}
    jobs = []
    code = huella.code_inputs(params_path, year) if fingerprint else ""
    for name, label in NOTEBOOKS:
        stem = Path(name).stem
        if fingerprint:
            base["huella"] = huella.notebook_key(fingerprint, data_dir, stem, year)
        narrative = base.get("huella", "").rpartition("-")[2]
        key = functools.partial(_cache_key, code, narrative, dataset, huella.tables(stem), params) if fingerprint \
            else (lambda objetivo_id=None: "")
        if name == PER_OBJECTIVE:
            counts = dataset.indicadores["objetivo_id"].value_counts()
            for objetivo_id in dataset.objetivos["objetivo_id"]:
                jobs.append(NotebookJob(source_dir / name, notebooks_out / f"{stem}_{objetivo_id}.ipynb",
                                        {**base, "objetivo_id": int(objetivo_id)},
                                        label.format(objetivo_id=objetivo_id),
                                        weight=2 + int(counts.get(objetivo_id, 0)),  # charts per indicator
                                        cache_key=key(int(objetivo_id))))
        else:
            jobs.append(NotebookJob(source_dir / name, notebooks_out / name, dict(base), label, cache_key=key()))
    return jobs


def _cache_key(code: str, narrative: str, dataset, declared: tuple[str, ...], params: dict | None,
               objetivo_id: int | None = None) -> str:
    """A notebook's key in the notebook cache: the code and parameters, the data it shows, the narrative it reads."""
    return f"{code[:32]}-{huella.data_key(dataset, declared, objetivo_id, params)[:32]}-{narrative}"


def prepare(report: Report, dataset, params: dict, notebook_key: str, cache) -> Prepared:
    """Step 2 (see the module docstring), for valid inputs; ``cache`` is the notebook cache."""
    from informe.calculo.datos_abiertos import export
    from informe.datos import contexto
    from informe.reporte.revision import write_review

    year, stage = report.year, report.stage
    nombre = str(dataset.dependencia.get("nombre", ""))
    contexto.save(cache.folder, notebook_key, dataset, params)  # the kernels read it instead of validating again
    jobs = plan(dataset, year, report.data_dir, report.params_path, stage / "notebooks", report.notebooks_dir,
                fingerprint=notebook_key, params=params)
    to_run = [i for i, job in enumerate(jobs) if report.force or not cache.restore(job)]
    attachments = export(dataset, year, params, stage)
    write_review(dataset, year, params, stage / f"calidad_{year}.html", dependencia=nombre)
    return Prepared(nombre, f"{params['titulo']} — {nombre}", jobs, to_run, attachments,
                    read_summary(stage / "datos" / f"resumen_{year}.csv"))


#: The summary counts of each agency (columns of ``datos/resumen_<Y>.csv``), in order.
COUNTS = ("indicadores", "con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica")


def read_summary(path: Path) -> dict[str, int]:
    """The ``total`` row of ``datos/resumen_<Y>.csv``."""
    import csv

    from informe.problemas import InformeError

    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["objetivo_id"] == "total":
                return {column: int(row[column]) for column in COUNTS}
    raise InformeError(f"{path} no tiene la fila «total».")


def run_notebook(job: NotebookJob, cache, cwd: Path | None = None) -> dict:
    """Step 3 for one notebook, in this process (a Dask worker of ``informe lote``): its result
    (:func:`informe.construccion.ejecucion.execute_job`) plus ``seconds``; a success is kept in ``cache`` at once."""
    import logging

    from informe.construccion.ejecucion import execute_job, payload

    t0 = time.perf_counter()  # the kernel spec: ensure_python_kernel(), once per process
    result = execute_job(**payload(job, cwd or config.ROOT))
    result["seconds"] = round(time.perf_counter() - t0, 3)
    if result.get("ok"):
        try:
            cache.store(job)
        except Exception:  # noqa: BLE001 — the cache can only miss: a notebook not kept runs again next time
            logging.getLogger(__name__).warning("No se guardó en la caché el cuaderno %s", job.output, exc_info=True)
    return result


def failure(job: NotebookJob, result: dict, out: Path, cwd: Path | None = None) -> NotebookError | OSError:
    """The error of a notebook that failed (``result`` of :func:`run_notebook`), its notebook kept in
    ``<out>/fallidos/``: a :class:`NotebookError` naming the cell, or the :class:`OSError` of a disk that failed."""
    from informe.construccion.ejecucion import NotebookError, notebook_error

    err = notebook_error(job, result, cwd)
    return keep_failure(err, out) if isinstance(err, NotebookError) else err


def keep_failure(err: NotebookError, out: Path) -> NotebookError:
    """Keep the notebook that failed (with its error) in ``<out>/fallidos/``; the previous outputs stay as they were."""
    from informe.construccion.ejecucion import NotebookError

    kept = keep_failed(err.output, out) if err.output.exists() else out / "fallidos" / err.output.name
    return NotebookError(err.job, kept, err.ename, err.evalue, err.cell_index, err.execution_count, err.traceback,
                         cwd=Path.cwd())


def assemble(report: Report, prepared: Prepared, key: str, progress: Callable[[str], None] | None = None) -> dict:
    """Step 4 (see the module docstring): provenance, HTML, PDF and the manifest, in the staging directory.
    Returns the files written by kind (``html``, ``pdf``) and the seconds each took (``None``: reused)."""
    from informe.construccion.html import publish_html
    from informe.construccion.pdf import html_to_pdf

    progress = progress or (lambda line: None)
    stage, year = report.stage, report.year
    for job in prepared.jobs:
        record_provenance(job.output, job.source, report.out / "notebooks" / job.output.name)
    html = stage / f"informe_{year}.html"
    t0 = time.perf_counter()
    publish_html([job.output for job in prepared.jobs], [job.label for job in prepared.jobs], html,
                 title=prepared.title)
    done = {"html_seconds": round(time.perf_counter() - t0, 3), "pdf_seconds": None}
    progress(f"HTML listo ({done['html_seconds']:.1f} s)")
    if "pdf" in report.formats:
        pdf = stage / f"informe_{year}.pdf"
        previous = report.out / pdf.name
        if not report.force and previous.is_file() and same_print(report.out, stage, [html, *prepared.attachments]):
            shutil.copy2(previous, pdf)
            progress("PDF sin cambios (el HTML y los datos abiertos son idénticos a los anteriores).")
        else:
            t0 = time.perf_counter()
            html_to_pdf(html, pdf, attachments=prepared.attachments)
            done["pdf_seconds"] = round(time.perf_counter() - t0, 3)
            progress(f"PDF listo ({done['pdf_seconds']:.1f} s)")
        done["pdf"] = pdf
    if "html" in report.formats:
        done["html"] = html
    else:
        html.unlink()
    write_manifest(stage, key)
    return done


def settle(report: Report) -> None:
    """Step 5: the complete report in the staging directory replaces the previous one in the output folder
    (only the files that build recorded); the notebooks kept by earlier failures are now history."""
    swap_in(report.stage, report.out)
    clear_failed(report.out)


def record_provenance(executed: Path, source: Path, final: Path) -> None:
    """papermill records the paths it was given; record the project-relative source and final path."""
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata.setdefault("papermill", {})
    nb.metadata["papermill"]["input_path"] = project_path(source)
    nb.metadata["papermill"]["output_path"] = project_path(final)
    nbformat.write(nb, str(executed))


def write_manifest(stage: Path, key: str) -> None:
    """Record the finished build in ``stage`` (:func:`informe.construccion.huella.manifest`) with how its PDF
    was printed (:func:`print_settings`)."""
    record = huella.manifest(stage, key)
    record[PRINT_KEY] = print_settings()
    write_text_atomic(stage / huella.MANIFEST, json.dumps(record, indent=1) + "\n")


def print_settings() -> str:
    """What the PDF's bytes depend on besides the HTML and its attachments: the printing code and the browser."""
    from informe.construccion import chromium, pdf

    code = [Path(pdf.__file__), Path(chromium.__file__), pdf.PAPER_SCRIPT]
    return "-".join(huella.file_digest(path)[:12] for path in code) + "-" + pdf.browser_identity()


def same_print(out: Path, stage: Path, inputs: list[Path]) -> bool:
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
