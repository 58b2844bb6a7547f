"""Charts are keyed by indicador_id: each draws one entry per indicator of the objective, with exactly the
figures of the objective's indicator table, even where two indicators share a name (objective 2 of 2023,
as published)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.lines import Line2D

from informe import config
from informe.reporte import graficas, secciones

EJEMPLO = config.ROOT / "ejemplos" / "instituto-ejemplo"
CASES = [(2023, None), (2025, EJEMPLO)]


@pytest.fixture(scope="module", params=CASES, ids=["oficialia-2023", "ejemplo-2025"])
def ctx(request):
    year, data_dir = request.param
    return secciones.open(year, data_dir)


def objectives(ctx) -> list[int]:
    return [int(o) for o in ctx.dataset.objetivos["objetivo_id"]]


def table_texts(ctx, objetivo_id) -> list[dict[str, str]]:
    """The indicator table as the report prints it: one dict per row, column header → cell text."""
    soup = BeautifulSoup(secciones.indicadores(ctx, objetivo_id).to_html(), "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("thead th")]
    return [dict(zip(headers, (td.get_text(strip=True) for td in tr.find_all("td")))) for tr in soup.select("tbody tr")]


def figure_text(text: str, result: bool = False) -> str:
    """The number of a printed table cell: without its unit sign, reference year or N/D note; a result keeps the
    year of its measurement when it is not the report's («46.8 (2023)»), as its bar does."""
    if text.startswith(("N/D", "Pendiente", "N/A", "Sin meta")):
        return ""
    number, year = re.fullmatch(r"(.*?)(\s*\(\d{4}\))?", text).groups()
    return number.removesuffix("%") + (year or "" if result else "")


def test_bar_chart_draws_each_indicator_once_with_the_tables_figures(ctx):
    for objetivo_id in objectives(ctx):
        table = secciones.indicadores_datos(ctx, objetivo_id)
        printed = table_texts(ctx, objetivo_id)
        fig = graficas.objetivo(ctx, objetivo_id)
        ax = fig.axes[0]
        assert len(ax.get_yticks()) == len(table), f"objetivo {objetivo_id}: one group per indicator"
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert len(set(labels)) == len(labels), f"objetivo {objetivo_id}: labels tell indicators apart"
        columns = [table.columns[1], table.columns[2], table.columns[-2]]  # línea base, resultado, meta (not an
        # interim target: «Meta 2025» of the example's objectives 1 and 4 is not drawn)
        assert len(ax.containers) == len(columns)
        for container, column in zip(ax.containers, columns):
            expected = [float(v) if present else math.nan for v, present in zip(table[column], table[column].notna())]
            drawn = list(container.datavalues)
            assert len(drawn) == len(expected)
            for got, want in zip(drawn, expected):
                assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want), (objetivo_id, column)
        bar_texts = [a.get_text() for a in ax.texts if a.get_text().strip() != "Resultado N/D"]
        expected_texts = [figure_text(row[c], c.startswith("Resultado")) for c in columns for row in printed]
        assert bar_texts == expected_texts, f"objetivo {objetivo_id}: bar labels print the table's figures"


def test_trajectory_chart_has_one_panel_per_indicator_with_its_results(ctx):
    for objetivo_id in objectives(ctx):
        table = secciones.tendencia_datos(ctx, objetivo_id)
        fig = graficas.trayectoria(ctx, objetivo_id)
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert len(panels) == len(table), f"objetivo {objetivo_id}: one panel per indicator"
        titles = [ax.get_title(loc="left") for ax in panels]
        assert len(set(titles)) == len(titles), f"objetivo {objetivo_id}: panel titles tell indicators apart"
        years = [c for c in table.columns if c.isdigit()]
        for ax, (_, row) in zip(panels, table.iterrows()):
            result = next(line for line in ax.get_lines() if isinstance(line, Line2D) and line.get_label() == "Resultado")
            drawn = dict(zip((int(x) for x in result.get_xdata()), (float(y) for y in result.get_ydata())))
            for year in years:
                if pd.notna(row[year]):
                    assert drawn[int(year)] == pytest.approx(float(row[year])), (objetivo_id, year)
                else:
                    assert int(year) not in drawn, (objetivo_id, year)


def test_trajectory_panels_can_be_compared_and_their_titles_read_whole(ctx):
    """Panels of one unit share their y scale (0–100 for percentages unless a value lies outside); a title is
    the whole name, wrapped, never cut with «…»; the legend appears once, for the figure."""
    for objetivo_id in objectives(ctx):
        rows = ctx.indicators(objetivo_id)
        fig = graficas.trayectoria(ctx, objetivo_id)
        panels = [ax for ax in fig.axes if ax.get_visible()]
        scales: dict[str, set] = {}
        for ax, item in zip(panels, rows.to_dict("records")):
            unit = str(item["unidad_medida"]).strip().lower()
            scales.setdefault(unit, set()).add(tuple(round(v, 6) for v in ax.get_ylim()))
            title = ax.get_title(loc="left")
            assert "…" not in title and title.replace("\n", " ").startswith(str(item["nombre"])), title
            assert ax.get_legend() is None
        for unit, ranges in scales.items():
            assert len(ranges) == 1, f"objetivo {objetivo_id}: panels in {unit} on different scales {ranges}"
            low, high = ranges.pop()
            if unit == "porcentaje":
                assert low <= 0 and high >= 100, (objetivo_id, low, high)
        assert len(fig.legends) == 1


def test_exploration_frames_are_keyed_by_indicador_id(ctx):
    """What an evaluator sorts and plots identifies each indicator by its id, in table order; two indicators
    with the same name stay two rows."""
    for objetivo_id in objectives(ctx):
        ids = list(ctx.indicators(objetivo_id)["indicador_id"])
        frames = {"indicadores_datos": secciones.indicadores_datos(ctx, objetivo_id),
                  "tendencia_datos": secciones.tendencia_datos(ctx, objetivo_id),
                  "serie": secciones.serie(ctx, objetivo_id).reset_index("Indicador"),
                  "distintivos": secciones.distintivos(ctx, objetivo_id),
                  "etiquetas": secciones.etiquetas(ctx, objetivo_id)}
        for name, frame in frames.items():
            assert frame.index.name == "indicador_id" and list(frame.index) == ids, (name, objetivo_id)
        names = frames["indicadores_datos"]["Indicador"]
        assert list(names) == list(ctx.indicators(objetivo_id)["nombre"])
        printed = [row["Indicador"] for row in table_texts(ctx, objetivo_id)]
        assert printed == list(names), "the report's table: same rows, the id not shown"


def test_indicators_sharing_a_name_are_two_bars_two_panels_and_two_caption_entries():
    ctx = secciones.open(2023)
    table = secciones.indicadores_datos(ctx, 2)
    assert table["Indicador"].duplicated().any(), "objective 2 of 2023 repeats a name, as published"
    labels = secciones.etiquetas(ctx, 2)
    assert labels.is_unique and labels.index.is_unique and len(labels) == len(table)
    bars = [t.get_text() for t in graficas.objetivo(ctx, 2).axes[0].get_yticklabels()]
    assert sum("(fila 2 de la tabla)" in b for b in bars) == 1 and sum("(fila 6 de la tabla)" in b for b in bars) == 1
    caption = secciones.nota_grafica(ctx, 2).data
    assert "6 indicadores" in caption
    assert "fila 6 de la tabla" in secciones.nota_tendencia(ctx, 2).data


def test_a_dollar_sign_in_a_name_is_text_not_a_formula(tmp_path):
    """Names come from the data: «$» is the peso sign, never mathtext (which would fail or change the text)."""
    import shutil

    data = tmp_path / "datos"
    shutil.copytree(config.DATA_DIR, data)
    path = data / "indicadores.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Porcentaje de gasto ejercido de forma consolidada", "Gasto de $5 a $10 \\frac{a}{b} $x^2$"), encoding="utf-8")
    ctx = secciones.open(2023, data, config.params_file(2023))
    svg = graficas.objetivo(ctx, 2)._repr_svg_()
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)  # the drawn texts (the SVG's comments repeat the source)
    assert "Gasto de $5 a $10 \\frac{a}{b}" in drawn and "$x^2$" in drawn
