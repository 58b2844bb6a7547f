"""Charts: matplotlib Figures built without touching the session's state.

No backend switch, no global theme: each chart is a :class:`Grafica`, a
``matplotlib.figure.Figure`` that is not registered with pyplot, drawn inside
``matplotlib.style.context`` with the report's style file
``templates/informe/informe.mplstyle`` (fonts, sizes, the series colours).
Indicators are keyed by ``indicador_id`` (two indicators with the same name are two bars, two panels)
and labelled by name, wrapped, never by internal id; names shared within an objective carry
their row in the objective's table (:func:`informe.reporte.secciones.distintivos`).
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.style
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure

from informe import formato
from informe.calculo import estado as calculo_estado
from informe.calculo import motor
from informe.config import TEMPLATES_DIR
from informe.reporte import estado, secciones
from informe.reporte.secciones import Context
from informe.valores import is_missing

STYLE = TEMPLATES_DIR / "informe" / "informe.mplstyle"
PANELS_STYLE = TEMPLATES_DIR / "informe" / "informe-paneles.mplstyle"  # small multiples, over STYLE
WIDTH_IN = 6.5          # the page's text width (printed at 100 %, so font sizes are print sizes)
LABEL_CHARS = 34        # wrap indicator names at this width
LABEL_MAX = 110         # and shorten longer names with an ellipsis
BAR_GROUP = 0.8         # height of an indicator's group of bars (the rest is the gap between groups)


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


def label(name: str, distintivo: str = "", *, chars: int = LABEL_CHARS, limit: int | None = LABEL_MAX) -> str:
    """An indicator name as a chart label: shortened to ``limit`` characters with "…" (``None``: never) and
    wrapped at ``chars``; ``distintivo`` (see :func:`informe.reporte.secciones.distintivos`), if any, on a line of its
    own, never shortened away."""
    text = textwrap.fill(str(name) if limit is None else textwrap.shorten(str(name), limit, placeholder="…"), chars)
    return f"{text}\n({distintivo})" if distintivo else text


#: The bar chart's series: name shown → (value column, its decimals as published) of the indicator table.
BAR_SERIES = {"Línea base": ("linea_base_valor", "referencia_decimales"),
              "Resultado": ("resultado_valor", "resultado_decimales"),
              "Meta": ("meta_valor", "meta_decimales")}


def objective_chart_data(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Long table for the bar chart: one row per indicator (``indicador_id``, in table order) and series
    (Línea base, Resultado <año>, Meta), with the value, its text as the table prints it, and the label."""
    rows = ctx.indicators(objetivo_id).reset_index(drop=True)
    extra = secciones.distintivos(ctx, objetivo_id).to_numpy()
    base = pd.DataFrame({"indicador_id": rows["indicador_id"].astype("string"),
                         "indicador": [label(n, d) for n, d in zip(rows["nombre"], extra)]})
    parts = []
    for name, (column, places) in BAR_SERIES.items():
        values = rows[column].astype("Float64")
        texts = [formato.number(v, None if is_missing(d) else int(d)) if not is_missing(v) else ""
                 for v, d in zip(values, rows[places])]
        if name == "Resultado":  # a result measured before the report's year says its year, as the table
            texts = [f"{t} ({y})" if t and int(y) != ctx.year else t for t, y in zip(texts, rows["resultado_anio"])]
        serie = f"{name} {ctx.year}" if name == "Resultado" else name
        parts.append(base.assign(serie=serie, valor=values.to_numpy(), texto=texts))
    long = pd.concat(parts, ignore_index=True)
    order = [f"{n} {ctx.year}" if n == "Resultado" else n for n in BAR_SERIES]
    long["serie"] = pd.Categorical(long["serie"], categories=order, ordered=True)
    return long


def objetivo(ctx: Context, objetivo_id: int) -> Grafica | None:
    """Baseline, result and target of each indicator of the objective (horizontal grouped bars), one group
    per ``indicador_id`` (two indicators with the same name are two groups), each bar labelled with the
    figure of the indicator table."""
    data = objective_chart_data(ctx, objetivo_id)
    if data.empty:
        return None
    rows = ctx.indicators(objetivo_id)
    percent = set(rows["unidad_medida"].str.lower()) == {"porcentaje"}
    ids = list(dict.fromkeys(data["indicador_id"]))
    labels = data.drop_duplicates("indicador_id").set_index("indicador_id")["indicador"]
    lines = sum(labels[i].count("\n") + 1 for i in ids)
    with matplotlib.style.context(STYLE):
        fig = Grafica(figsize=(WIDTH_IN, 0.8 + max(0.5 * len(ids), 0.15 * lines)), layout="constrained")
        ax = fig.subplots()
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        height = BAR_GROUP / len(BAR_SERIES)
        for k, (serie, colour) in enumerate(zip(data["serie"].cat.categories, colours)):
            own = data[data["serie"] == serie].set_index("indicador_id").loc[ids]
            bars = ax.barh([i + (k - (len(BAR_SERIES) - 1) / 2) * height for i in range(len(ids))],
                           own["valor"].astype(float).to_numpy(), height=height, color=colour, label=serie)
            ax.bar_label(bars, labels=list(own["texto"]), padding=2)
        ax.set_yticks(range(len(ids)), [labels[i] for i in ids])
        ax.invert_yaxis()  # the table's order, top to bottom
        result = data[data["serie"] == f"Resultado {ctx.year}"].set_index("indicador_id")["valor"]
        for idx, indicator in enumerate(ids):
            if is_missing(result[indicator]):
                ax.text(1, idx, "  Resultado N/D", va="center")
        ax.set_xlabel("Porcentaje (%)" if percent else "Valor")
        ax.set_ylabel("")
        ax.legend(title="", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
        if percent:
            ax.set_xlim(0, max(105, float(data["valor"].max() or 0) * 1.12))
    return fig


PANEL_COLUMNS = 3       # small multiples per row
PANEL_TITLE_CHARS = 30  # wrap panel titles at this width (never cut: the row is as tall as its longest title)
PANEL_IN = 1.0          # height of a panel's plot, inches
TITLE_LINE_IN = 0.14    # and of each line of its title
PERCENT_RANGE = (0.0, 100.0)  # the y scale of percentage panels, unless a value lies outside


def trajectory_chart_data(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Long table for the trajectory chart: one row per indicator and point, ``serie`` Resultado (every
    year from the baseline to the report's year, the baseline first), Esperado (the straight path from
    the baseline to the target) or Meta. Indicators are keyed by ``indicador_id``; ``etiqueta`` is how
    the chart names them (:func:`informe.reporte.secciones.etiquetas`)."""
    rows = ctx.indicators(objetivo_id)
    names = secciones.etiquetas(ctx, objetivo_id)
    long = ctx.series
    metas = ctx.dataset.metas
    parts = []
    for item in rows.to_dict("records"):
        base_year = int(item["linea_base_anio"])
        reference, meta = item["linea_base_valor"], item["meta_valor"]
        own = long[(long["indicador_id"] == item["indicador_id"]) & (long["anio"] > base_year)
                   & (long["anio"] <= ctx.year)]
        points = [(base_year, reference, "Resultado"), *((int(a), v, "Resultado") for a, v in zip(own["anio"], own["valor"]))]
        if not is_missing(item["meta_anio"]):  # without a target: its results only
            meta_year = int(item["meta_anio"])
            interim = metas[(metas["indicador_id"] == item["indicador_id"]) & (metas["anio"] < meta_year)]
            points += [(base_year, reference, "Esperado"),
                       *((int(a), v, "Esperado") for a, v in sorted(zip(interim["anio"], interim["meta_valor"]))),
                       (meta_year, meta, "Esperado"), (meta_year, meta, "Meta")]
        parts.append(pd.DataFrame(points, columns=["anio", "valor", "serie"]).assign(
            indicador_id=item["indicador_id"], etiqueta=names[item["indicador_id"]]))
    data = pd.concat(parts, ignore_index=True)
    data["valor"] = pd.to_numeric(data["valor"]).astype("Float64")
    data["serie"] = pd.Categorical(data["serie"], categories=["Resultado", "Esperado", "Meta"], ordered=True)
    data["indicador_id"] = data["indicador_id"].astype("string")
    data["etiqueta"] = data["etiqueta"].astype("string")
    return data[["indicador_id", "etiqueta", "serie", "anio", "valor"]]


def _shared_scales(data: pd.DataFrame, rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """The y range of each indicator's panel: panels of one unit share it, so they can be compared at a glance.
    Percentages go from 0 to 100 unless a value lies outside; other units from 0 (or their lowest value,
    if negative) to their highest value, with a margin."""
    units = rows.set_index("indicador_id")["unidad_medida"].fillna("").str.strip().str.lower()
    values = data.dropna(subset=["valor"]).assign(unidad=lambda d: d["indicador_id"].map(units))
    scales = {}
    for unit, group in values.groupby("unidad"):
        low, high = float(group["valor"].min()), float(group["valor"].max())
        if unit == "porcentaje":
            low, high = min(PERCENT_RANGE[0], low), max(PERCENT_RANGE[1], high)
        else:
            low, high = min(0.0, low), high if high > 0 else 1.0
        margin = (high - low) * 0.06
        for indicator in group["indicador_id"].unique():
            scales[indicator] = (low - (margin if low < 0 else 0), high + margin)
    return {i: scales.get(i, PERCENT_RANGE) for i in rows["indicador_id"]}


def trayectoria(ctx: Context, objetivo_id: int) -> Grafica | None:
    """Small multiples, one panel per indicator (per ``indicador_id``: two indicators with the same name are
    two panels, their titles told apart as in :func:`label`): its results by year (solid), the expected
    straight path from the baseline to the target (dashed) and the target (diamond)."""
    data = trajectory_chart_data(ctx, objetivo_id)
    if data.empty:
        return None
    ids = list(dict.fromkeys(data["indicador_id"]))
    extra = secciones.distintivos(ctx, objetivo_id)
    names = ctx.indicators(objetivo_id).set_index("indicador_id")["nombre"]
    ncols = min(PANEL_COLUMNS, len(ids))
    nrows = -(-len(ids) // ncols)
    years = sorted(set(int(a) for a in data["anio"]))
    titles = {i: label(names[i], extra[i], chars=PANEL_TITLE_CHARS, limit=None) for i in ids}
    lines = [max(titles[i].count("\n") + 1 for i in ids[r * ncols:(r + 1) * ncols]) for r in range(nrows)]
    heights = [PANEL_IN + TITLE_LINE_IN * n for n in lines]  # each row as tall as its longest title needs
    scales = _shared_scales(data, ctx.indicators(objetivo_id))
    with matplotlib.style.context([STYLE, PANELS_STYLE]):
        fig = Grafica(figsize=(WIDTH_IN, 0.45 + sum(heights)), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False, gridspec_kw={"height_ratios": heights})
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for ax, indicator in zip(axes.flat, ids):
            own = data[data["indicador_id"] == indicator]
            result = own[(own["serie"] == "Resultado") & own["valor"].notna()]
            expected = own[own["serie"] == "Esperado"]
            meta = own[own["serie"] == "Meta"]
            ax.plot(expected["anio"], expected["valor"].astype(float), linestyle="--", color=colours[0],
                    linewidth=1, label="Trayectoria esperada")
            ax.plot(result["anio"], result["valor"].astype(float), marker="o", markersize=3, color=colours[1],
                    linewidth=1.4, label="Resultado")
            ax.plot(meta["anio"], meta["valor"].astype(float), marker="D", markersize=5, linestyle="none",
                    color=colours[2], label="Meta")
            ax.set_title(titles[indicator])
            ax.set_ylim(*scales[indicator])
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: formato.number(v)))
        for ax in axes.flat[len(ids):]:
            ax.set_visible(False)
        # Shared by every panel: a tick per year, labelled at the report's year, the target year and the
        # first baseline year (unless it sits next to the report's year: the labels would touch).
        labelled = sorted({ctx.year, max(years)} | ({min(years)} if ctx.year - min(years) >= 2 else set()))
        axes.flat[0].set_xticks(labelled, [str(y) for y in labelled])
        axes.flat[0].set_xticks(years, minor=True)
        for index, ax in enumerate(axes.flat[:len(ids)]):
            if index + ncols >= len(ids):  # nothing drawn below it: it shows the years
                ax.tick_params(axis="x", labelbottom=True)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=3)
    return fig


# ----------------------------------------------------------------------------- the state's report

SEMAFORO_STYLE = TEMPLATES_DIR / "informe" / "informe-semaforo.mplstyle"
TRAYECTORIA_STYLE = TEMPLATES_DIR / "informe" / "informe-trayectoria.mplstyle"


def _dark(colour: str) -> bool:
    """Whether white text reads on ``colour`` (relative luminance below one half)."""
    red, green, blue = matplotlib.colors.to_rgb(colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5


def _stacked(counts: pd.DataFrame, labels: dict[str, str], style: Path) -> Grafica | None:
    """One horizontal stacked bar per agency (``counts``: index dependencia, one column per status code, in
    order), each segment labelled with its count and told apart by its hatch as well as its colour."""
    if counts.empty:
        return None
    names = [label(n, chars=LABEL_CHARS) for n in counts.index]
    lines = sum(n.count("\n") + 1 for n in names)
    with matplotlib.style.context([STYLE, style]):
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
        fig = Grafica(figsize=(WIDTH_IN, 1.1 + max(0.42 * len(names), 0.15 * lines)), layout="constrained")
        ax = fig.subplots()
        left = pd.Series(0.0, index=counts.index)
        for code, colour, hatch in zip(counts.columns, cycle["color"], cycle["hatch"]):
            values = counts[code].astype(float)
            bars = ax.barh(range(len(names)), values.to_numpy(), left=left.to_numpy(), height=0.6, color=colour,
                           hatch=hatch, edgecolor="0.35", linewidth=0.4, label=labels[code])
            ax.bar_label(bars, labels=[str(int(v)) if v else "" for v in values], label_type="center",
                         color="white" if _dark(colour) else "black", fontweight="bold",
                         bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "none"})
            left += values
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlabel("Indicadores")
        handles, legend = ax.get_legend_handles_labels()
        fig.legend(handles, legend, loc="outside upper center", ncol=min(4, len(counts.columns)))
    return fig


def estado_semaforo(ctx) -> Grafica | None:
    """The state's report: the semáforo of each agency's indicators (a stacked bar per agency)."""
    return _stacked(estado.conteos(ctx, motor.STATUSES), motor.LABELS, SEMAFORO_STYLE)


def estado_trayectoria(ctx) -> Grafica | None:
    """The state's report: the trajectory toward the target of each agency's indicators."""
    return _stacked(estado.conteos(ctx, motor.TRAJECTORIES, calculo_estado.TRAJECTORY_PREFIX),
                    motor.TRAJECTORY_LABELS, TRAYECTORIA_STYLE)


def estado_tendencia(ctx) -> Grafica | None:
    """The state's report over several years: a panel per agency with its share with progress and its share on
    track or with the target reached, by year."""
    long = estado.tendencia_datos(ctx)
    if len(ctx.anteriores) < 2 or long.empty:
        return None
    agencies = list(dict.fromkeys(long["dependencia"]))
    ncols = min(PANEL_COLUMNS, len(agencies))
    nrows = -(-len(agencies) // ncols)
    years = sorted(int(y) for y in long["anio"].unique())
    titles = [label(a, chars=PANEL_TITLE_CHARS, limit=None) for a in agencies]
    lines = [max(t.count("\n") + 1 for t in titles[r * ncols:(r + 1) * ncols]) for r in range(nrows)]
    heights = [PANEL_IN + TITLE_LINE_IN * n for n in lines]
    with matplotlib.style.context([STYLE, PANELS_STYLE]):
        fig = Grafica(figsize=(WIDTH_IN, 0.45 + sum(heights)), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                            gridspec_kw={"height_ratios": heights})
        colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for ax, agency, title in zip(axes.flat, agencies, titles):
            own = long[long["dependencia"] == agency].sort_values("anio")
            ax.plot(own["anio"], own["con_avance_pct"].astype(float), marker="o", markersize=3, color=colours[1],
                    label="Con avance (%)")
            ax.plot(own["anio"], own["en_trayectoria_pct"].astype(float), marker="s", markersize=3, linestyle="--",
                    color=colours[0], label="En trayectoria o meta alcanzada (%)")
            ax.set_title(title)
            ax.set_ylim(0, 105)
            ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator([0, 50, 100]))
        for ax in axes.flat[len(agencies):]:
            ax.set_visible(False)
        axes.flat[0].set_xticks(years, [str(y) for y in years])
        for index, ax in enumerate(axes.flat[:len(agencies)]):
            if index + ncols >= len(agencies):
                ax.tick_params(axis="x", labelbottom=True)
        handles, legend = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, legend, loc="outside upper center", ncol=2)
    return fig
