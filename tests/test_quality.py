"""Data-quality rules (informe.calculo.calidad): one small fixture per rule, then the real 2023 data.

Each case copies ``tests/fixtures/minimal`` (which has no finding at all) to
``tmp_path``, applies the edits that create exactly one inconsistency, and checks
the rule code, the indicator and the file (and line) of the finding. Line numbers
of the fixture: see the docstring of ``tests/test_validate.py``.
"""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from edits import MINIMAL, add_column, add_row, cell, delete_line
from markupsafe import escape

from informe import cli, config
from informe.calculo import calidad
from informe.datos.entradas import load
from informe.datos.parametros import ROMAN, load_params
from informe.reporte import revision

YEAR = 2023


def narrative(name: str, text: str):
    def edit(d: Path) -> None:
        folder = d / "narrativa" / str(YEAR)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return edit


def findings_for(tmp_path: Path, edits, params: dict | None = None):
    target = tmp_path / "datos"
    shutil.copytree(MINIMAL, target)
    for edit in edits:
        edit(target)
    return calidad.findings(load(target), YEAR, params)


def test_minimal_fixture_has_no_findings():
    assert calidad.findings(load(MINIMAL), YEAR) == []
    assert calidad.findings(load(MINIMAL), YEAR, {"cero_cero_sin_informacion": False}) == []


# (id, edits, expected set of rule codes, the finding to look at: rule, indicador_id, file, line)
CASES = [
    ("linea_base_distinta", [cell("indicadores.csv", 2, "linea_base_valor", "35")],
     {"linea_base_distinta"}, ("linea_base_distinta", "AC-1-01", "indicadores.csv", 2)),
    ("linea_base_distinta-dentro-de-tolerancia", [cell("indicadores.csv", 2, "linea_base_valor", "40.00")],
     set(), None),
    ("linea_base_na_con_dato", [cell("indicadores.csv", 4, "linea_base_valor", "")],
     {"linea_base_na_con_dato"}, ("linea_base_na_con_dato", "AC-2-01", "indicadores.csv", 4)),
    ("sin_referencia", [cell("indicadores.csv", 3, "linea_base_anio", "2021"),
                        cell("indicadores.csv", 3, "linea_base_valor", ""), delete_line("resultados.csv", 4)],
     {"sin_referencia"}, ("sin_referencia", "AC-1-02", "indicadores.csv", 3)),
    ("narrativa_cifra-no-compara-otras-unidades",
     [narrative("resumen_ejecutivo.md", "Los días de respuesta bajaron de 15% a un 12%.\n")], set(), None),
    ("anio_linea_base", [cell("indicadores.csv", 3, "linea_base_anio", "2021")],
     {"anio_linea_base"}, ("anio_linea_base", "AC-1-02", "indicadores.csv", 3)),
    ("nombre_repetido", [cell("indicadores.csv", 3, "nombre", "Porcentaje de solicitudes atendidas en tiempo")],
     {"nombre_repetido"}, ("nombre_repetido", "AC-1-02", "indicadores.csv", 3)),
    ("nombre_repetido-en-otro-objetivo-no-cuenta",
     [cell("indicadores.csv", 4, "nombre", "Porcentaje de solicitudes atendidas en tiempo")], set(), None),
    ("nombre_distinto_cedula",
     [add_column("indicadores.csv", "nombre_cedula",
                 ["", "días promedio de respuesta a solicitudes", "Porcentaje de usuarios satisfechos"])],
     {"nombre_distinto_cedula"}, ("nombre_distinto_cedula", "AC-2-01", "indicadores.csv", 4)),
    ("sin_resultado-sin-fila", [delete_line("resultados.csv", 5)],
     {"sin_resultado"}, ("sin_resultado", "AC-1-02", "resultados.csv", None)),
    ("sin_resultado-fila-vacia", [cell("resultados.csv", 5, "valor", "")],
     {"sin_resultado"}, ("sin_resultado", "AC-1-02", "resultados.csv", 5)),
    ("cero_cero", [cell("indicadores.csv", 3, "linea_base_valor", "0"),
                   cell("resultados.csv", 4, "valor", "0"), cell("resultados.csv", 5, "valor", "0")],
     {"cero_cero"}, ("cero_cero", "AC-1-02", "resultados.csv", 5)),
    ("cero_sospechoso", [cell("resultados.csv", 5, "valor", "0")],  # 0 in 2023, its line base 15
     {"cero_sospechoso"}, ("cero_sospechoso", "AC-1-02", "resultados.csv", 5)),
    ("cero_sospechoso-entre-dos-resultados",  # 68 (2020), 0 (2021), 70.5 (2022): the 0 of line 9
     [add_row("resultados.csv", {"indicador_id": "AC-2-01", "anio": "2020", "valor": "68"}),
      add_row("resultados.csv", {"indicador_id": "AC-2-01", "anio": "2021", "valor": "0"})],
     {"cero_sospechoso"}, ("cero_sospechoso", "AC-2-01", "resultados.csv", 9)),
    ("cero_sospechoso-no-en-el-primer-anio",  # a 0 with nothing measured before it may be a real start
     [add_row("resultados.csv", {"indicador_id": "AC-2-01", "anio": "2021", "valor": "0"})], set(), None),
    ("cero_sospechoso-no-despues-del-anio",  # a 0 after the report year belongs to a later report
     [add_row("resultados.csv", {"indicador_id": "AC-1-02", "anio": "2024", "valor": "0"}),
      add_row("resultados.csv", {"indicador_id": "AC-1-02", "anio": "2025", "valor": "11"})], set(), None),
    ("cero_sospechoso-marcado-nd", [cell("resultados.csv", 5, "valor", ""), cell("resultados.csv", 5, "estado", "ND")],
     set(), None),
    ("semaforo_distinto",  # AC-1-01 goes from 40 to 50 in 2023: «Con avance», not what was published
     [add_column("resultados.csv", "semaforo_publicado", ["igual", "sin_avance", "", "con_avance", "", ""])],
     {"semaforo_distinto"}, ("semaforo_distinto", "AC-1-01", "resultados.csv", 3)),
    ("semaforo_distinto-igual-al-calculado",  # each year judged with that year's result
     [add_column("resultados.csv", "semaforo_publicado", ["igual", "con_avance", "igual", "con_avance", "",
                                                          "sin_informacion"])], set(), None),
    ("meta_igual_referencia", [cell("indicadores.csv", 3, "meta_valor", "15")],
     {"meta_igual_referencia"}, ("meta_igual_referencia", "AC-1-02", "indicadores.csv", 3)),
    ("estado_con_valor", [cell("resultados.csv", 7, "valor", "71")],
     {"estado_con_valor"}, ("estado_con_valor", "AC-2-01", "resultados.csv", 7)),
    ("narrativa_conteo",
     [narrative("introduccion.md", "Presentación.\n\nEl programa tiene 3 objetivos y 2 estrategias.\n")],
     {"narrativa_conteo"}, ("narrativa_conteo", None, "narrativa/2023/introduccion.md", 3)),
    ("narrativa_conteo-en-palabras",
     [narrative("resumen_ejecutivo.md", "El programa tiene dos objetivos y cinco estrategias.\n")],
     {"narrativa_conteo"}, ("narrativa_conteo", None, "narrativa/2023/resumen_ejecutivo.md", 1)),
    ("acciones_estrategia_desconocida",
     [narrative("acciones.md", "## Estrategia 1.1\n\n- Hecho.\n\n## Estrategia 2.1\n\n- Hecho.\n\n"
                               "## Estrategia 9.9\n\n- Perdido.\n")],
     {"acciones_estrategia_desconocida"}, ("acciones_estrategia_desconocida", None,
                                          "narrativa/2023/acciones.md", None)),
    ("estrategia_sin_acciones", [narrative("acciones.md", "## Estrategia 1.1\n\n- Hecho.\n")],
     {"estrategia_sin_acciones"}, ("estrategia_sin_acciones", None, "narrativa/2023/acciones.md", None)),
    ("narrativa_conteo-correcto",
     [narrative("introduccion.md", "El programa tiene 2 objetivos y dos estrategias.\n")], set(), None),
    ("narrativa_cifra",
     [cell("indicadores.csv", 2, "linea_base_valor", "12"), cell("resultados.csv", 2, "valor", "12"),
      cell("resultados.csv", 3, "numerador", ""), cell("resultados.csv", 3, "denominador", ""),
      cell("resultados.csv", 3, "valor", "20"),
      narrative("resumen_ejecutivo.md", "Se logró pasar de 10% a un 20% de solicitudes atendidas.\n")],
     {"narrativa_cifra"}, ("narrativa_cifra", "AC-1-01", "narrativa/2023/resumen_ejecutivo.md", 1)),
    ("narrativa_cifra-correcta",
     [cell("indicadores.csv", 2, "linea_base_valor", "12"), cell("resultados.csv", 2, "valor", "12"),
      cell("resultados.csv", 3, "numerador", ""), cell("resultados.csv", 3, "denominador", ""),
      cell("resultados.csv", 3, "valor", "20"),
      narrative("acciones.md", "## Estrategia 1.1\n\n- Se pasó de 12% a 20% de solicitudes atendidas.\n\n"
                               "## Estrategia 2.1\n\n- Encuesta aplicada.\n")],
     set(), None),
]


@pytest.mark.parametrize("edits, rules, target", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_rule(tmp_path, edits, rules, target):
    found = findings_for(tmp_path, edits)
    assert {f.rule for f in found} == rules, "\n".join(f"{f.rule}: {f}" for f in found)
    if target is not None:
        rule, iid, file, line = target
        assert any(f.rule == rule and f.indicador_id == iid and f.file == file and f.line == line
                   for f in found), "\n".join(f"{f.rule} {f.indicador_id} {f.file} {f.line}" for f in found)
        assert all(f.message for f in found)


def test_cero_cero_off_is_not_reported(tmp_path):
    edits = [cell("indicadores.csv", 3, "linea_base_valor", "0"),
             cell("resultados.csv", 4, "valor", "0"), cell("resultados.csv", 5, "valor", "0")]
    assert findings_for(tmp_path, edits, {"cero_cero_sin_informacion": False}) == []


def test_sin_resultado_for_a_year_without_rows():
    found = calidad.findings(load(MINIMAL), 2024)
    assert {(f.rule, f.indicador_id) for f in found} == {
        ("sin_resultado", "AC-1-01"), ("sin_resultado", "AC-1-02"), ("sin_resultado", "AC-2-01")}


def test_narrativa_cifra_names_the_numbers(tmp_path):
    found = findings_for(tmp_path, CASES[[c[0] for c in CASES].index("narrativa_cifra")][1])
    (finding,) = found
    assert "de 10% a un 20%" in finding.message
    assert "12 % a 20 %" in finding.message


def test_findings_are_in_spanish_with_place(tmp_path):
    (finding,) = findings_for(tmp_path, [cell("indicadores.csv", 2, "linea_base_valor", "35")])
    assert str(finding).startswith("indicadores.csv, línea 2: ")
    assert "la cédula declara línea base 2022 = 35" in finding.message
    assert "el semáforo usa 40" in finding.message


# ---------------------------------------------------------------- the published 2023 report

@pytest.fixture(scope="module")
def reference_findings():
    return calidad.findings(load(config.ROOT / "data"), YEAR)


def _has(found, rule, iid=None, file=None, text=None):
    return any(f.rule == rule and (iid is None or f.indicador_id == iid) and (file is None or f.file == file)
               and (text is None or text in f.message) for f in found)


@pytest.mark.parametrize("rule, iid, file, text", [
    # objective 2: two rows named "Porcentaje de procedimientos de adjudicación abiertos"
    ("nombre_repetido", "OM-2-06", "indicadores.csv", "OM-2-02, OM-2-06"),
    # the narrative says 23.6 % where the table says 26.6 %
    ("narrativa_cifra", "OM-2-06", "narrativa/2023/resumen_ejecutivo.md", "de 23.6% a un 38.8%"),
    ("narrativa_cifra", "OM-2-06", "narrativa/2023/acciones.md", "de 23.6% a un 38.89%"),
    # card baselines that differ from the results table
    ("linea_base_distinta", "OM-1-01", "indicadores.csv", "= 0, pero resultados.csv publica 12.5"),
    ("linea_base_distinta", "OM-2-06", "indicadores.csv", "= 60, pero resultados.csv publica 26.6"),
    ("linea_base_na_con_dato", "OM-4-01", "indicadores.csv", "N/A"),
    ("anio_linea_base", "OM-5-07", "indicadores.csv", "2021"),
    ("anio_linea_base", "OM-5-08", "indicadores.csv", "2021"),
    # the introduction speaks of 4 objectives
    ("narrativa_conteo", None, "narrativa/2023/introduccion.md", "4 objetivos"),
])
def test_reference_inconsistencies_are_reported(reference_findings, rule, iid, file, text):
    assert _has(reference_findings, rule, iid, file, text), "\n".join(
        f"{f.rule} {f.indicador_id} {f.file}: {f.message}" for f in reference_findings)


def test_reference_findings_stop_at_the_known_ones(reference_findings):
    """No rule fires on an indicator that the data README does not list as inconsistent."""
    by_rule = {}
    for f in reference_findings:
        by_rule.setdefault(f.rule, set()).add(f.indicador_id)
    assert by_rule["linea_base_distinta"] == {"OM-1-01", "OM-2-06"}  # 41.1 vs 41.10 is precision only
    assert by_rule["linea_base_na_con_dato"] == {"OM-4-01"}
    assert by_rule["anio_linea_base"] == {"OM-5-07", "OM-5-08"}
    assert by_rule["nombre_repetido"] == {"OM-2-06"}
    assert by_rule["nombre_distinto_cedula"] == {"OM-1-01", "OM-2-06", "OM-3-03", "OM-3-05"}
    assert by_rule["cero_cero"] == {"OM-1-02", "OM-1-03", "OM-3-06", "OM-5-07", "OM-5-08"}
    assert by_rule["narrativa_conteo"] == {None}
    assert by_rule["narrativa_cifra"] == {"OM-2-06"}
    assert "sin_resultado" not in by_rule  # the four ENCIG indicators are ND, not missing
    assert "estado_con_valor" not in by_rule
    assert "meta_igual_referencia" not in by_rule


# ---------------------------------------------------------------- the reviewer document (revision.review)

RULE_CODES = set(re.findall(r'Finding\(\s*"([a-z_]+)"', Path(calidad.__file__).read_text("utf-8")))
INTERNAL_ID = re.compile(r"[A-Z]{2,}-\d+-\d+")
LINE_REFERENCE = re.compile(r"\bl[ií]neas?\s+\d", re.IGNORECASE)
TEXT_COLUMNS = ["tema", "hallazgo", "donde", "revisar"]


def assert_plain_spanish(frame: pd.DataFrame) -> None:
    """No rule code, internal indicator id, file name or line number in any text cell."""
    for column in TEXT_COLUMNS:
        for text in frame[column].astype(str):
            assert not [code for code in RULE_CODES if code in text], (column, text)
            assert not INTERNAL_ID.search(text), (column, text)
            assert not any(ext in text for ext in (".csv", ".md", ".yaml")), (column, text)
            assert not LINE_REFERENCE.search(text), (column, text)


def review_for(tmp_path: Path, edits, year: int = YEAR):
    target = tmp_path / "datos"
    shutil.copytree(MINIMAL, target)
    for edit in edits:
        edit(target)
    ds = load(target)
    return ds, calidad.findings(ds, year), revision.review(ds, year)


@pytest.fixture(scope="module")
def reference():
    ds = load(config.DATA_DIR)
    params = load_params(YEAR)
    return ds, params, revision.review(ds, YEAR, params)


def test_every_rule_has_a_topic():
    assert RULE_CODES == set(revision.TEMA_DE_REGLA) | calidad.EDITOR_ONLY
    assert set(revision.TEMA_DE_REGLA.values()) <= set(revision.TEMAS)


def test_review_columns_and_topic_categories(reference):
    *_, frame = reference
    assert list(frame.columns) == revision.REVIEW_COLUMNS == TEXT_COLUMNS
    assert isinstance(frame["tema"].dtype, pd.CategoricalDtype)
    assert frame["tema"].cat.ordered
    assert list(frame["tema"].cat.categories) == list(revision.TEMAS)
    assert frame["tema"].is_monotonic_increasing
    assert frame.notna().all().all()


def test_review_one_row_per_fact(reference):
    ds, params, frame = reference
    assert len(frame) < len(calidad.findings(ds, YEAR, params))
    (figure,) = [row for row in frame.itertuples() if "23.6" in row.hallazgo]
    # the same «de 23.6% a …» statement is in the executive summary, the actions of strategy 2.1
    # and the projects table: one row, with every place
    places = figure.donde.split("; ")
    assert [p.split(".")[0] for p in places] == ["VI", "VII", "VII", "VIII"]
    assert "VII. Objetivo 2, acciones realizadas de la estrategia 2.1" in places
    assert "VII. Objetivo 2, tabla «Impacto de las acciones»" in places
    assert "«de 23.6% a un 38.8%» y «de 23.6% a un 38.89%»" in figure.hallazgo
    assert "26.6% (2022) a 38.89% (2023)" in figure.hallazgo
    # the repeated name and the card with another name for the same indicator: one row
    (names,) = [row for row in frame.itertuples() if "se llaman igual" in row.hallazgo]
    assert "Licitación Pública" in names.hallazgo
    assert names.donde == "VII. Objetivo 2, tabla «Impacto de las acciones»; X. Anexos, cédulas de los indicadores"
    (count,) = [row for row in frame.itertuples() if "«4 objetivos»" in row.hallazgo]
    assert count.donde == "I. Introducción"


def test_review_speaks_of_the_report_not_of_files(reference):
    *_, frame = reference
    assert_plain_spanish(frame)
    baseline = frame[frame["hallazgo"].str.contains("declara una línea base 2022 de 60%")]
    assert len(baseline) == 1
    text = baseline.iloc[0].hallazgo
    assert "la tabla de resultados publica 26.6% para 2022; el semáforo se calcula con 26.6%" in text
    # the indicator shares its name with another one: the text tells them apart
    assert "el segundo con ese nombre en el objetivo 2" in baseline.iloc[0].hallazgo
    assert baseline.iloc[0].donde == ("VII. Objetivo 2, tabla «Impacto de las acciones»; "
                                      "X. Anexos, cédula del indicador")


def test_review_of_the_minimal_fixture_is_empty(reference):
    *_, frame = reference
    empty = revision.review(load(MINIMAL), YEAR)
    assert empty.empty
    assert list(empty.columns) == list(frame.columns)
    assert (empty.dtypes == frame.dtypes).all()


@pytest.mark.parametrize("edits", [pytest.param(c[1], id=c[0]) for c in CASES if c[2]])
def test_review_of_each_rule(tmp_path, edits):
    _, found, frame = review_for(tmp_path, edits)
    assert 1 <= len(frame) <= len(found)
    assert_plain_spanish(frame)
    assert frame["tema"].isin(revision.TEMAS).all()
    assert all(place.split(".")[0] in ROMAN.values()
               for donde in frame["donde"] for place in donde.split("; "))


def test_review_of_a_year_without_results():
    frame = revision.review(load(MINIMAL), 2024)
    assert len(frame) == 3
    assert set(frame["tema"]) == {"Resultado del año"}
    assert_plain_spanish(frame)


def test_review_groups_a_count_said_in_two_places(tmp_path):
    _, found, frame = review_for(tmp_path, [
        narrative("introduccion.md", "El programa tiene 3 objetivos.\n"),
        narrative("resumen_ejecutivo.md", "Se avanzó en los tres objetivos.\n")])
    assert len(found) == 2
    (row,) = frame.itertuples()
    assert row.donde == "I. Introducción; VI. Resumen Ejecutivo"
    assert "«3 objetivos» y «tres objetivos»" in row.hallazgo


def test_write_review(tmp_path, reference):
    ds, params, frame = reference
    path = revision.write_review(ds, YEAR, params, tmp_path / "calidad_2023.html", dependencia="Oficialía Mayor")
    assert path == tmp_path / "calidad_2023.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["calidad_2023.html"]  # no temporary file left
    first = path.read_bytes()
    html = first.decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in html and '<meta charset="utf-8">' in html
    assert "<script" not in html.lower() and "http:" not in html and "https:" not in html and " style=" not in html
    assert "Oficialía Mayor" in html and "2023" in html
    assert html.count('<th scope="col"') == 4 and "<caption>" in html
    assert html.index("<h1>") < html.index("<h2>")
    for text in frame["hallazgo"]:
        assert str(escape(text)) in html
    revision.write_review(ds, YEAR, params, path, dependencia="Oficialía Mayor")
    assert path.read_bytes() == first


def test_write_review_without_findings(tmp_path):
    path = revision.write_review(load(MINIMAL), YEAR, None, tmp_path / "calidad.html",
                                dependencia="Instituto de Atención Ciudadana")
    html = path.read_text(encoding="utf-8")
    assert "No se encontraron inconsistencias." in html and "<table" not in html


def test_write_review_removes_the_temporary_file_on_error(tmp_path, monkeypatch):
    def fail(*args):
        raise OSError("disco lleno")
    from informe.construccion import salida

    monkeypatch.setattr(salida.os, "replace", fail)
    with pytest.raises(OSError):
        revision.write_review(load(MINIMAL), YEAR, None, tmp_path / "calidad.html", dependencia="IAC")
    assert list(tmp_path.iterdir()) == []


def test_review_escapes_names(tmp_path):
    name = "Porcentaje <b>de</b> solicitudes <script>alert(1)</script>"
    ds, _, frame = review_for(tmp_path, [cell("indicadores.csv", 2, "nombre", name),
                                         cell("indicadores.csv", 2, "linea_base_valor", "35")])
    (row,) = frame.itertuples()
    assert f"«{name}»" in row.hallazgo
    document = revision.write_review(ds, YEAR, None, tmp_path / "calidad.html", dependencia="IAC <i>")
    html = document.read_text(encoding="utf-8")
    assert "<script" not in html and "<b>de</b>" not in html and "IAC <i>" not in html
    assert str(escape(row.hallazgo)) in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    section = revision.review_section(ds, YEAR)
    assert "<script" not in section and "&lt;script&gt;" in section


def test_review_section_fragment(reference):
    ds, params, frame = reference
    section = revision.review_section(ds, YEAR, params)
    assert section.startswith('<h2 class="subseccion" id="calidad-datos">Notas de calidad de los datos</h2>')
    assert "<html" not in section and "<h1" not in section
    assert section.count("<tr>") == len(frame) + 1
    for text in frame["hallazgo"]:
        assert str(escape(text)) in section
    assert "No se encontraron inconsistencias." in revision.review_section(load(MINIMAL), YEAR)


def test_review_names_each_section_as_its_heading_in_the_report(reference):
    """A place of the review («VI. Resumen Ejecutivo, …») begins with the heading the report prints for that
    section: the review, which the report may include, never calls a section otherwise."""
    from bs4 import BeautifulSoup

    from informe.reporte import secciones

    ds, params = reference[0], reference[1]
    ctx = secciones.open(YEAR, config.DATA_DIR)
    headings = {}
    for number in range(1, 11):
        heading = BeautifulSoup(secciones.titulo(ctx, number).data, "html.parser").find(["h1", "h2"])
        headings[heading.get_text(" ", strip=True).split(".", 1)[0]] = heading.get_text(" ", strip=True)
    places = [p for donde in revision.review(ds, YEAR, params)["donde"] for p in donde.split("; ")]
    titled = [p for p in places if not p.startswith("VII.")]  # VII names the objective, not the section
    assert titled
    for place in titled:
        assert place.startswith(headings[place.split(".", 1)[0]]), (place, headings)


def test_a_suspicious_zero_is_asked_about_with_its_cell(tmp_path):
    found = [f for f in findings_for(tmp_path, [cell("resultados.csv", 5, "valor", "0")]) if f.rule == "cero_sospechoso"]
    (zero,) = found
    assert str(zero).startswith("resultados.csv, línea 5, columna «valor»: «Días promedio de respuesta")
    assert "con línea base 15" in str(zero) and str(zero).endswith(calidad.ZERO_QUESTION)
    (row,) = review_for(tmp_path / "r", [cell("resultados.csv", 5, "valor", "0")])[2].itertuples()
    assert "como resultado 2023" in row.hallazgo and "no disponible (N/D)" in row.revisar


def test_a_file_the_contract_does_not_know_is_named_with_what_it_meant(tmp_path, capsys):
    """No file is ignored in silence: each unknown file or folder is a note for whoever edits the data (with
    the known name it most likely meant), never a fact of the reviewer's document."""
    def files(d: Path) -> None:
        (d / "resultado.csv").write_text("indicador_id,anio,valor\n", encoding="utf-8")
        (d / "dependencia.yml").write_text("nombre: x\n", encoding="utf-8")
        (d / "README.md").write_text("Notas de la unidad de planeación.\n", encoding="utf-8")
        (d / ".DS_Store").write_bytes(b"\0")
        (d / "narrativa" / "2023").mkdir(parents=True)
        (d / "narrativa" / "2023" / "Introducción.md").write_text("Texto.\n", encoding="utf-8")
        (d / "narrativa" / "borradores").mkdir()
        (d / "institucional").mkdir()
        (d / "institucional" / "glosario.xlsx").write_bytes(b"PK")
        (d / "params").mkdir()
        (d / "params" / "2023.yml").write_text("anio: 2023\n", encoding="utf-8")
        (d / "params" / "2023.yaml").write_text("anio: 2023\n", encoding="utf-8")

    ds, found, frame = review_for(tmp_path, [files])
    notes = {f.file: f.message for f in found if f.rule == "archivo_desconocido"}
    assert set(notes) == {"resultado.csv", "dependencia.yml", "narrativa/2023/Introducción.md",
                          "narrativa/borradores/", "institucional/glosario.xlsx", "params/2023.yml"}
    assert "¿quiso decir «resultados.csv»?" in notes["resultado.csv"]
    assert "¿quiso decir «dependencia.yaml»?" in notes["dependencia.yml"]
    assert "¿quiso decir «introduccion.md»?" in notes["narrativa/2023/Introducción.md"]
    assert "¿quiso decir «glosario.csv»?" in notes["institucional/glosario.xlsx"]
    assert notes["narrativa/borradores/"].startswith("el programa no lee esta carpeta")
    assert frame.empty, "the reviewer's document speaks of the report, not of the files"
    assert cli.main(["validar", "--data", str(tmp_path / "datos"), "--year", str(YEAR)]) == 0
    assert "AVISO dependencia.yml: el programa no lee este archivo" in capsys.readouterr().out


def test_a_published_semaforo_that_differs_is_named_for_its_year_and_never_printed(tmp_path, capsys):
    edits = [add_column("resultados.csv", "semaforo_publicado", ["con_avance", "sin_avance", "", "", "", ""])]
    ds, found, frame = review_for(tmp_path, edits)
    assert sorted((f.indicador_id, f.detalle["anio"]) for f in found) == [("AC-1-01", 2022), ("AC-1-01", 2023)]
    first = next(f for f in found if f.detalle["anio"] == 2022)
    assert str(first).startswith("resultados.csv, línea 2, columna «semaforo_publicado»")
    assert "dice «Con avance» para 2022" in str(first) and "el semáforo es «Igual»" in str(first)
    assert len(frame) == 2 and all("Una publicación anterior marcó" in h for h in frame["hallazgo"])
    assert cli.main(["validar", "--data", str(tmp_path / "datos"), "--year", str(YEAR)]) == 0
    assert capsys.readouterr().out.count("AVISO resultados.csv") == 2


def test_a_zero_between_two_results_names_them(tmp_path):
    edits = [add_row("resultados.csv", {"indicador_id": "AC-2-01", "anio": "2020", "valor": "68"}),
             add_row("resultados.csv", {"indicador_id": "AC-2-01", "anio": "2021", "valor": "0"})]
    (zero,) = findings_for(tmp_path, edits)
    assert "el resultado 2021 es 0, entre 68% (2020) y 70.5% (2022)." in str(zero)


@pytest.mark.parametrize("edits", [
    [cell("resultados.csv", 3, "numerador", ""), cell("resultados.csv", 3, "denominador", ""),
     cell("resultados.csv", 3, "valor", "0")],  # a suspicious zero of AC-1-01
    [add_column("resultados.csv", "semaforo_publicado", ["", "sin_avance", "", "", "", ""])],  # a published status
], ids=["cero_sospechoso", "semaforo_distinto"])
def test_the_new_facts_escape_the_names_they_quote(tmp_path, edits):
    """Contract v3's facts quote the indicator's name in the reviewer's document: escaped there like any other."""
    name = "Solicitudes <img src=x onerror=alert(1)> <script>alert(2)</script>"
    ds, _, frame = review_for(tmp_path, [cell("indicadores.csv", 2, "nombre", name), *edits])
    assert len(frame) == 1 and f"«{name}»" in frame["hallazgo"].iloc[0]
    html = revision.write_review(ds, YEAR, None, tmp_path / "calidad.html", dependencia="IAC").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script") and not soup.find("img"), "no element from the data"
    assert name in soup.get_text(), "the name reads as written"
