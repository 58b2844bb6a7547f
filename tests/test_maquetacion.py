"""The report as a reader sees it, measured by the machine: on paper (the printed PDF, and Chromium laying the
page out in print media at the width of the text area) and on screen at 1280 px and on a 390 px phone.

For the 2023 report and the example agency's 2025 report:

* no table cell holds content wider than itself, and no word is split inside (a break after a hyphen is fine);
* nothing is wider than the screen unless it sits in a box that scrolls sideways;
* the charts' text is at least 9 px on screen and on a phone;
* on paper: no page but the cover is under 20 % full, no heading or caption is left at the foot of a page
  away from what it introduces, no chart caption or table note starts a page away from what it describes,
  the running header is one line, and the 2023 report has at most 48 pages.

The figures come from Chromium (``tests/maquetacion/medir.js``) and from the PDF (``pdftotext -bbox``, and the
page's pixels for how full it is), never from reading the stylesheet.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from informe.construccion import chromium, pdf

pytestmark = pytest.mark.slow

MEDIR = (Path(__file__).parent / "maquetacion" / "medir.js").read_text(encoding="utf-8")
#: Letter paper and the margins of informe.css (@page), in PDF points; the text area is what lies inside.
PAGE_W, PAGE_H = 612.0, 792.0
TOP, BOTTOM, SIDE = 2.2 / 2.54 * 72, 2.0 / 2.54 * 72, 2.0 / 2.54 * 72
#: Chromium lays the page out at the width of the text area (CSS px) in print media.
PRINT_WIDTH = round((PAGE_W - 2 * SIDE) * 96 / 72)
WIDTHS = [pytest.param(PRINT_WIDTH, "print", id="papel"), pytest.param(1280, "screen", id="escritorio"),
          pytest.param(390, "screen", id="telefono")]
MIN_FILL = 0.20
MAX_PAGES_2023 = 48
MIN_CHART_TEXT_PX = 9


@pytest.fixture(scope="module", params=["2023", "ejemplo-2025"])
def built(request, report_2023, ejemplo_anios) -> tuple[Path, Path]:
    """(html, pdf) of a built report."""
    if request.param == "2023":
        return report_2023 / "informe_2023.html", report_2023 / "informe_2023.pdf"
    out = ejemplo_anios.out / "2025"
    return out / "informe_2025.html", out / "informe_2025.pdf"


def measure(html: Path, width: int, media: str) -> dict:
    with chromium.Chromium(pdf.chromium()) as browser:
        page = browser.open(html, media=media)
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1,
                  mobile=width < 500)
        return page.evaluate(MEDIR)


def listed(items: list[dict]) -> str:
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in items[:12])


@pytest.mark.parametrize("width, media", WIDTHS)
def test_cells_hold_their_content_and_words_are_whole(built, width, media):
    html, _ = built
    found = measure(html, width, media)
    assert not found["desborde"], f"cells narrower than their content:\n{listed(found['desborde'])}"
    assert not found["cortadas"], f"words split across lines:\n{listed(found['cortadas'])}"
    assert found["ancho"]["documento"] <= found["ancho"]["ventana"], found["ancho"]
    assert not found["anchas"], f"wider than the screen:\n{listed(found['anchas'])}"
    if media == "screen":
        small = [g for g in found["graficas"] if g["minimo"] is not None and g["minimo"] < MIN_CHART_TEXT_PX]
        assert not small, f"chart text under {MIN_CHART_TEXT_PX} px:\n{listed(small)}"


def test_every_section_leads_back_to_the_index(built):
    """On a long page (a phone scrolls 40,000 px) each section offers the way back; paper has page numbers."""
    html, _ = built
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    sections = soup.select("h1.seccion")
    assert sections and soup.find(id="indice-titulo")
    for h1 in sections:
        back = h1.find_next_sibling("p", class_="volver")
        assert back and back.a["href"] == "#indice-titulo", h1.get_text()


# --------------------------------------------------------------------------- the printed pages


def pdf_lines(pdf: Path) -> list[dict]:
    """Per page: {"cabecera": [header lines], "cuerpo": [body lines top to bottom]}, each line its words' text."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    soup = BeautifulSoup(xhtml, "html.parser")
    pages = []
    for page in soup.find_all("page"):
        rows: dict[str, dict[int, list]] = {"cabecera": defaultdict(list), "cuerpo": defaultdict(list)}
        for word in page.find_all("word"):
            y = float(word["ymin"])
            if y < TOP - 4:
                part = "cabecera"
            elif float(word["ymax"]) <= PAGE_H - BOTTOM + 2:
                part = "cuerpo"
            else:
                continue  # the footer: «Página X de Y»
            rows[part][round(y)].append((float(word["xmin"]), word.get_text()))
        pages.append({part: [" ".join(w for _, w in sorted(words)) for _, words in sorted(lines.items())]
                      for part, lines in rows.items()})
    return pages


def fill(pdf: Path, tmp_path: Path) -> list[float]:
    """Per page: the height from the first to the last inked row of the text area, over the area's height."""
    subprocess.run(["pdftoppm", "-r", "24", "-gray", "-png", str(pdf), str(tmp_path / "p")], check=True)
    fractions = []
    for image in sorted(tmp_path.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1])):
        gray = Image.open(image).convert("L")
        scale = gray.height / PAGE_H
        top, bottom = int(TOP * scale), int((PAGE_H - BOTTOM) * scale)
        left, right = int(SIDE * scale), int((PAGE_W - SIDE) * scale)
        inked = (np.asarray(gray)[top:bottom, left:right] < 200).any(axis=1).nonzero()[0]
        fractions.append((inked[-1] - inked[0] + 1) / (bottom - top) if len(inked) else 0.0)
    return fractions


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def headings(html: Path) -> tuple[list[str], list[str]]:
    """(texts that introduce what follows: headings, table captions, labels; texts that describe what
    precedes: chart captions and the notes under a table)."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    before = [normal(el.get_text(" ")) for el in soup.select("main h1, main h2, main h3, main h4, table caption, "
                                                             "p.rotulo, p.nota-previa")]
    after = [normal(el.get_text(" ")) for el in soup.select("p.pie-grafica, p.nota, figcaption")]
    return [t for t in before if len(t) >= 6], [t for t in after if len(t) >= 6]


def test_printed_pages(built, tmp_path):
    html, pdf = built
    pages = pdf_lines(pdf)
    if html.name == "informe_2023.html":
        assert len(pages) <= MAX_PAGES_2023

    sparse = [(n, round(f, 2)) for n, f in enumerate(fill(pdf, tmp_path), 1) if n > 1 and f < MIN_FILL]
    assert not sparse, f"pages under {MIN_FILL:.0%} full (page, fraction): {sparse}"

    two_lines = [n for n, page in enumerate(pages, 1) if n > 1 and len(page["cabecera"]) > 1]
    assert not two_lines, f"running header on more than one line on pages {two_lines}"

    lonely = stranded(html, pages)
    assert not lonely, "headings or captions apart from what they go with (page, where, text):\n" + "\n".join(
        map(str, lonely[:12]))


def stranded(html: Path, pages: list[dict]) -> list[tuple[int, str, str]]:
    """(page, where, text) of each heading, table caption or label that ends a page (what it introduces is on
    the next), of each chart caption or table note that starts one (what it describes is on the last), and of
    each of them split over two pages."""
    introduce, describe = headings(html)
    found = []
    for n, page in enumerate(pages, 1):
        body = page["cuerpo"]
        if not body:
            continue
        tail, head = " ".join(body[-3:]), " ".join(body[:3])
        if n < len(pages):
            found += [(n, "al pie", t[:60]) for t in introduce
                      if tail.endswith(t) or (len(body[-1]) >= 6 and t.startswith(body[-1]))]
        if n > 1:
            found += [(n, "arriba", t[:60]) for t in describe if head.startswith(t[:40]) or t.startswith(body[0])]
        if n < len(pages) and len(body[-1]) >= 40:  # a caption or note that goes on over the page (a whole line)
            found += [(n, "partido", t[:60]) for t in introduce + describe
                      if body[-1] in t and not t.endswith(body[-1])]
    return found
