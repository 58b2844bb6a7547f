"""The state's consolidated report of an ``informe lote`` year, built as an agency's report is: the notebooks of
``informe/cuadernos/estado/`` executed with papermill (one per section), stitched by nbconvert into
``estado_<Y>.html`` and printed by Chromium into ``estado_<Y>.pdf`` (with the state's dataset attached), the
reviewers' pages of the executed notebooks in ``cuadernos_estado_<Y>/``, and the state's dataset in
``datos_estado_<Y>/`` (:func:`informe.calculo.datos_abiertos.export_state`). Every name carries the year: none
can be an agency's folder (an agency's data folder is often called ``datos``, and its report goes to
``<out>/datos/``).

:func:`build` runs in a Dask worker of the lote, after every agency of the year is settled. It is incremental:
its fingerprint covers what it reads (the year's ``consolidado_<Y>.csv`` and the open data of every built agency,
of this year and of the earlier years of the run, for the trend), the package's code, the notebooks and the
stylesheet; an unchanged state report is not rebuilt. Everything is written in a staging folder and moved into
place at the end: a failure leaves the previous state report as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from informe import config
from informe.construccion import huella
from informe.escritura import write_text_atomic

#: The notebooks of the state's report, in order, and their labels.
NOTEBOOKS = [
    ("00_portada.ipynb", "Portada, índice e introducción"),
    ("01_resumen.ipynb", "Resumen por dependencia"),
    ("02_atencion.ipynb", "Indicadores que requieren atención"),
    ("03_ejes.ipynb", "Por eje del Plan Estatal de Desarrollo"),
    ("04_tendencia.ipynb", "Tendencia por dependencia"),
    ("05_fallidas.ipynb", "Dependencias sin informe"),
]
FOLDER = "estado"  # under config.NOTEBOOKS_DIR


def notebooks_dir() -> Path:
    return config.NOTEBOOKS_DIR / FOLDER


def paths(out: Path, year: int) -> dict[str, Path]:
    """Where the state's report of ``year`` goes in the lote's output folder ``out``."""
    out = Path(out)
    return {"html": out / f"estado_{year}.html", "pdf": out / f"estado_{year}.pdf",
            "cuadernos": out / f"cuadernos_estado_{year}", "datos": out / f"datos_estado_{year}",
            "manifiesto": out / f".estado_{year}.json"}


def fingerprint(out: Path, year: int, years: list[int], formats) -> str:
    """What the state's report of ``year`` depends on (see the module docstring): the package's code (the section
    templates and the chart styles too: :func:`huella.code_inputs`), its notebooks and the stitching files
    (:func:`huella.report_entries`), and the lote's outputs it reads."""
    out = Path(out)
    entries: list[tuple[str, Path | bytes]] = [("codigo", huella.code_inputs(None, year).encode()),
                                               *huella.report_entries(notebooks_dir(), year, formats)]
    for y in sorted(y for y in {*years, year} if y <= year):
        folder = out if y == year else out.parent / str(y)
        table = folder / f"consolidado_{y}.csv"
        if not table.is_file():
            continue
        entries.append((f"{y}/consolidado", table))
        for data in sorted(folder.glob(f"*/datos/*_{y}.csv")):
            entries.append((f"{y}/{data.relative_to(folder)}", data))
    return huella.digest(entries)


def unchanged(out: Path, year: int, key: str, formats) -> bool:
    where = paths(out, year)
    try:
        recorded = json.loads(where["manifiesto"].read_text(encoding="utf-8")).get("huella")
    except (OSError, ValueError):
        return False
    return recorded == key and all(where[kind].is_file() for kind in formats)


def build(out: Path | str, year: int, years: list[int] | None = None, formats=("html", "pdf"),
          force: bool = False) -> dict:
    """Build the state's report of ``year`` in the lote's output folder ``out`` (see the module docstring).
    Returns ``unchanged`` (nothing was redone) or the files written and the seconds it took."""
    from informe.calculo import datos_abiertos
    from informe.construccion.ejecucion import (
        NotebookJob,
        ensure_python_kernel,
        notebook_error,
    )
    from informe.construccion.html import publish_html
    from informe.construccion.pasos import run_notebook
    from informe.construccion.pdf import html_to_pdf
    from informe.reporte import estado as secciones_estado

    out, years = Path(out), sorted({*(years or []), int(year)})
    formats = tuple(formats)
    key = fingerprint(out, year, years, formats)
    if not force and unchanged(out, year, key, formats):
        return {"unchanged": True}
    started = time.perf_counter()
    ensure_python_kernel()
    where = paths(out, year)
    ctx = secciones_estado.abrir(year, out, years)
    with tempfile.TemporaryDirectory(prefix=f".estado-{year}-", dir=out) as tmp:
        stage = Path(tmp)
        attachments = datos_abiertos.export_state(ctx.estado, stage / where["datos"].name, ctx.gobierno)
        notebooks = stage / where["cuadernos"].name
        notebooks.mkdir()
        parameters = {"anio": int(year), "salida": str(out.resolve()), "anios": ",".join(map(str, years))}
        jobs = [NotebookJob(notebooks_dir() / name, notebooks / name, dict(parameters), label)
                for name, label in NOTEBOOKS]
        for job in jobs:
            result = run_notebook(job, _NoCache(), cwd=config.ROOT)
            if not result.get("ok"):
                raise notebook_error(job, result, config.ROOT)
        html = publish_html([job.output for job in jobs], [job.label for job in jobs], stage / where["html"].name,
                            title=ctx.titulo)
        if "pdf" in formats:
            html_to_pdf(html, stage / where["pdf"].name, attachments=attachments)
        # Into place: the dataset's and the notebooks' folders (ours: their names carry the year), the HTML and
        # the PDF, then the record of the build.
        for kind, made in (("datos", stage / where["datos"].name), ("cuadernos", notebooks)):
            if where[kind].exists():
                shutil.rmtree(where[kind])
            made.replace(where[kind])
        for kind in ("html", "pdf"):
            if kind in formats:
                (stage / where[kind].name).replace(where[kind])
            elif where[kind].exists():
                where[kind].unlink()
    seconds = round(time.perf_counter() - started, 3)
    write_text_atomic(where["manifiesto"], json.dumps({"huella": key, "segundos": seconds}) + "\n")
    return {"unchanged": False, "seconds": seconds,
            "files": [str(where[kind]) for kind in formats] + [str(where["datos"] / p.name) for p in attachments]}


class _NoCache:
    """The state's notebooks are cheap and their inputs are a whole lote: they are not kept in the notebook cache
    (the state report as a whole is skipped when its fingerprint is unchanged)."""

    def store(self, job) -> None:
        return None
