"""Stitching of the executed notebooks into ONE self-contained HTML report, and
printing of that HTML to PDF with WeasyPrint.

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

PDF (:func:`html_to_pdf`)
    WeasyPrint renders the same HTML with the ``print`` media rules of
    ``informe.css`` (US letter, running header from ``string-set``, "Página X de Y"
    footer, cover on its own named page). Only ``data:`` and ``file:`` URLs may be
    fetched, so a stray remote reference can never hang the build.

    The PDF is **PDF/A-3u with structure tags** (:data:`PDF_OPTIONS`): the tags (headings,
    paragraphs, lists, tables with their header cells, figures with their ``alt`` text,
    links) let a screen reader navigate it, with the language (``<html lang>``) and the
    title (``<title>``, shown instead of the file name) in the catalog; PDF/A-3 is the ISO
    archival profile that allows any file to be embedded, each with its MIME type and
    relationship, so the report carries its open data (``attachments``: the files of
    ``datos/``, relationship ``Data``). The attachments are dated REPRODUCIBLE_DATE, never
    the time of the build, and the file identifier is a digest of the content: the same HTML
    and attachments give the same bytes. Level "u" (every glyph maps to Unicode: text can
    be searched and copied) is the one WeasyPrint meets by construction; ``pdf/a-3a`` and
    ``pdf/ua-1`` would add the same tags but declare accessibility conformance that no
    validator has checked here (there is no veraPDF in the toolchain), and ``pdf/ua-1``
    does not relate the attachments to the document.

Both functions write atomically: a temporary file in the destination directory,
then :func:`os.replace`; on any error the temporary file is removed and a
previous report is left untouched.
"""

from __future__ import annotations

import base64
import copy
import gc
import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from informe import config
from informe.files import atomic_path

__all__ = ["stitch_html", "html_to_pdf", "TEMPLATE_NAME", "PDF_OPTIONS"]

log = logging.getLogger(__name__)

TEMPLATE_NAME = "informe"

#: WeasyPrint's options for the report's PDF (see the module docstring).
PDF_OPTIONS = {"pdf_variant": "pdf/a-3u", "pdf_tags": True}
#: The date inside generated files that need one (PDF attachments, the XLSX's ZIP entries): fixed, so
#: that no date of the machine reaches an output (1980-01-01, the earliest date a ZIP entry can hold).
REPRODUCIBLE_DATE = datetime(1980, 1, 1, tzinfo=timezone.utc)
#: MIME type of an attachment by extension (not the system's mimetypes database: same bytes everywhere).
ATTACHMENT_TYPES = {".csv": "text/csv", ".json": "application/json",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

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


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(config.TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.exclude_anchor_links = True
    c.HTMLExporter.embed_images = True
    c.NbConvertBase.display_data_priority = list(DISPLAY_PRIORITY)
    c.TagRemovePreprocessor.enabled = True
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
        "informe": {"title": title, "lang": lang},
        "metadata": {"name": title, "path": first_dir},
    }
    html, _ = _exporter().from_notebook_node(merged, resources=resources)
    with atomic_path(out_html) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out_html


_KNOWN_WARNINGS = re.compile(
    r"Ignored `(?:-webkit-)?print-color-adjust"
    r"|Ignored `(?:fill|stroke|stop|clip|marker|paint-order|shape-rendering|text-rendering"
    r"|text-anchor|dominant-baseline|alignment-baseline|color-interpolation|mix-blend-mode)[-a-z]*\s*:"
)


class _DropKnownWarnings(logging.Filter):
    """Warnings that are not news, dropped so real ones stand out:

    * ``print-color-adjust`` is for browsers (WeasyPrint always prints backgrounds);
    * SVG presentation properties in the ``style`` attributes of inline SVG
      (matplotlib writes ``style="fill: …"``): WeasyPrint's CSS parser warns about
      them, its SVG renderer applies them (hundreds of lines per report otherwise).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not _KNOWN_WARNINGS.search(record.getMessage())


def _offline_fetcher():
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"data", "file"})


def _attachment(path: Path, fetcher):
    """``path`` as a PDF attachment: its name, its MIME type, dated REPRODUCIBLE_DATE."""
    from weasyprint import Attachment

    media_type = ATTACHMENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
    content = base64.b64encode(path.read_bytes()).decode("ascii")  # a missing file fails the print
    return Attachment(url=f"data:{media_type};base64,{content}", url_fetcher=fetcher, name=path.name,
                      created=REPRODUCIBLE_DATE, modified=REPRODUCIBLE_DATE, relationship="Data")


def _associated_files_once(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's ``/AF`` (from the name tree and from
    the file specifications): keep the first of each, in order."""
    if "AF" in pdf.catalog:
        import pydyf

        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def html_to_pdf(html: Path, pdf: Path, attachments: Iterable[Path] = ()) -> Path:
    """Print ``html`` to ``pdf`` with WeasyPrint (CSS paged media), tagged PDF/A-3u with the files
    ``attachments`` embedded, atomically."""
    from weasyprint import HTML

    html, pdf = Path(html), Path(pdf)
    weasy_log = logging.getLogger("weasyprint")
    quiet = _DropKnownWarnings()
    weasy_log.addFilter(quiet)
    # WeasyPrint makes millions of short-lived objects: the collector need not scan again and again
    # what the process held before the print (in a build: pandas, nbconvert, the notebooks).
    gc.freeze()
    try:
        fetcher = _offline_fetcher()
        # by name: the PDF's name tree of embedded files must be sorted (WeasyPrint keeps the given order)
        files = [_attachment(path, fetcher) for path in sorted(map(Path, attachments), key=lambda p: p.name)]
        document = HTML(filename=str(html), url_fetcher=fetcher, media_type="print").render()
        with atomic_path(pdf) as tmp:
            document.write_pdf(str(tmp), attachments=files, finisher=_associated_files_once, **PDF_OPTIONS)
    finally:
        gc.unfreeze()
        weasy_log.removeFilter(quiet)
    return pdf
