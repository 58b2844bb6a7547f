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
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import fmt
from .config import TEMPLATES_DIR
from .report import Context

STYLE = TEMPLATES_DIR / "informe" / "informe.mplstyle"
WIDTH_IN = 6.5          # the page's text width (printed at 100 %, so font sizes are print sizes)
LABEL_CHARS = 34        # wrap indicator names at this width
LABEL_MAX = 110         # and shorten longer names with an ellipsis


class Grafica(Figure):
    """A Figure that shows itself as SVG in Jupyter whatever the session's backend (so the report
    prints it crisp), with the same bytes for the same chart (fixed ids, no date)."""

    def _repr_svg_(self) -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "informe", "svg.fonttype": "path"}):
            self.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()


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
