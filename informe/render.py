"""Stitching of the executed notebooks into ONE self-contained HTML report, and
printing of that HTML to PDF with WeasyPrint.

HTML (:func:`stitch_html`)
    The cells of the executed notebooks are concatenated, in the given order,
    into one in-memory notebook (cells tagged ``parameters``,
    ``injected-parameters``, ``remove-cell``/``remove_cell`` and papermill's
    error markers are dropped; ``stderr`` streams are dropped; ``remove-output``
    drops a cell's outputs) and exported with nbconvert's ``HTMLExporter`` and the
    project template ``informe/templates/informe`` (inputs and prompts excluded).

    No network: the template has no ``<script>``/``<link>``, no MathJax nor
    require.js; the stylesheet ``informe.css`` is inlined and uses only local
    fonts; images are ``data:`` URIs (matplotlib SVG as base64 ``<img>``, so the
    ids of different figures never collide). As a last guard every ``<script>``,
    every ``<link>`` to an external URL and every ``@import`` is removed from the
    final document (notebook outputs could contain them).

    Table of contents: every ``h1.seccion`` / ``h2.subseccion`` (in document order)
    gets an id if it has none (a slug of its text, made unique) and an entry in
    ``<nav class="indice">``, placed right after ``section.portada`` (if present),
    else at the top of the report. In the PDF each entry shows its page number via
    ``target-counter(attr(href), page)`` with a dotted ``leader('.')``.

PDF (:func:`html_to_pdf`)
    WeasyPrint renders the same HTML with the ``print`` media rules of
    ``informe.css`` (US letter, running header from ``string-set``, "Página X de Y"
    footer, cover on its own named page). Only ``data:`` and ``file:`` URLs may be
    fetched, so a stray remote reference can never hang the build.

Both functions write atomically: a temporary file in the destination directory,
then :func:`os.replace`; on any error the temporary file is removed and a
previous report is left untouched.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterator

from informe.config import TEMPLATES_DIR

__all__ = ["stitch_html", "html_to_pdf", "build_toc", "TEMPLATE_NAME"]

log = logging.getLogger(__name__)

TEMPLATE_NAME = "informe"

#: Cells with any of these tags are not part of the report.
DROP_CELL_TAGS = frozenset(
    {"parameters", "injected-parameters", "remove-cell", "remove_cell", "papermill-error-cell-tag"}
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
    "text/latex",
    "text/plain",
]

_TOC_MARKER = "informe:indice"

#: Tables with at most this many rows and this much text get the class
#: ``tabla-corta`` (CSS: not split across pages; they fit in well under half a
#: page). Longer ones are split between rows, with the header repeated: keeping a
#: tall table whole would only push it to the next page and leave a gap.
SHORT_TABLE_ROWS = 12
SHORT_TABLE_CHARS = 1200


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if text and not text[0].isalpha():
        text = "s-" + text
    return text[:60].rstrip("-") or "seccion"


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate = f"{base}-{n}"
        n += 1
    used.add(candidate)
    return candidate


def _classes(tag) -> list[str]:
    value = tag.get("class") or []
    return value.split() if isinstance(value, str) else list(value)


# --------------------------------------------------------------------------- notebook


def _keep_output(out) -> bool:
    """Which outputs reach the report.

    Dropped: ``stderr`` streams (warnings, logs), empty streams, outputs with no
    MIME type the report can show (JavaScript, widgets), and *execute results that
    are only plain text* — the ``repr`` noise of a cell's last expression
    (``22`` from ``sys.stderr.write``, ``[<matplotlib.lines.Line2D …>]``…).
    To show plain text on purpose use ``print()`` or ``display()``.
    """
    kind = out.get("output_type")
    if kind == "stream":
        return out.get("name") == "stdout" and bool(out.get("text"))
    if kind == "error":
        return True
    data = out.get("data", {})
    shown = [m for m in DISPLAY_PRIORITY if m in data]
    if not shown:
        return False
    if kind == "execute_result" and shown == ["text/plain"]:
        return False
    return True


def _merge_notebooks(notebooks: list[Path], title: str):
    import nbformat

    merged = nbformat.v4.new_notebook()
    merged.metadata["title"] = title
    n = 0
    for path in notebooks:
        nb = nbformat.read(str(path), as_version=4)
        if "language_info" not in merged.metadata and "language_info" in nb.metadata:
            merged.metadata["language_info"] = copy.deepcopy(nb.metadata["language_info"])
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & DROP_CELL_TAGS:
                continue
            cell = copy.deepcopy(cell)
            if cell.cell_type == "code":
                if tags & DROP_OUTPUT_TAGS:
                    cell.outputs = []
                cell.outputs = [out for out in cell.get("outputs", []) if _keep_output(out)]
                cell.source = ""  # never shown; keeps the intermediate small
                if not cell.outputs:
                    continue
            n += 1
            cell["id"] = f"c{n:05d}"
            merged.cells.append(cell)
    return merged


def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.exclude_anchor_links = True
    c.HTMLExporter.embed_images = True
    c.NbConvertBase.display_data_priority = list(DISPLAY_PRIORITY)
    return HTMLExporter(config=c)


# --------------------------------------------------------------------------- post-processing


def build_toc(soup, toc_title: str = "Índice"):
    """Give every ``h1.seccion``/``h2.subseccion`` an id and return the
    ``<nav class="indice">`` element (a BeautifulSoup Tag) listing them."""
    used = {t["id"] for t in soup.find_all(id=True) if isinstance(t.get("id"), str)}
    seen: set[str] = set()
    entries = []  # (level, id, text)
    for tag in soup.find_all(["h1", "h2"]):
        cls = _classes(tag)
        level = 1 if tag.name == "h1" and "seccion" in cls else 2 if tag.name == "h2" and "subseccion" in cls else 0
        if not level:
            continue
        text = " ".join(tag.get_text(" ", strip=True).split())
        hid = tag.get("id")
        if not hid or hid in seen:
            if hid:
                log.warning("id de encabezado repetido %r: se renombra", hid)
            hid = _unique(_slug(text or "seccion"), used)
            tag["id"] = hid
        seen.add(hid)
        entries.append((level, hid, text))

    nav = soup.new_tag("nav", attrs={"class": "indice", "aria-labelledby": "indice-titulo"})
    heading = soup.new_tag("h1", attrs={"id": _unique("indice-titulo", used)})
    nav["aria-labelledby"] = heading["id"]
    heading.string = toc_title
    nav.append(heading)
    top = soup.new_tag("ol")
    nav.append(top)
    current_sub = None
    for level, hid, text in entries:
        li = soup.new_tag("li", attrs={"class": "indice-seccion" if level == 1 else "indice-subseccion"})
        a = soup.new_tag("a", href=f"#{hid}")
        a.string = text
        li.append(a)
        if level == 1:
            top.append(li)
            current_sub = None
        else:
            if top.contents and "indice-seccion" in _classes(top.contents[-1]):
                if current_sub is None:
                    current_sub = soup.new_tag("ol")
                    top.contents[-1].append(current_sub)
                current_sub.append(li)
            else:  # subsection before any section
                top.append(li)
    return nav


_URL_REF_RE = re.compile(r"url\(\s*(['\"]?)#([^)'\"\s]+)\1\s*\)")


def _scope_svg_ids(soup) -> None:
    """Make the ids inside each inline ``<svg>`` unique in the document.

    matplotlib gives every figure the same glyph ids (``DejaVuSans-30``…): valid
    in a standalone SVG, duplicated when several figures are inlined in one HTML
    (invalid HTML, and WeasyPrint warns once per duplicate). Each top-level svg
    gets a prefix ``svgN-`` on its ids and on the references to them
    (``href="#…"``, ``xlink:href="#…"``, ``url(#…)``).
    """
    top = [svg for svg in soup.find_all("svg") if svg.find_parent("svg") is None]
    for n, svg in enumerate(top, 1):
        elements = [svg, *svg.find_all(True)]
        renamed = {}
        for el in elements:
            old = el.get("id")
            if isinstance(old, str) and old:
                el["id"] = renamed[old] = f"svg{n}-{old}"
        if not renamed:
            continue

        def fix(value: str) -> str:
            value = _URL_REF_RE.sub(
                lambda m: f"url({m.group(1)}#{renamed.get(m.group(2), m.group(2))}{m.group(1)})", value)
            if value.startswith("#") and value[1:] in renamed:
                value = "#" + renamed[value[1:]]
            return value

        for el in elements:
            for key, value in list(el.attrs.items()):
                if key != "id" and isinstance(value, str) and "#" in value:
                    el[key] = fix(value)
            if el.name == "style" and el.string and "url(" in el.string:
                el.string = fix(el.string)


_IMPORT_RE = re.compile(r"""@import\s+(?:url\(\s*)?["'][^"']*["']\s*\)?[^;{}]*;|@import\s+url\([^)]*\)[^;{}]*;""", re.IGNORECASE)


def _make_offline(soup) -> None:
    """Remove everything that could load something when the report is opened."""
    removed = 0
    for tag in soup.find_all("script"):
        tag.decompose()
        removed += 1
    for tag in soup.find_all("link"):
        tag.decompose()
        removed += 1
    for tag in soup.find_all(["iframe", "object", "embed"]):
        src = tag.get("src") or tag.get("data") or ""
        if re.match(r"^(https?:)?//", src, re.IGNORECASE):
            tag.decompose()
            removed += 1
    for style in soup.find_all("style"):
        css = style.string
        if css and "@import" in css.lower():
            cleaned, n = _IMPORT_RE.subn("", css)
            if n:
                style.string = cleaned
                removed += n
    if removed:
        log.warning("Se quitaron %d elementos activos o externos (script/link/@import) del informe", removed)


def _postprocess(html: str, toc_title: str) -> str:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(html, "html.parser")
    _make_offline(soup)
    # Cells whose outputs rendered to nothing: an empty block before the cover
    # would otherwise give the PDF a blank first page.
    for div in soup.find_all("div", class_="celda"):
        if not div.get_text(strip=True) and div.find(["img", "svg", "table", "hr", "style"]) is None:
            div.decompose()
    _scope_svg_ids(soup)
    for table in soup.find_all("table"):
        if (len(table.find_all("tr")) <= SHORT_TABLE_ROWS
                and len(table.get_text(" ", strip=True)) <= SHORT_TABLE_CHARS):
            table["class"] = _classes(table) + ["tabla-corta"]
    nav = build_toc(soup, toc_title)
    markers = soup.find_all(string=lambda s: isinstance(s, Comment) and s.strip() == _TOC_MARKER)
    portada = soup.find("section", class_="portada")
    if nav.find("li") is None:
        pass  # nothing to list: no empty "Índice" page
    elif portada is not None:
        portada.insert_after(nav)
    elif markers:
        markers[0].insert_after(nav)
    else:
        (soup.find("main") or soup.body or soup).insert(0, nav)
    for marker in markers:
        marker.extract()
    return str(soup)


# --------------------------------------------------------------------------- API


def stitch_html(
    notebooks: list[Path],
    out_html: Path,
    *,
    title: str,
    lang: str = "es",
    toc_title: str = "Índice",
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
    html = _postprocess(html, toc_title)
    if not html.lstrip().lower().startswith("<!doctype"):
        html = "<!DOCTYPE html>\n" + html
    with _atomic_target(out_html) as tmp:
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
      (matplotlib: ``style="fill: #262626"``): WeasyPrint's CSS parser warns about
      them, its SVG renderer applies them (hundreds of lines per report otherwise).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not _KNOWN_WARNINGS.search(record.getMessage())


def _offline_fetcher():
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"data", "file"})


def html_to_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` with WeasyPrint (CSS paged media), atomically."""
    from weasyprint import HTML

    html, pdf = Path(html), Path(pdf)
    weasy_log = logging.getLogger("weasyprint")
    quiet = _DropKnownWarnings()
    weasy_log.addFilter(quiet)
    try:
        document = HTML(filename=str(html), url_fetcher=_offline_fetcher(), media_type="print").render()
        with _atomic_target(pdf) as tmp:
            document.write_pdf(str(tmp))
    finally:
        weasy_log.removeFilter(quiet)
    return pdf
