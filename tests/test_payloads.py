"""Data is hostile until escaped: a payload in every text of every input file (every text column of every
CSV, every string of every YAML, every Markdown file) gives, after one real build, a report, a quality
review and a PDF with no active content, the payload shown as text, and no local file's content."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from informe import cli, config
from informe.datos import entradas

#: The text columns of each CSV (ids, years, numbers and enumerations keep their valid values).
TEXT_COLUMNS = {
    "objetivos.csv": ["nombre"],
    "estrategias.csv": ["nombre"],
    "indicadores.csv": ["nombre", "nombre_cedula", "objetivo_cedula", "objetivo_indicador", "descripcion",
                        "metodo_calculo", "fuente", "unidad_responsable", "unidad_ejecutora", "referencia_adicional",
                        "nota_cedula"],
    "resultados.csv": ["nota", "fuente"],
    "programas.csv": ["nombre"],
    "institucional/glosario.csv": ["termino", "definicion"],
    "institucional/alineacion_pnd_ped.csv": ["pnd_objetivo", "ped_eje", "ped_objetivo", "ped_estrategias",
                                             "objetivos_programa"],
    "institucional/alineacion_ods.csv": ["objetivos_programa", "ods", "metas", "justificacion"],
}
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
LINK = '<a href="javascript:alert(1)">x</a>'
STYLE = "<style>@import url(file:///etc/passwd);</style>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The reference data and parameters with the payload in every text, and a secret local file the
    payload tries to print (its content must never reach an output)."""
    root = tmp_path_factory.mktemp("hostil")
    secret = root / "secreto.txt"
    marker = f"SECRETO-{uuid.uuid4().hex}"
    secret.write_text(marker, encoding="utf-8")
    payload = f' {SCRIPT}{IMG}<iframe src="{secret.as_uri()}"></iframe>{STYLE}{LINK} javascript:alert(1)'
    data = root / "datos"
    shutil.copytree(config.DATA_DIR, data)
    # two programmes (contract v3): their names reach section VII's headings, the contents and the summaries
    pd.DataFrame({"programa_id": ["PS", "PE"], "nombre": ["Programa Sectorial", "Programa Especial"],
                  "tipo": ["sectorial", "especial"]}).to_csv(data / "programas.csv", index=False)
    objetivos = pd.read_csv(data / "objetivos.csv", dtype=str, keep_default_na=False)
    objetivos.assign(programa_id=["PS", "PS", "PS", "PE", "PE"]).to_csv(data / "objetivos.csv", index=False)
    for name, columns in TEXT_COLUMNS.items():
        frame = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        for column in columns:
            frame[column] = frame[column] + payload
        frame.to_csv(data / name, index=False)
    for path in data.rglob("*.md"):
        if path.name != "README.md":
            path.write_text(path.read_text(encoding="utf-8") + "\n\n" + payload + "\n", encoding="utf-8")
    params = yaml.safe_load((config.PARAMS_DIR / "2023.yaml").read_text(encoding="utf-8"))
    params["incluir_calidad"] = True  # the quality notes enter the report too
    for path, document in [(root / "2023.yaml", params)] + [
            (p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in data.rglob("*.yaml")]:
        path.write_text(yaml.safe_dump(_poison(document, payload), allow_unicode=True), encoding="utf-8")
    return data, root / "2023.yaml", marker


def _poison(node, payload):
    """Every string of a YAML document with the payload appended."""
    if isinstance(node, dict):
        return {k: _poison(v, payload) for k, v in node.items()}
    if isinstance(node, list):
        return [_poison(v, payload) for v in node]
    return node + payload if isinstance(node, str) else node


@pytest.fixture(scope="module")
def built(hostile, tmp_path_factory):
    data, params, marker = hostile
    out = tmp_path_factory.mktemp("salida") / "informe"
    assert cli.main(["build", "--year", "2023", "--data", str(data), "--params", str(params), "--out", str(out)]) == 0
    return out, marker


def _assert_inert(path):
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all(["script", "iframe", "object", "embed", "frame", "base", "form"]), path.name
    styles = [s for s in soup.find_all("style") if s.get_text().strip()]  # (pandas' tables add empty ones)
    assert len(styles) == 1 and styles[0].find_parent("head") is not None, f"{path.name}: only its own stylesheet"
    assert "@import" not in styles[0].get_text()
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), f"{path.name}: <{element.name} {attribute}>"
            if attribute.lower() in ("href", "src", "action", "data", "xlink:href"):
                assert not str(value).strip().lower().startswith(("javascript:", "file:")), f"{path.name}: {value}"
    # the payload is shown as text, where the data put it
    for text in (IMG, SCRIPT, STYLE):
        assert soup.find(string=lambda s, t=text: t in s), f"{path.name}: {text} shown as text"
    return soup


def test_report_and_quality_review_hold_no_active_content(built):
    out, _ = built
    soup = _assert_inert(out / "informe_2023.html")
    # the tables that used to let text through: the indicator and trend tables, the projects
    for table in soup.select("table.indicadores, table.tendencia, table.proyectos"):
        assert IMG in table.get_text(), table.get("id")
    # a programme's name: its heading, its line in the contents, its subtotal rows in both summaries
    assert [IMG in h.get_text() for h in soup.select("h2.programa")] == [True, True]
    assert sum(IMG in a.get_text() for a in soup.select("nav.indice a")) >= 2
    assert len([td for td in soup.select("td.subtotal") if IMG in td.get_text()]) == 4
    _assert_inert(out / "calidad_2023.html")


def test_the_notebook_pages_hold_no_active_content(built):
    """The reviewers' pages of the executed notebooks show the same hostile texts, in their outputs and in the
    exploration frames: as text, nothing live."""
    out, _ = built
    shown = ""
    for page in sorted((out / "notebooks").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert not soup.find_all(["script", "iframe", "object", "embed", "frame", "base", "form"]), page.name
        for element in soup.find_all(True):
            for attribute, value in element.attrs.items():
                assert not attribute.lower().startswith("on"), f"{page.name}: <{element.name} {attribute}>"
                if attribute.lower() in ("href", "src", "action", "data"):
                    assert not str(value).strip().lower().startswith(("javascript:", "file:")), f"{page.name}: {value}"
        shown += soup.get_text()
    assert IMG in shown and SCRIPT in shown


def test_pdf_holds_no_local_file(built):
    out, marker = built
    text = subprocess.run(["pdftotext", str(out / "informe_2023.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert marker not in text
    assert "onerror=alert(1)" in text.replace("\n", " ")  # the payload is printed as text


def test_the_workbook_of_the_hostile_data_reads_back_to_the_same_tables(hostile, tmp_path):
    """Every sheet of a workbook carries the same texts to the same tables: the build above covers the
    workbook route too."""
    data, _, _ = hostile
    book = tmp_path / "libro.xlsx"
    assert cli.main(["plantilla", "--out", str(book), "--data", str(data)]) == 0
    from_book, from_folder = entradas.load(book), entradas.load(data)
    for name in ("objetivos", "estrategias", "indicadores", "resultados"):
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_folder, name))
    assert from_book.dependencia == from_folder.dependencia
    assert IMG in from_book.indicadores["nombre"].iloc[0]
