"""Printing of the stitched HTML report to PDF with headless Chromium.

PDF (:func:`html_to_pdf`)
    Headless Chromium (:mod:`informe.construccion.chromium`) prints the same HTML with the ``print`` media
    rules of ``informe.css``: US letter, the cover on its own named page without header or footer,
    "Página X de Y" in the page's margin box, every section on a new page. Chromium has CSS page
    margin boxes and named pages but not ``string-set`` nor ``target-counter``, so ``papel.js``
    prepares the page before each print: each section gets a named page whose header carries its
    title (and every page the report's title), and each entry of the index the number of the page
    its target fell on in the previous print. The first print is a draft that paints only the index
    links and their targets (half the time: visibility does not change the layout); the second,
    final print has the page numbers, whose fixed width leaves the layout as it was (checked: the
    prints go on until the numbers stop changing). The browser is offline: a stray remote
    reference can never hang the build.

    The PDF is **tagged** (Chromium's structure tree: headings, paragraphs, lists, tables with
    their header cells, figures with their ``alt`` text, links), with the language
    (``<html lang>``) and the title (``<title>``, shown instead of the file name); its bookmarks
    are the sections and subsections (Chromium's destinations, the headings' own text). The
    open-data files are embedded (pikepdf) with their MIME type, relationship ``Data`` and the date
    config.REPRODUCIBLE_DATE, and listed as the document's associated files. No date of the build is
    kept and the file identifier is a digest of the content: the same HTML and attachments give
    the same bytes. It is not PDF/A: Chromium does not write it (an earlier version printed with
    WeasyPrint as PDF/A-3u, three times slower).

It writes atomically: a temporary file, then :func:`os.replace`; on any error a previous PDF is left untouched.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Iterable

from informe import config
from informe.construccion.html import TEMPLATE_NAME
from informe.escritura import atomic_path

log = logging.getLogger(__name__)


#: MIME type of an attachment by extension (not the system's mimetypes database: same bytes everywhere).
ATTACHMENT_TYPES = {".csv": "text/csv", ".json": "application/json",
                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


#: The browser that prints the PDF: the program named by INFORME_CHROMIUM, else the first of these on PATH.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


#: Prepares the page for paper before each print (running header, index page numbers; see the file).
PAPER_SCRIPT = config.TEMPLATES_DIR / TEMPLATE_NAME / "papel.js"


#: The PDF's ``/Creator`` (the browser's user agent otherwise).
CREATOR = "informe + nbconvert"


#: Prints needed at most for the index's page numbers to settle (their width is fixed, so two suffice).
MAX_PRINTS = 3


def chromium() -> str:
    """The Chromium (or Chrome) executable that prints the PDF."""
    import os
    import shutil

    from informe.problemas import InformeError

    named = os.environ.get("INFORME_CHROMIUM")
    found = shutil.which(named) if named else next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    if not found:
        raise InformeError(
            (f"INFORME_CHROMIUM={named}: no es un programa que se pueda ejecutar. " if named else
             "No se encontró Chromium, que imprime el PDF. ")
            + "Instale Chromium (apt-get install chromium) o indique en INFORME_CHROMIUM la ruta de un "
              "Chromium o Chrome; o construya solo el HTML con --format html.")
    return found


def browser_identity() -> str:
    """The browser that would print, as its path, size and modification time (an upgrade changes it);
    empty if there is none. Cheap: no process is started."""
    import os

    from informe.problemas import InformeError

    try:
        path = os.path.realpath(chromium())
        stat = os.stat(path)
    except (InformeError, OSError):
        return ""
    return f"{path}:{stat.st_size}:{int(stat.st_mtime)}"


def _anchor_pages(pdf) -> dict[str, int]:
    """Page number (1-based) of every named destination of a PDF Chromium printed: the targets of the
    document's internal links, i.e. the entries of the index."""
    page_of = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}
    dests = pdf.Root.get("/Dests")
    return {} if dests is None else {str(name)[1:]: page_of[dest[0].objgen] for name, dest in dests.items()}


def _print(page, *, final: bool) -> bytes:
    """One print of the loaded report: the CSS page size and margins, backgrounds; the final print tagged
    (structure tree) and with Chromium's outline, whose destinations :func:`_outline` keeps."""
    return page.print_pdf(preferCSSPageSize=True, printBackground=True, generateTaggedPDF=final,
                          generateDocumentOutline=final)


def _print_report(html: Path) -> tuple[bytes, list[dict]]:
    """Print ``html`` with Chromium, offline: prepare the page for paper and print a draft, give the index
    the page numbers of that print, print again until they no longer change (once: they have a fixed
    width). Returns the final PDF and the headings of the report (see ``papel.js``)."""
    import pikepdf

    from informe.construccion.chromium import Chromium

    script = PAPER_SCRIPT.read_text(encoding="utf-8")
    with Chromium(chromium()) as browser:
        page = browser.open(html)
        pages = None
        for _ in range(MAX_PRINTS):
            headings = page.evaluate(script, pages)
            data = _print(page, final=pages is not None)
            with pikepdf.open(io.BytesIO(data)) as printed:
                found = _anchor_pages(printed)
            if found == pages:
                return data, headings
            pages = found
    raise RuntimeError(f"los números de página del índice no se estabilizan tras {MAX_PRINTS} impresiones")


def _outline(pdf, headings: list[dict]) -> None:
    """The PDF's bookmarks: sections (h1) and subsections (h2), nothing of the cover nor below h2, titled
    with the headings' text. Chromium's outline has every heading, in order, with the right destination
    but with the spaces lost where a heading wraps: its destinations are kept, its titles replaced."""
    from pikepdf import OutlineItem

    with pdf.open_outline() as outline:
        printed = []

        def walk(items):
            for item in items:
                printed.append(item)
                walk(item.children)

        walk(outline.root)
        if len(printed) != len(headings):  # not the headings we know: Chromium's own outline stays
            log.warning("marcadores del PDF: %d en Chromium, %d encabezados; se dejan los de Chromium",
                        len(printed), len(headings))
            return
        root, section = [], None
        for item, heading in zip(printed, headings):
            if heading["portada"] or heading["nivel"] > 2:
                continue
            mark = OutlineItem(heading["texto"], destination=item.destination, action=item.action)
            if heading["nivel"] == 1:
                section = mark
                root.append(mark)
            else:
                (section.children if section is not None else root).append(mark)
        outline.root[:] = root


def _stable_ids(pdf) -> None:
    """The same bytes for the same HTML: Chromium names the elements of the structure tree after its own
    DOM node numbers, which shift from one run to the next (and gives the file a random identifier).
    Renumber them in order, in the ID tree and in the table cells' ``/Headers`` that refer to them; drop
    the identifier (pikepdf writes one from the content)."""
    from pikepdf import Array, Dictionary, Name, NameTree, String

    root = pdf.Root.get("/StructTreeRoot")
    if root is not None and "/IDTree" in root:
        tree = NameTree(root.IDTree)
        new = {name: f"node{n:08d}" for n, name in enumerate(tree.keys(), 1)}  # the tree's order: sorted
        renumbered = NameTree.new(pdf)
        for name, element in tree.items():
            element.ID = String(new[name])
            renumbered[new[name]] = element
        root.IDTree = renumbered.obj
        for obj in pdf.objects:
            if isinstance(obj, Dictionary) and obj.get("/Type") == Name.StructElem and "/A" in obj:
                for attributes in (obj.A if isinstance(obj.A, Array) else [obj.A]):
                    if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                        attributes.Headers = Array([String(new[str(h)]) for h in attributes.Headers])
    if "/ID" in pdf.trailer:
        del pdf.trailer.ID


def _attach(pdf, path: Path) -> None:
    """Embed ``path``: its name, its MIME type, relationship Data, dated config.REPRODUCIBLE_DATE; and list it in
    the catalog's associated files (``/AF``)."""
    import pikepdf
    from pikepdf.models.metadata import encode_pdf_date

    date = encode_pdf_date(config.REPRODUCIBLE_DATE)
    spec = pikepdf.AttachedFileSpec(
        pdf, path.read_bytes(),  # a missing file fails the print
        filename=path.name, mime_type=ATTACHMENT_TYPES.get(path.suffix.lower(), "application/octet-stream"),
        creation_date=date, mod_date=date, relationship=pikepdf.Name.Data)
    pdf.attachments[path.name] = spec
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()
    pdf.Root.AF.append(pdf.attachments[path.name].obj)


def html_to_pdf(html: Path, pdf: Path, attachments: Iterable[Path] = ()) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (see the module docstring): tagged, with the
    report's title and language, bookmarks of its sections, and the files ``attachments`` embedded;
    atomically, and the same bytes for the same HTML and attachments."""
    import pikepdf

    html, pdf = Path(html), Path(pdf)
    data, headings = _print_report(html)
    with pikepdf.open(io.BytesIO(data)) as document:
        _outline(document, headings)
        _stable_ids(document)
        # by name: the name tree of embedded files is sorted
        for path in sorted(map(Path, attachments), key=lambda p: p.name):
            _attach(document, path)
        info = document.docinfo
        for key in ("/CreationDate", "/ModDate"):  # the time of the build: never in an output
            if key in info:
                del info[key]
        info.Creator = CREATOR
        with atomic_path(pdf) as tmp:
            document.save(tmp, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return pdf
