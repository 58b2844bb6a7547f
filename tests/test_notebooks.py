"""Each notebook runs as-is with papermill from the repository root, as the README says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from informe import config

pytestmark = pytest.mark.slow

EXPECTED = {  # notebook -> text its outputs must contain
    "00_portada.ipynb": "Informe Anual de Resultados 2023",
    "01_introduccion.ipynb": "Marco Normativo",
    "06_resumen_ejecutivo.ipynb": "Resumen de resultados de indicadores",
    "07_objetivo.ipynb": "Impacto de las acciones",
    "08_proyectos.ipynb": "Contrataciones Abiertas",
    "09_glosario.ipynb": "ENCIG",
    "10_anexos.ipynb": "CÉDULA DE INDICADORES",
}


def test_every_notebook_is_covered():
    assert sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_with_papermill(name, tmp_path):
    out = tmp_path / name
    papermill = Path(sys.executable).with_name("papermill")
    subprocess.run([str(papermill), f"notebooks/{name}", str(out), "-p", "anio", "2023", "--no-progress-bar"],
                   cwd=config.ROOT, check=True, capture_output=True, text=True, timeout=300)
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert EXPECTED[name] in html


@pytest.mark.parametrize("path", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_stored_thin_and_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be the parameters cell"
    source = "\n".join("".join(c["source"]) for c in code)
    assert "\ndef " not in "\n" + source and "\nclass " not in "\n" + source, "logic belongs in the package"
    assert "/work/" not in source and "data/" not in source.replace("data_dir", ""), "no literal paths"
