"""Stitching of the executed notebooks into ONE self-contained HTML report (and a page per notebook).

HTML (:func:`stitch_html`)
    The cells of the executed notebooks are concatenated, in order, into one
    in-memory notebook and exported with nbconvert's ``HTMLExporter``, the
    project template ``informe/templates/informe`` and nbconvert's own
    ``TagRemovePreprocessor``: cells tagged ``parameters``,
    ``injected-parameters``, ``remove-cell`` or ``exploracion`` are dropped,
    ``remove-output`` drops a cell's outputs. Inputs and prompts are excluded.
    The template shows only what the report is made of (HTML, Markdown,
    images, ``stdout``); ``stderr``, plain-text ``repr`` results, JavaScript
    and widgets never reach it, and a cell with nothing to show leaves no trace.

    There is no post-processing: the section functions emit the final markup
    (headings with their anchors, the table of contents, table classes) and
    charts are ``data:`` images, so nothing has to be repaired afterwards.

The page is printed by :mod:`informe.construccion.pdf`.

It writes atomically: a temporary file in the destination directory,
then :func:`os.replace`; on any error the temporary file is removed and a
previous report is left untouched.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from informe import config
from informe.escritura import atomic_path
from informe.reporte.presentacion import CONTENT_SECURITY_POLICY

__all__ = ["stitch_html", "notebook_pages", "publish_html", "TEMPLATE_NAME"]

log = logging.getLogger(__name__)

TEMPLATE_NAME = "informe"


#: Cells with any of these tags are not part of the report.
DROP_CELL_TAGS = frozenset(
    {"parameters", "injected-parameters", "remove-cell", "remove_cell", "exploracion", "papermill-error-cell-tag"}
)
#: Code cells with any of these tags run, but their outputs are not shown.
DROP_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

#: Output MIME types the report can show, in order of preference. No JavaScript,
#: no widgets: the report is static and must look the same on screen and on paper.
DISPLAY_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
]


# --------------------------------------------------------------------------- notebook


def _merge_notebooks(notebooks: list[Path], title: str):
    """One notebook with the cells of all, in order (cell ids renumbered to stay unique)."""
    import nbformat

    merged = nbformat.v4.new_notebook()
    merged.metadata["title"] = title
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        merged.metadata.setdefault("language_info", copy.deepcopy(nb.metadata.get("language_info", {})))
        merged.cells.extend(nb.cells)
    for n, cell in enumerate(merged.cells, 1):
        cell["id"] = f"c{n:05d}"
    return merged


def _exporter(*, whole: bool = False):
    """The report's exporter; ``whole``: for a notebook page (every cell, with its code)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(config.TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = not whole
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.exclude_anchor_links = True
    c.HTMLExporter.embed_images = True
    c.NbConvertBase.display_data_priority = list(DISPLAY_PRIORITY)
    c.TagRemovePreprocessor.enabled = not whole
    c.TagRemovePreprocessor.remove_cell_tags = set(DROP_CELL_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(DROP_OUTPUT_TAGS)
    return HTMLExporter(config=c)


# --------------------------------------------------------------------------- API


def stitch_html(
    notebooks: list[Path],
    out_html: Path,
    *,
    title: str,
    lang: str = "es",
) -> Path:
    """Concatenate the executed notebooks (in order) into one self-contained HTML
    report at ``out_html`` (see the module docstring). Returns ``out_html``."""
    out_html = Path(out_html)
    merged = _merge_notebooks([Path(p) for p in notebooks], title)
    first_dir = str(Path(notebooks[0]).resolve().parent) if notebooks else "."
    resources = {
        "informe": {"title": title, "lang": lang, "csp": CONTENT_SECURITY_POLICY},
        "metadata": {"name": title, "path": first_dir},
    }
    html, _ = _exporter().from_notebook_node(merged, resources=resources)
    with atomic_path(out_html) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out_html




def notebook_pages(notebooks: list[Path], labels: list[str], *, title: str, report: str, lang: str = "es") -> list[Path]:
    """Each executed notebook as an offline HTML page beside it (``<name>.html``: every cell with its code and
    outputs, parameters and exploration included; the report's template, stylesheet and
    Content-Security-Policy, so nothing runs and nothing loads), and :data:`NOTEBOOK_INDEX` linking them in
    report order with ``labels`` and back to the report (``report``: its file name, one folder up). For
    reviewers, who read how each section was computed. Returns the pages written, the index last."""
    import nbformat

    from informe.reporte.presentacion import render, stylesheet

    exporter = _exporter(whole=True)
    pages = []
    for path, label in zip(map(Path, notebooks), labels):
        resources = {"informe": {"title": f"{label} — {title}", "lang": lang, "csp": CONTENT_SECURITY_POLICY,
                                 "cuaderno": {"etiqueta": label, "archivo": path.name, "indice": config.NOTEBOOK_INDEX}},
                     "metadata": {"name": path.stem, "path": str(path.parent)}}
        html, _ = exporter.from_notebook_node(nbformat.read(str(path), as_version=4), resources=resources)
        page = path.with_suffix(".html")
        with atomic_path(page) as tmp:
            tmp.write_text(html, encoding="utf-8")
        pages.append(page)
    index = Path(notebooks[0]).parent / config.NOTEBOOK_INDEX
    listed = [{"etiqueta": label, "pagina": page.name, "cuaderno": page.with_suffix(".ipynb").name}
              for page, label in zip(pages, labels)]
    with atomic_path(index) as tmp:
        tmp.write_text(render("cuadernos.html.j2", titulo=title, cuadernos=listed, informe=report, css=stylesheet()),
                       encoding="utf-8")
    return [*pages, index]


def publish_html(notebooks: list[Path], labels: list[str], out_html: Path, *, title: str) -> Path:
    """The report's HTML (:func:`stitch_html`) and the reviewers' notebook pages (:func:`notebook_pages`):
    what ``informe construir`` and each agency of ``informe lote`` write from the executed notebooks."""
    html = stitch_html(notebooks, out_html, title=title)
    notebook_pages(notebooks, labels, title=title, report=Path(out_html).name)
    return html




















