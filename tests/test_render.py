"""Execution (papermill), stitching (nbconvert) and printing (Chromium), for real.

Toy notebooks live in tests/fixtures/render/ (regenerate them with
``.venv/bin/python tests/fixtures/render/make_fixtures.py``):

* 01_portada: portada, índice, directorio (section.pagina), h1.seccion with a
  table, an SVG chart, a pandas Styler table, a cédula, an exploration cell
  (tag ``exploracion``) and a cell whose only outputs are stderr and a
  plain-text repr; its source has CODIGO_FUENTE_SECRETO (never shown).
* 02_objetivos: h1.seccion, two h2.subseccion, a 55-row table, a PNG chart,
  stdout, a rich execute_result and a plain-text one.
* 03_falla: raises KeyError in its third cell.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from informe.construccion.ejecucion import NotebookError, NotebookJob, run_notebooks
from informe.construccion.html import stitch_html
from informe.construccion.pdf import html_to_pdf
from informe.escritura import atomic_path

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "render"
TITLE = "Informe Anual de Resultados 2023"


def _outputs_text(path: Path) -> str:
    nb = nbformat.read(str(path), as_version=4)
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [out.get("ename", ""), out.get("evalue", "")]
            parts.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(parts)


def _pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext, layout kept)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1]


def _header_and_body(page: str) -> tuple[str, str]:
    """A page's first line of text (the running header) and the rest."""
    lines = [line for line in page.splitlines() if line.strip()]
    return (lines[0], "\n".join(lines[1:])) if lines else ("", "")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out = tmp_path_factory.mktemp("ejecutados")
    jobs = [
        NotebookJob(FIXTURES / "01_portada.ipynb", out / "01_portada.ipynb",
                    {"anio": 2023, "data_dir": str(FIXTURES)}, "Portada"),
        NotebookJob(FIXTURES / "02_objetivos.ipynb", out / "sub" / "02_objetivos_7.ipynb",
                    {"anio": 2023, "objetivo_id": 7}, "VII. Objetivo 7"),
    ]
    lines: list[str] = []
    paths = run_notebooks(jobs, workers=2, cwd=FIXTURES, progress=lines.append)
    return jobs, paths, lines


@pytest.fixture(scope="module")
def report(executed, tmp_path_factory):
    _, paths, _ = executed
    out = tmp_path_factory.mktemp("informe")
    html = stitch_html(paths, out / "informe.html", title=TITLE)
    return html, html.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- execute


def test_run_notebooks_in_order_with_parameters_and_progress(executed):
    jobs, paths, lines = executed
    assert paths == [job.output for job in jobs]
    assert all(p.exists() for p in paths)

    # papermill injected the parameters, and the notebooks used them
    first, second = (nbformat.read(str(p), as_version=4) for p in paths)
    injected = [c for c in first.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "anio = 2023" in injected[0].source
    assert "ANIO_INYECTADO_2023" in _outputs_text(paths[0])
    assert "OBJETIVO_7" in _outputs_text(paths[1])
    assert second.metadata["papermill"]["parameters"] == {"anio": 2023, "objetivo_id": 7}

    # one line when each notebook starts, one when it ends (with seconds)
    assert len(lines) == 4
    assert set(lines[:2]) == {"[1/2] Portada …", "[2/2] VII. Objetivo 7 …"}
    for label in ("[1/2] Portada", "[2/2] VII. Objetivo 7"):
        assert any(re.fullmatch(re.escape(label) + r" … \d+\.\d s", line) for line in lines[2:]), lines


def test_failing_notebook_raises_keeps_output_and_stops_the_queue(tmp_path):
    failing = NotebookJob(FIXTURES / "03_falla.ipynb", tmp_path / "03_falla.ipynb", {"anio": 2023}, "Falla")
    queued = NotebookJob(FIXTURES / "02_objetivos.ipynb", tmp_path / "02_despues.ipynb",
                         {"anio": 2023, "objetivo_id": 1}, "Después")
    lines: list[str] = []
    with pytest.raises(NotebookError) as info:
        run_notebooks([failing, queued], workers=1, cwd=FIXTURES, progress=lines.append)
    err = info.value

    assert err.job is failing
    assert err.ename == "KeyError" and "clave_inexistente" in err.evalue
    assert err.cell_index == 2  # third cell of the source notebook
    message = str(err)
    assert message.startswith("Falló el cuaderno «Falla» (03_falla.ipynb), celda 3")
    assert "KeyError" in message and "clave_inexistente" in message
    assert str(tmp_path / "03_falla.ipynb") in message

    # papermill kept the executed notebook, with the error in it
    assert err.output == failing.output and err.output.exists()
    assert "clave_inexistente" in _outputs_text(err.output)
    # the job queued after the failure never started
    assert not queued.output.exists()
    assert not any("Después" in line for line in lines)
    assert lines[-1].startswith("Se omiten 1 cuaderno")


# --------------------------------------------------------------------------- stitch


def test_stitch_html_is_one_self_contained_report(report):
    path, html = report
    soup = BeautifulSoup(html, "html.parser")

    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert soup.html["lang"] == "es"
    assert soup.title.string == TITLE
    # content of both notebooks, in order
    assert html.index("I. Presentación") < html.index("VII. Operación de la estrategia")
    assert "ANIO_INYECTADO_2023" in html and "EXPR_FINAL_OK" in html
    assert "salida estándar visible" in html
    assert soup.select('img[src^="data:image/svg+xml;base64,"]')
    assert soup.select('img[src^="data:image/png;base64,"]')
    assert soup.select('table[id^="T_"]')  # pandas Styler

    # no code, no parameters, no stderr, no repr noise
    for absent in ("CODIGO_FUENTE_SECRETO", "set_matplotlib_formats", "VALOR_PARAMETRO_OCULTO",
                   "PARAMETRO_SECRETO", "objetivo_id = 7", "ADVERTENCIA_EN_STDERR",
                   "In&nbsp;[", "Out["):
        assert absent not in html, absent
    assert not soup.select(".jp-InputArea, .input_area, .prompt")

    # offline: nothing fetched from anywhere
    lowered = html.lower()
    assert "<script" not in lowered and "<link" not in lowered
    assert "require.js" not in lowered and "mathjax" not in lowered and "@import" not in lowered
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", html, re.I)
    assert soup.find("style") is not None  # the CSS is inlined


def test_exploration_cells_and_cells_without_report_content_leave_no_trace(report):
    """nbconvert's TagRemovePreprocessor drops ``exploracion`` cells; the template drops cells
    whose outputs are only stderr or a plain-text repr (no empty block before the cover)."""
    _, html = report
    soup = BeautifulSoup(html, "html.parser")
    assert "EXPLORACION_SECRETA" not in html and "CELDA_SIN_SALIDA_VISIBLE" not in html
    for div in soup.select("div.celda"):
        assert div.get_text(strip=True) or div.find(["img", "table"]), div
    first = soup.select_one("main.informe > div.celda")
    assert first.find("section", class_="portada") is not None
    # charts are data: images, so the ids of different figures can never collide
    assert not soup.select("main svg")
    all_ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids))


@pytest.fixture(scope="module")
def printed(report, tmp_path_factory):
    html_path, _ = report
    out = tmp_path_factory.mktemp("pdf")
    pdf = html_to_pdf(html_path, out / "informe.pdf")
    return pdf, _pdf_pages(pdf)


def test_html_to_pdf_writes_one_pdf_and_no_temporary_file(printed):
    pdf, pages = printed
    assert pdf.read_bytes().startswith(b"%PDF-")
    # cover, TOC, directorio, I, VII (≥ 2: the long table breaks)
    assert len(pages) >= 6, len(pages)
    assert [p.name for p in pdf.parent.iterdir()] == ["informe.pdf"]


def test_pdf_cover_alone_then_page_numbers_and_running_header(printed):
    """The cover has no header or footer; every other page says «Página X de Y» and carries the report's
    title in its header; a section's pages carry its title too, also the pages it continues on."""
    _, pages = printed
    assert "Página" not in pages[0] and "Informe Anual" in pages[0]
    for number, page in enumerate(pages[1:], 2):
        assert f"Página {number} de {len(pages)}" in page, number
        header, _ = _header_and_body(page)
        assert header.strip().startswith(TITLE), (number, header)
    in_section = [n for n, page in enumerate(pages, 1)
                  if "VII. Operación de la estrategia" in _header_and_body(page)[0]]
    starts = [n for n, page in enumerate(pages, 1)
              if "VII. Operación de la estrategia" in _header_and_body(page)[1] and "Índice" not in page]
    assert starts and len(in_section) >= 2, (starts, in_section)  # the long table goes on to the next page
    assert in_section == list(range(starts[0], starts[0] + len(in_section)))
    assert in_section[-1] == len(pages)  # the last section of the report runs to its end


def test_pdf_index_gives_the_page_each_entry_starts_on(printed):
    """Every entry of the index has the number of the page where its heading is (found in the body of
    that page, not in its header), and each section starts on a new page."""
    _, pages = printed
    index = next(page for page in pages if "Índice" in page)
    entries = re.findall(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$", _header_and_body(index)[1], re.M)
    assert len(entries) >= 2, entries
    for title, number in entries:
        assert title in _header_and_body(pages[int(number) - 1])[1], (title, number)
        assert all(title not in _header_and_body(page)[1] for page in pages[:int(number) - 1]
                   if page is not index), title
    sections = [(t, int(n)) for t, n in entries if re.match(r"[IVX]+\. ", t)]
    assert len({n for _, n in sections}) == len(sections), sections


def test_without_chromium_the_pdf_says_what_to_install_and_writes_nothing(report, tmp_path, monkeypatch):
    from informe.problemas import InformeError

    html_path, _ = report
    monkeypatch.setenv("INFORME_CHROMIUM", str(tmp_path / "no-hay-navegador"))
    with pytest.raises(InformeError) as info:
        html_to_pdf(html_path, tmp_path / "informe.pdf")
    message = str(info.value)
    assert "INFORME_CHROMIUM" in message and "apt-get install chromium" in message and "--format html" in message
    assert list(tmp_path.iterdir()) == []


def test_a_browser_that_fails_gives_a_clear_error_and_leaves_nothing_behind(report, tmp_path, monkeypatch):
    """A "browser" that exits at once (here /bin/false): a Spanish message with what to do, no PDF, no
    temporary profile left in the temporary directory."""
    import tempfile

    from informe.construccion.chromium import ChromiumError

    html_path, _ = report
    profiles = lambda: set(Path(tempfile.gettempdir()).glob("informe-chromium-*"))  # noqa: E731
    before = profiles()
    monkeypatch.setenv("INFORME_CHROMIUM", "/bin/false")
    with pytest.raises(ChromiumError, match="Chromium terminó inesperadamente.*--format html"):
        html_to_pdf(html_path, tmp_path / "informe.pdf")
    assert list(tmp_path.iterdir()) == []
    assert profiles() == before


# --------------------------------------------------------------------------- atomic writes


def test_failed_render_leaves_no_partial_file_and_keeps_the_old_report(executed, tmp_path):
    _, paths, _ = executed
    old_html = tmp_path / "informe.html"
    old_html.write_text("informe anterior", encoding="utf-8")
    old_pdf = tmp_path / "informe.pdf"
    old_pdf.write_bytes(b"%PDF-anterior")
    broken = tmp_path / "roto.ipynb"
    broken.write_text("{ esto no es un cuaderno", encoding="utf-8")

    with pytest.raises(Exception):
        stitch_html([paths[0], broken], old_html, title=TITLE)
    with pytest.raises(Exception):
        html_to_pdf(tmp_path / "no_existe.html", old_pdf)

    assert old_html.read_text(encoding="utf-8") == "informe anterior"
    assert old_pdf.read_bytes() == b"%PDF-anterior"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["informe.html", "informe.pdf", "roto.ipynb"]


def test_atomic_target_failure_mid_write(tmp_path):
    target = tmp_path / "informe.html"
    target.write_text("anterior", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp != target
            tmp.write_text("a medio escribir", encoding="utf-8")
            raise RuntimeError("falla durante la escritura")
    assert target.read_text(encoding="utf-8") == "anterior"
    assert os.listdir(tmp_path) == ["informe.html"]

    with atomic_path(target) as tmp:
        tmp.write_text("nuevo", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "nuevo"
    assert os.listdir(tmp_path) == ["informe.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_python3_kernel_resolves_to_this_interpreter(tmp_path, monkeypatch):
    """If another 'python3' kernel spec (e.g. the system Python's) came first,
    ensure_python_kernel puts a spec for sys.executable in front of it."""
    import json
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    from informe.construccion.ejecucion import ensure_python_kernel

    foreign = tmp_path / "kernels" / "python3"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text(json.dumps({
        "argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (sistema)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/usr/bin/python3"

    assert ensure_python_kernel("python3") == "python3"
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
