"""The executed notebooks, for reviewers: an offline page per notebook beside it (code and outputs, parameters and
exploration included), an index linked from the report's annex, the parameters cell in Spanish, and the same
notebook from the same inputs (no memory address in any output). Reads the session's build of 2023."""

from __future__ import annotations

import json
import re

import nbformat
import pikepdf
import pytest
from bs4 import BeautifulSoup

from informe import config
from informe.construccion import ejecucion
from informe.reporte import presentacion

pytestmark = pytest.mark.slow


def pages(report_2023):
    return sorted((report_2023 / "notebooks").glob("*.html"))


def test_a_page_per_executed_notebook_and_an_index_in_report_order(report_2023):
    folder = report_2023 / "notebooks"
    executed = sorted(p.stem for p in folder.glob("*.ipynb"))
    assert executed and sorted(p.stem for p in pages(report_2023)) == sorted([*executed, "index"])
    index = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in index.select("ol.cuadernos a")]
    assert links == [f"{name}.html" for name in ["00_portada", "01_introduccion", "06_resumen_ejecutivo",
                                                 *(f"07_objetivo_{n}" for n in range(1, 6)), "08_proyectos",
                                                 "09_glosario", "10_anexos"]]
    assert index.select_one("a[href='../informe_2023.html']")
    report = BeautifulSoup((report_2023 / "informe_2023.html").read_text(encoding="utf-8"), "html.parser")
    assert report.select_one("p.cuadernos-enlace a[href='notebooks/index.html']"), "the annex links the index"
    manifest = json.loads((report_2023 / ".informe-construccion.json").read_text(encoding="utf-8"))
    assert "notebooks/index.html" in json.dumps(manifest), "recorded: a rebuild replaces them"


def test_pages_are_offline_and_show_the_code_and_the_exploration(report_2023):
    for page in pages(report_2023):
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert not soup.find_all(["script", "link", "iframe", "object", "embed"]), page.name
        assert not re.search(r"require\.js|mathjax|cdn\.|https?://cdnjs", text, re.IGNORECASE), page.name
        assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"] == \
            presentacion.CONTENT_SECURITY_POLICY
        assert soup.html["lang"] == "es" and soup.title.get_text().strip()
    objective = BeautifulSoup((report_2023 / "notebooks" / "07_objetivo_1.html").read_text(encoding="utf-8"),
                              "html.parser")
    code = "\n".join(pre.get_text() for pre in objective.select("pre.codigo"))
    assert "tabla = secciones.indicadores_datos(ctx, objetivo_id)" in code, "exploration cells included"
    assert "# Parámetros de esta ejecución" in code and "objetivo_id = 1" in code
    assert objective.select("table.indicadores"), "the outputs are shown"


def test_the_parameters_cell_reads_in_spanish_and_no_output_holds_a_memory_address(report_2023):
    for path in sorted((report_2023 / "notebooks").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r" at 0x[0-9a-f]+", text), path.name
        nb = nbformat.read(str(path), as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1, path.name
        lines = injected[0].source.splitlines()
        assert lines[0] == ejecucion.PARAMETERS_TITLE and "# Parameters" not in lines
        assert lines[next(i for i, line in enumerate(lines) if line.startswith("huella = ")) + 1] == \
            ejecucion.FINGERPRINT_NOTE


def test_the_pdf_links_to_no_local_file(report_2023):
    with pikepdf.open(report_2023 / "informe_2023.pdf") as pdf:
        uris = [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A]
    assert not [u for u in uris if u.lower().startswith("file:")], uris


def _without_timing(path) -> dict:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
    return nb


def test_the_same_inputs_give_the_same_notebook(tmp_path):
    """Executed twice, a notebook differs only in papermill's timing metadata."""
    source = config.NOTEBOOKS_DIR / "09_glosario.ipynb"
    jobs = [ejecucion.NotebookJob(source, tmp_path / f"{n}.ipynb", {"anio": 2023}, label="IX") for n in (1, 2)]
    outputs = ejecucion.run_notebooks(jobs, workers=1, cwd=config.ROOT, progress=lambda line: None)
    first, second = (_without_timing(path) for path in outputs)
    assert first == second
    assert any(o.get("data", {}).get("text/plain") for c in first["cells"] for o in c.get("outputs", []))
