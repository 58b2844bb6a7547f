"""The notebooks: thin, explorable, and executed for real by the build (papermill).

The executed notebooks are those of the session's one real build (``report_2023`` in
conftest.py), so no notebook runs twice in the suite.
"""

from __future__ import annotations

import json
import queue
from pathlib import Path

import pytest

from informe import config

EXPECTED = {  # notebook -> text its report outputs must contain
    "00_portada.ipynb": "Informe Anual de Resultados 2023",
    "01_introduccion.ipynb": "Marco Normativo",
    "06_resumen_ejecutivo.ipynb": "Resumen de resultados de indicadores",
    "07_objetivo_2.ipynb": "Impacto de las acciones",
    "08_proyectos.ipynb": "Contrataciones Abiertas",
    "09_glosario.ipynb": "ENCIG",
    "10_anexos.ipynb": "CÉDULA DE INDICADORES",
}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _html_of(cell: dict) -> str:
    return "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", []))


def test_every_notebook_is_covered():
    """Every notebook of an agency's report is checked here; the state's (estado.ipynb and estado/) in
    tests/test_estado.py."""
    stems = {name.split("_")[0] for name in EXPECTED}
    assert {p.name.split("_")[0] for p in config.NOTEBOOKS_DIR.glob("*.ipynb")} - {"estado.ipynb"} == stems


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_executed_notebook_reads_well_and_has_no_error(report_2023, name):
    cells = _cells(report_2023 / "notebooks" / name)
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "nothing printed to stderr in a normal run"
    assert EXPECTED[name] in "".join(_html_of(c) for c in cells)
    assert cells[0]["cell_type"] == "markdown" and cells[0]["source"][0].startswith("# "), "a title first"
    source = json.dumps(cells)
    assert str(config.ROOT) + "/notebooks" not in source, "no machine path in what the notebook shows"


@pytest.mark.slow
def test_exploration_cells_show_dataframes_that_the_report_drops(report_2023):
    cells = _cells(report_2023 / "notebooks" / "07_objetivo_2.ipynb")
    exploring = [c for c in cells if c["cell_type"] == "code" and "exploracion" in c["metadata"].get("tags", [])]
    assert len(exploring) >= 3
    frames = [_html_of(c) for c in exploring if 'class="dataframe' in _html_of(c)]
    assert len(frames) >= 3, "exploration cells show pandas DataFrames (sortable, filterable)"
    assert "avance_meta_pct" in "".join(frames), "the objective's indicators with every computed column"
    report = (report_2023 / "informe_2023.html").read_text(encoding="utf-8")
    assert 'class="dataframe' not in report and "avance_meta_pct" not in report


@pytest.mark.parametrize("path", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_stored_thin_and_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be the parameters cell"
    report_cells = [c for c in code[1:] if "exploracion" not in c["metadata"].get("tags", [])]
    assert "".join(report_cells[0]["source"]).startswith("from informe.reporte import"), "one import cell"
    assert not any("import " in "".join(c["source"]) for c in code[2:]), "imports only in the import cell"
    for cell in report_cells[2:]:
        lines = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.startswith("#")]
        assert len(lines) == 1 and lines[0].startswith(("secciones.", "graficas.")), "one package call per cell"
    source = "\n".join("".join(c["source"]) for c in code)
    assert "\ndef " not in "\n" + source and "\nclass " not in "\n" + source, "logic belongs in the package"
    assert "/work/" not in source and "data/" not in source.replace("data_dir", ""), "no literal paths"


CHECK_SESSION = """
import json, matplotlib
before = (matplotlib.get_backend(), {k: repr(v) for k, v in matplotlib.rcParams.items()})
from informe.reporte import graficas, secciones
ctx = secciones.open(2023)
fig = graficas.objetivo(ctx, 2)
after = (matplotlib.get_backend(), {k: repr(v) for k, v in matplotlib.rcParams.items()})
changed = sorted(k for k in before[1] if before[1][k] != after[1][k])
labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
sizes = sorted({round(t.get_fontsize(), 1) for t in fig.findobj(matplotlib.text.Text) if t.get_text()})
print(json.dumps({"backend": [before[0], after[0]], "changed": changed, "labels": labels, "sizes": sizes,
                  "figure": type(fig).__mro__[1].__name__, "pyplot": len(__import__("matplotlib.pyplot").pyplot.get_fignums())}))
"""


@pytest.mark.slow
def test_charts_leave_the_kernel_session_unchanged():
    """In a real Jupyter kernel: importing informe.reporte.graficas and drawing a chart changes neither the backend
    nor any rcParam, registers no pyplot figure, labels by name (not id) and prints text at ≥ 8 pt."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(config.ROOT))
    try:
        kc.execute(CHECK_SESSION)
        printed, error = "", None
        while True:
            try:
                msg = kc.get_iopub_msg(timeout=120)
            except queue.Empty:
                break
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                printed += content["text"]
            elif kind == "error":
                error = "\n".join(content["traceback"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert error is None, error
    result = json.loads(printed)
    assert result["backend"][0] == result["backend"][1] and "inline" in result["backend"][0]
    assert result["changed"] == []
    assert result["figure"] == "Figure" and result["pyplot"] == 0
    assert result["labels"] and not any("OM-" in label for label in result["labels"])
    assert min(result["sizes"]) >= 8
