"""The report layer: section functions return typed data; Styler, Jinja2 and the stylesheet present it."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from edits import MINIMAL, cell
from pandas.io.formats.style import Styler

from informe import config
from informe.calculo import calidad
from informe.reporte import presentacion, secciones

YEAR = 2023


@pytest.fixture(scope="module")
def ctx():
    return secciones.open(YEAR)


def test_indicator_table_is_a_typed_frame_behind_a_styler(ctx):
    styled = secciones.indicadores(ctx, 2)
    assert isinstance(styled, Styler)
    frame = styled.data
    pd.testing.assert_frame_equal(frame, secciones.indicadores_datos(ctx, 2))
    assert list(frame.columns) == ["Indicador", "Línea base 2022", "Resultado 2023", "Fuente", "Semáforo",
                                   "Trayectoria", "Meta 2027", "Avance hacia la meta (%)"]
    for column in ("Línea base 2022", "Resultado 2023", "Meta 2027", "Avance hacia la meta (%)"):
        assert frame[column].dtype == "Float64", column
    assert isinstance(frame["Semáforo"].dtype, pd.CategoricalDtype) and frame["Semáforo"].cat.ordered
    assert list(frame["Semáforo"].cat.categories) == ["Con avance", "Sin avance", "Igual", "Sin información",
                                                        "No aplica"]
    assert list(frame["Trayectoria"].cat.categories) == ["Meta alcanzada", "En trayectoria", "Avance moderado",
                                                         "Avance limitado", "Retroceso", "Sin información", "No aplica",
                                                         "Sin meta"]
    assert frame["Trayectoria"].cat.ordered
    # an evaluator can sort and filter it like any frame
    assert frame.sort_values("Resultado 2023", ascending=False)["Resultado 2023"].iloc[0] == pytest.approx(100)
    assert (frame["Semáforo"] >= "Sin avance").sum() == 0


def test_indicator_table_html_formats_as_published_with_classes_only(ctx):
    soup = BeautifulSoup(secciones.indicadores(ctx, 2).to_html(), "html.parser")
    table = soup.find("table")
    assert table["class"] == ["tabla", "indicadores"] and table["id"] == "T_indicadores-2"
    assert table.caption.get_text(strip=True) == "Impacto de las acciones"
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
    first = next(r for r in rows if r[0] == "Porcentaje de procedimientos de adjudicación abiertos")
    assert first[1:3] == ["0%", "84.20%"] and first[3] == "Oficialía Mayor del Estado de Sonora"
    assert first[4] == "Con avance" and first[5] == "Meta alcanzada" and first[6] == "80%" and first[7] == "105.25%"
    assert not soup.select("[style]"), "no inline style: the stylesheet owns the look"
    assert all("numero" in td["class"] for td in table.select("td.col1, td.col2, td.col6, td.col7"))
    assert all(td["class"][-2:] == ["trayectoria", f"trayectoria-{code}"] for td, code in zip(
        table.select("td.col5"), ctx.indicators(2)["trayectoria"]))
    assert "OM-2" not in str(soup)


def test_result_not_available_shows_nd_with_its_note(ctx):
    html = secciones.indicadores(ctx, 5).to_html()
    assert "N/D (La información aún no se publica)" in html
    assert secciones.indicadores_datos(ctx, 5)["Resultado 2023"].isna().sum() == 4


def test_summary_frames_are_integer_counts(ctx):
    total = secciones.resumen_indicadores(ctx).data
    assert total.to_dict("records") == [{"Número de indicadores": 24, "Con avance": 15, "Sin avance": 0,
                                         "Igual": 0, "Sin información": 9}]
    per = secciones.resumen_datos(ctx)
    assert per["Con avance"].dtype == "int64" and per["Objetivo"].iloc[-1] == "Total"


def test_table_of_contents_is_data_and_matches_the_section_titles(ctx):
    toc = secciones.contenido(ctx)
    assert list(toc.columns) == ["nivel", "ancla", "titulo"]
    assert list(toc.loc[toc["nivel"] == 1, "ancla"]) == [f"seccion-{n}" for n in range(1, 11)]
    assert toc.loc[toc["ancla"] == "seccion-4", "titulo"].item().startswith("IV. Alineación de los Programa")
    assert list(toc.loc[toc["ancla"].str.startswith("objetivo-"), "ancla"]) == [f"objetivo-{i}" for i in range(1, 6)]
    assert "calidad-datos" not in set(toc["ancla"])


def test_quality_notes_enter_the_report_only_when_asked(ctx):
    assert secciones.calidad(ctx) is None
    asked = secciones.Context(ctx.year, ctx.data_dir, ctx.dataset, {**ctx.params, "incluir_calidad": True}, ctx.table)
    html = secciones.calidad(asked).data
    assert 'id="calidad-datos"' in html and "23.6" in html
    assert not re.search(r"[A-Z]{2,}-\d+-\d+", html) and "linea_base_distinta" not in html
    assert "calidad-datos" in set(secciones.contenido(asked)["ancla"])


def test_templates_escape_data_and_markdown_is_sanitized(tmp_path):
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    cell("objetivos.csv", 2, "nombre", "Mejorar <script>alert(1)</script> & más")(data)
    folder = data / "narrativa" / str(YEAR)
    folder.mkdir(parents=True)
    (folder / "introduccion.md").write_text(
        "Texto <img src=x onerror=alert(1)> [enlace](javascript:alert(2)) <iframe src=x></iframe>"
        "<form><input></form> **negritas**\n", encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    ctx = secciones.open(YEAR, data, params)
    heading = secciones.objetivo(ctx, 1).data
    assert "<script>" not in heading and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; más" in heading
    intro = secciones.introduccion(ctx).data
    for bad in ("onerror", "javascript:", "<iframe", "<form", "<input"):
        assert bad not in intro, bad
    assert "<strong>negritas</strong>" in intro


def test_cells_with_several_items_are_lists_with_one_marker_each(ctx, tmp_path):
    """«…transparente Administrar de manera…»: two objectives in one cell used to run together. Each line of
    the data is an item; a list whose items bring their own marker («9.4», «a)») shows no bullet."""
    soup = BeautifulSoup(secciones.alineacion_ods(ctx).to_html(), "html.parser")
    cell = next(td for td in soup.select("td") if "Promover la transformación digital" in td.get_text())
    assert [li.get_text() for li in cell.select("ul.celda-lista > li")] == [
        "Promover la transformación digital para un gobierno eficiente y transparente",
        "Administrar de manera eficiente y con certeza los bienes patrimoniales del estado."]
    metas = next(td for td in soup.select("td") if td.get_text().strip().startswith("9.4"))
    assert "marcada" in metas.ul["class"] and len(metas.select("li")) == 2
    single = next(td for td in soup.select("td") if td.get_text().startswith("Consolidar la operación"))
    assert not single.ul, "one item: no list"
    intro = BeautifulSoup(secciones.introduccion(ctx).data, "html.parser")
    assert any("marcada" in ul.get("class", []) for ul in intro.select("ul")), "«- I. Introducción»: one marker"
    # an item is text: a payload in a multi-item cell stays text
    data = tmp_path / "datos"
    shutil.copytree(config.DATA_DIR, data)
    ods = data / "institucional" / "alineacion_ods.csv"
    ods.write_text(ods.read_text(encoding="utf-8").replace("Administrar de manera eficiente",
                                                            "<img src=x onerror=alert(1)>Administrar"), encoding="utf-8")
    hostile = BeautifulSoup(secciones.alineacion_ods(secciones.open(YEAR, data)).to_html(), "html.parser")
    assert not hostile.select("img") and "<img src=x onerror=alert(1)>Administrar" in hostile.get_text()


def test_markdown_keeps_lettering_and_allowed_markup():
    html = str(presentacion.markdown_html("## Título\n\n- a) primero\n- b) segundo\n\n[sitio](https://sonora.gob.mx)"))
    assert "<h2>Título</h2>" in html and "<li>a) primero</li>" in html
    assert 'href="https://sonora.gob.mx"' in html


def test_the_computed_counts_are_printed_only_where_the_narrative_agrees(ctx):
    """2023's introduction says «4 objetivos, 9 estrategias»; the data have 5 objectives: the report does not
    print its own count beside it (the quality review names the disagreement). The example agency's
    introduction states the same counts as its data: the sentence is printed."""
    assert "se integra por" not in secciones.introduccion(ctx).data
    assert any(f.rule == "narrativa_conteo" and f.detalle["datos"] == 5 for f in calidad.findings(ctx.dataset, YEAR))
    example = secciones.open(2025, config.ROOT / "ejemplos" / "instituto-ejemplo")
    assert ("los programas se integran por 4 objetivos, 8 estrategias y 16 indicadores"  # two programmes
            in secciones.introduccion(example).data)


def test_section_titles_come_from_params(ctx):
    assert secciones.titulo(ctx, 4).data.startswith(
        '<h1 class="seccion" id="seccion-4" data-encabezado="I–V. Introducción, marco normativo y alineación">'
        'IV. Alineación de los Programa')
    assert "Misión y Visión de la Oficialía Mayor" in secciones.titulo(ctx, 3).data
    example = secciones.open(2025, config.ROOT / "ejemplos" / "instituto-ejemplo")
    assert "Misión y Visión del Instituto Estatal de Ejemplo (ficticio)" in secciones.titulo(example, 3).data


def test_no_colour_width_or_font_size_in_python():
    """The look lives in the stylesheet (and informe.mplstyle): no colour, width or size literal in the code."""
    for path in config.PACKAGE_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{6}\b", text), path.name
        assert not re.search(r"(font-size|width|color)\s*:", text), path.name
        assert "fontsize=" not in text and "sns.set" not in text and "matplotlib.use(" not in text, path.name


def test_series_keep_every_indicator_even_with_a_repeated_name(ctx):
    wide = secciones.serie(ctx, 2)
    assert len(wide) == 6, "two indicators share a name in objective 2: both rows must stay"
    assert list(wide.columns) == [2022, 2023]
    assert wide.loc[("OM-2-06", "Porcentaje de procedimientos de adjudicación abiertos"), 2022] == pytest.approx(26.6)


def test_errors_in_a_notebook_speak_of_notebook_parameters(tmp_path):
    from informe.problemas import DataError

    with pytest.raises(DataError) as info:
        secciones.open(YEAR, tmp_path / "no-existe")
    text = str(info.value)
    assert "-p data_dir DIR" in text and "--data" not in text
    with pytest.raises(DataError) as info:
        secciones.open(2031, None, tmp_path / "no-existe.yaml")
    text = str(info.value)
    assert "-p params_file ARCHIVO" in text and "--params" not in text
    assert "no hay resultados para el año 2031" in text, "every blocker at once"


def test_a_result_of_an_earlier_year_is_printed_with_its_year(tmp_path):
    """Contract v3: a biennial indicator without a 2023 result shows its latest measurement, with its year,
    in the table and on its bar; the others keep the report's year implicit."""
    from informe.reporte import graficas

    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    cell("indicadores.csv", 4, "frecuencia", "bienal")(data)  # AC-2-01: 70.5 % in 2022, ND in 2023
    cell("indicadores.csv", 4, "linea_base_anio", "2021")(data)
    ctx = secciones.open(YEAR, data)
    table = BeautifulSoup(secciones.indicadores(ctx, 2).to_html(), "html.parser")
    assert "70.5% (2022)" in table.get_text(" ")
    bars = graficas.objective_chart_data(ctx, 2)
    assert list(bars.loc[bars["serie"] == f"Resultado {YEAR}", "texto"]) == ["70.5 (2022)"]
    other = BeautifulSoup(secciones.indicadores(ctx, 1).to_html(), "html.parser").get_text(" ")
    assert "(2023)" not in other and "(2022)" not in other
