"""Charts: matplotlib Figures built without touching the session's state.

No backend switch, no global theme: each chart is a :class:`Grafica`, a
``matplotlib.figure.Figure`` that is not registered with pyplot, drawn inside
``matplotlib.style.context`` with the report's style file
``templates/informe/informe.mplstyle`` (fonts, sizes, the series colours).
Indicators are labelled by name, wrapped, never by internal id.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib
import matplotlib.style
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import fmt
from .config import TEMPLATES_DIR
from .report import Context

STYLE = TEMPLATES_DIR / "informe" / "informe.mplstyle"
PANELS_STYLE = TEMPLATES_DIR / "informe" / "informe-paneles.mplstyle"  # small multiples, over STYLE
WIDTH_IN = 6.5          # the page's text width (printed at 100 %, so font sizes are print sizes)
LABEL_CHARS = 34        # wrap indicator names at this width
LABEL_MAX = 110         # and shorten longer names with an ellipsis


#: The chart font and what a browser without it uses instead (sans-serif, never its default serif).
FONT_FALLBACK = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"


class Grafica(Figure):
    """A Figure that shows itself as SVG in Jupyter whatever the session's backend (so the report
    prints it crisp), with the same bytes for the same chart (fixed ids, no date).

    One SVG serves the screen and the PDF: text as SVG ``<text>`` in the chart's font (DejaVu
    Sans, which the report's text uses too: no extra font embedded in the PDF), with sans-serif
    fallbacks for a browser that lacks it; vector, searchable and selectable. Text drawn as glyph
    outlines instead made the SVG four times larger (and, when the PDF was printed with
    WeasyPrint, cost ≈ 4 s of a ≈ 12 s print).
    """

    def _repr_svg_(self) -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "informe", "svg.fonttype": "none"}):
            self.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue().replace("font-family: 'DejaVu Sans'", f"font-family: {FONT_FALLBACK}")
        # SVG collapses spaces in <text> unless told otherwise; the drawing relies on them
        # ("  Resultado N/D" sits two spaces right of its bar).
        return svg.replace("<text ", '<text xml:space="preserve" ')


def label(name: str) -> str:
    """An indicator name as a chart label: shortened with "…" and wrapped."""
    return textwrap.fill(textwrap.shorten(str(name), LABEL_MAX, placeholder="…"), LABEL_CHARS)


def objective_chart_data(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Long table for the chart: one row per indicator and series (Línea base, Resultado, Meta)."""
    rows = ctx.indicators(objetivo_id)
    series = {"Línea base": "linea_base_valor", f"Resultado {ctx.year}": "resultado_valor", "Meta": "meta_valor"}
    frame = pd.DataFrame({"indicador": rows["nombre"].map(label).to_numpy()})
    long = pd.concat([frame.assign(serie=name, valor=rows[col].astype("Float64").to_numpy())
                      for name, col in series.items()], ignore_index=True)
    long["serie"] = pd.Categorical(long["serie"], categories=list(series), ordered=True)
    return long


def objetivo(ctx: Context, objetivo_id: int) -> Grafica | None:
    """Baseline, result and target of each indicator of the objective (horizontal grouped bars)."""
    data = objective_chart_data(ctx, objetivo_id)
    if data.empty:
        return None
    rows = ctx.indicators(objetivo_id)
    percent = set(rows["unidad_medida"].str.lower()) == {"porcentaje"}
    n = data["indicador"].nunique()
    lines = sum(lbl.count("\n") + 1 for lbl in data["indicador"].unique())
    with matplotlib.style.context(STYLE):
        fig = Grafica(figsize=(WIDTH_IN, 0.9 + max(0.62 * n, 0.16 * lines)), layout="constrained")
        ax = fig.subplots()
        plotted = data.assign(valor=data["valor"].astype(float))
        sns.barplot(data=plotted, y="indicador", x="valor", hue="serie", orient="h", ax=ax, errorbar=None)
        for container in ax.containers:
            ax.bar_label(container, labels=[fmt.number(v) if v == v else "" for v in container.datavalues],
                         padding=2)
        missing = data.loc[data["serie"] == f"Resultado {ctx.year}", "valor"].isna().to_numpy()
        for idx, absent in enumerate(missing):
            if absent:
                ax.text(1, idx, "  Resultado N/D", va="center")
        ax.set_xlabel("Porcentaje (%)" if percent else "Valor")
        ax.set_ylabel("")
        ax.legend(title="", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
        if percent:
            ax.set_xlim(0, max(105, float(plotted["valor"].max() or 0) * 1.12))
    return fig


PANEL_COLUMNS = 3       # small multiples per row
PANEL_TITLE_CHARS = 25  # wrap panel titles at this width (three lines at most)


def trajectory_chart_data(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Long table for the trajectory chart: one row per indicator and point, ``serie`` Resultado (every
    year from the baseline to the report's year, the baseline first), Esperado (the straight path from
    the baseline to the target) or Meta."""
    rows = ctx.indicators(objetivo_id)
    long = ctx.series
    parts = []
    for item in rows.to_dict("records"):
        base_year, meta_year = int(item["linea_base_anio"]), int(item["meta_anio"])
        reference, meta = item["linea_base_valor"], item["meta_valor"]
        own = long[(long["indicador_id"] == item["indicador_id"]) & (long["anio"] > base_year)
                   & (long["anio"] <= ctx.year)]
        points = [(base_year, reference, "Resultado"), *((int(a), v, "Resultado") for a, v in zip(own["anio"], own["valor"]))]
        points += [(base_year, reference, "Esperado"), (meta_year, meta, "Esperado"), (meta_year, meta, "Meta")]
        parts.append(pd.DataFrame(points, columns=["anio", "valor", "serie"]).assign(
            indicador_id=item["indicador_id"], nombre=item["nombre"]))
    data = pd.concat(parts, ignore_index=True)
    data["valor"] = pd.to_numeric(data["valor"]).astype("Float64")
    data["serie"] = pd.Categorical(data["serie"], categories=["Resultado", "Esperado", "Meta"], ordered=True)
    return data[["indicador_id", "nombre", "serie", "anio", "valor"]]


def trayectoria(ctx: Context, objetivo_id: int) -> Grafica | None:
    """Small multiples, one panel per indicator: its results by year (solid), the expected straight path
    from the baseline to the target (dashed) and the target (diamond)."""
    data = trajectory_chart_data(ctx, objetivo_id)
    if data.empty:
        return None
    names = list(dict.fromkeys(data["nombre"]))
    ncols = min(PANEL_COLUMNS, len(names))
    nrows = -(-len(names) // ncols)
    years = sorted(set(int(a) for a in data["anio"]))
    with matplotlib.style.context([STYLE, PANELS_STYLE]):
        fig = Grafica(figsize=(WIDTH_IN, 0.5 + 1.75 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for ax, name in zip(axes.flat, names):
            own = data[data["nombre"] == name]
            result = own[(own["serie"] == "Resultado") & own["valor"].notna()]
            expected = own[own["serie"] == "Esperado"]
            meta = own[own["serie"] == "Meta"]
            ax.plot(expected["anio"], expected["valor"].astype(float), linestyle="--", color=colours[0],
                    linewidth=1, label="Trayectoria esperada")
            ax.plot(result["anio"], result["valor"].astype(float), marker="o", markersize=3, color=colours[1],
                    linewidth=1.4, label="Resultado")
            ax.plot(meta["anio"], meta["valor"].astype(float), marker="D", markersize=5, linestyle="none",
                    color=colours[2], label="Meta")
            ax.set_title(textwrap.fill(textwrap.shorten(str(name), 3 * PANEL_TITLE_CHARS, placeholder="…"),
                                       PANEL_TITLE_CHARS))
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.number(v)))
        for ax in axes.flat[len(names):]:
            ax.set_visible(False)
        # Shared by every panel: a tick per year, labelled at the report's year, the target year and the
        # first baseline year (unless it sits next to the report's year: the labels would touch).
        labelled = sorted({ctx.year, max(years)} | ({min(years)} if ctx.year - min(years) >= 2 else set()))
        axes.flat[0].set_xticks(labelled, [str(y) for y in labelled])
        axes.flat[0].set_xticks(years, minor=True)
        for index, ax in enumerate(axes.flat[:len(names)]):
            if index + ncols >= len(names):  # nothing drawn below it: it shows the years
                ax.tick_params(axis="x", labelbottom=True)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=3)
    return fig
