"""Charts (seaborn), returned as HTML figures with inline SVG so they print crisp in the PDF."""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from IPython.display import HTML  # noqa: E402

from . import fmt  # noqa: E402
from .report import Context, esc  # noqa: E402
from .values import is_missing  # noqa: E402

SERIES_COLORS = {"Línea base": "#9aa5b1", "Resultado": "#7a1e3a", "Meta": "#d4a017"}


def objective_chart_data(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Long table for the chart: one row per indicator and series (Línea base, Resultado <año>, Meta <año>)."""
    rows = ctx.table[ctx.table["objetivo_id"] == int(objetivo_id)]
    out = []
    for item in rows.to_dict("records"):
        label = textwrap.fill(f"{item['indicador_id']} {item['nombre']}", 48)
        for serie, key in (("Línea base", "linea_base_valor"), ("Resultado", "resultado_valor"),
                           ("Meta", "meta_valor")):
            value = item[key]
            out.append({"indicador": label, "serie": serie,
                        "valor": None if is_missing(value) else float(value)})
    return pd.DataFrame(out, columns=["indicador", "serie", "valor"])


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def objetivo(ctx: Context, objetivo_id: int) -> HTML:
    """Baseline, result and target of each indicator of the objective (horizontal grouped bars)."""
    data = objective_chart_data(ctx, objetivo_id)
    if data.empty:
        return HTML("")
    rows = ctx.table[ctx.table["objetivo_id"] == int(objetivo_id)]
    percent = set(rows["unidad_medida"].str.lower()) == {"porcentaje"}
    n = data["indicador"].nunique()
    sns.set_theme(style="whitegrid", font="DejaVu Sans", font_scale=0.85)
    fig, ax = plt.subplots(figsize=(8.2, 0.55 + 0.78 * n))
    sns.barplot(data=data, y="indicador", x="valor", hue="serie", orient="h", ax=ax,
                palette=SERIES_COLORS, hue_order=list(SERIES_COLORS), errorbar=None)
    for container in ax.containers:
        ax.bar_label(container, labels=[fmt.number(v) if v == v else "" for v in container.datavalues],
                     padding=2, fontsize=7)
    missing = data[data["serie"] == "Resultado"]["valor"].isna()
    for idx, absent in enumerate(missing):
        if absent:
            ax.text(1, idx, "  Resultado N/D", va="center", fontsize=7, color="#555555")
    ax.set_xlabel("Porcentaje (%)" if percent else "Valor")
    ax.set_ylabel("")
    metas = rows["meta_anio"].unique()
    ax.legend(title="", loc="upper center", bbox_to_anchor=(0.5, -0.5 / n - 0.08), ncol=3, fontsize=7,
              frameon=False, labels=["Línea base", f"Resultado {ctx.year}", f"Meta {metas[0] if len(metas) == 1 else ''}".strip()])
    ax.set_title(f"Objetivo {objetivo_id}: línea base, resultado {ctx.year} y meta", fontsize=10, loc="left")
    if percent:
        ax.set_xlim(0, max(105, (data["valor"].max() or 0) * 1.12))
    sns.despine(left=True, bottom=True)
    caption = (f"Gráfica del objetivo {objetivo_id}. Valores de línea base, resultado {ctx.year} y meta por "
               "indicador; un resultado N/D no se dibuja.")
    return HTML(f'<figure class="grafica" role="img" aria-label="{esc(caption)}">{_svg(fig)}'
                f"<figcaption>{esc(caption)}</figcaption></figure>")
