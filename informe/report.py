"""Stage 4: the report's sections, one function per section, each returning displayable HTML.

Notebooks call these functions and nothing else: ``ctx = report.open(anio, data_dir)``
then one call per section. Every function returns an :class:`IPython.display.HTML`
whose markup follows the renderer's conventions (``h1.seccion``, ``h2.subseccion``,
``table.tabla``, ``span.semaforo``, ``table.cedula``...); colours are also inline so
that the semáforo shows in JupyterLab as in the printed report.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import markdown as md
import pandas as pd
from IPython.display import HTML

from . import config, engine, fmt, narrative, quality
from .export import check_year
from .load import Dataset, load
from .params import load_params
from .problems import InformeError
from .values import is_missing

NO_INFO = "No hay información registrada para esta sección."
SEMAFORO_STYLE = {
    "con_avance": ("#1e7b34", "#ffffff"),
    "sin_avance": ("#b3261e", "#ffffff"),
    "igual": ("#f2c200", "#1a1a1a"),
    "sin_informacion": ("#8a8d91", "#ffffff"),
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}
SECTIONS = {
    1: "Introducción",
    2: "Marco Normativo",
    3: "Misión y Visión",
    4: "Alineación con el Plan Nacional y el Plan Estatal de Desarrollo",
    5: "Alineación con los Objetivos de Desarrollo Sostenible de la Agenda 2030",
    6: "Resumen Ejecutivo",
    7: "Operación de la Estrategia, resultados e indicadores de cumplimiento",
    8: "Proyectos Estratégicos",
    9: "Glosario",
    10: "Anexos",
}


@dataclass
class Context:
    """Everything a section needs for one agency and one year, loaded once per notebook."""

    year: int
    data_dir: Path
    dataset: Dataset
    params: dict
    table: pd.DataFrame  # engine.indicator_table for the year

    @property
    def nombre(self) -> str:
        return str(self.dataset.dependencia.get("nombre", ""))

    def objective_name(self, objetivo_id: int) -> str:
        obj = self.dataset.objetivos
        match = obj.loc[obj["objetivo_id"] == int(objetivo_id), "nombre"]
        if match.empty:
            raise InformeError(f"El objetivo {objetivo_id} no existe en objetivos.csv; los objetivos son: "
                               f"{', '.join(map(str, obj['objetivo_id']))}. Corrija el parámetro objetivo_id.")
        return str(match.iloc[0])


def open(anio: int, data_dir: str | Path | None = None, params_file: str | Path | None = None) -> Context:  # noqa: A001
    """Load and validate the data, read the year's parameters, compute the indicator table."""
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    params_file = params_file or None  # "" (the notebooks' default) means params/<anio>.yaml if present
    params = load_params(int(anio), params_file, required=params_file is not None)
    dataset = load(data_dir)
    check_year(dataset, int(anio))
    table = engine.indicator_table(dataset.indicadores, dataset.resultados, int(anio), params)
    return Context(int(anio), data_dir, dataset, params, table)


# ----------------------------------------------------------------------------- helpers

def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def esc(text) -> str:
    return "" if is_missing(text) else html.escape(str(text))


def markdown(text: str | None) -> str:
    if not text:
        return f'<p class="sin-informacion">{NO_INFO}</p>'
    return md.markdown(text, extensions=["sane_lists"])


def multiline(text: str) -> str:
    """A multi-line CSV cell as HTML lines."""
    lines = [esc(line) for line in str(text or "").splitlines() if line.strip()]
    if len(lines) <= 1:
        return "".join(lines)
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def h1(number: int, title: str | None = None) -> str:
    title = title or SECTIONS[number]
    return f'<h1 class="seccion" id="seccion-{number}">{ROMAN[number]}. {esc(title)}</h1>'


def h2(text: str, ident: str) -> str:
    return f'<h2 class="subseccion" id="{ident}">{esc(text)}</h2>'


def table_html(frame: pd.DataFrame, *, html_columns: tuple[str, ...] = (), classes: str = "tabla",
               widths: dict[str, str] | None = None) -> str:
    """An HTML table with a header; text is escaped except in ``html_columns``."""
    widths = widths or {}
    head = "".join(
        f'<th scope="col" style="width:{widths[c]}">{esc(c)}</th>' if c in widths
        else f'<th scope="col">{esc(c)}</th>' for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row):
            cells.append(f"<td>{value if col in html_columns else esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{classes}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def semaforo_badge(status: str) -> str:
    bg, fg = SEMAFORO_STYLE[status]
    return (f'<span class="semaforo semaforo-{status}" style="background:{bg};color:{fg};'
            f'padding:2px 8px;border-radius:10px;white-space:nowrap;font-weight:600">'
            f'● {engine.LABELS[status]}</span>')


def _no_info() -> str:
    return f'<p class="sin-informacion">{NO_INFO}</p>'


# ----------------------------------------------------------------------------- front matter

def portada(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    fecha = ctx.params.get("fecha_publicacion")
    parts = [
        '<section class="portada">',
        f'<p class="portada-gobierno">{esc(dep.get("gobierno"))}</p>',
        f'<p class="portada-dependencia">{esc(dep.get("nombre"))}</p>',
        f'<h1 class="portada-titulo">{esc(ctx.params["titulo"])}</h1>',
        f'<p class="portada-periodo">Periodo enero–diciembre {ctx.year}</p>',
    ]
    if fecha:
        parts.append(f'<p class="portada-fecha">{esc(fmt.date(fecha))}</p>')
    if dep.get("lema"):
        parts.append(f'<p class="portada-lema">{esc(dep["lema"])}</p>')
    parts.append("</section>")
    return HTML("".join(parts))


def _people(people) -> str:
    if not people:
        return _no_info()
    items = "".join(f'<li><span class="persona">{esc(p.get("nombre"))}</span><br>'
                    f'<span class="cargo">{esc(p.get("cargo"))}</span></li>' for p in people)
    return f'<ul class="directorio">{items}</ul>'


def directorio(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    return HTML('<section class="pagina directorio-pagina">'
                f'<h2 class="directorio-titulo">Directorio</h2>{_people(dep.get("directorio"))}'
                f'<h2 class="directorio-titulo">Enlaces</h2>{_people(dep.get("enlaces"))}</section>')


def introduccion(ctx: Context) -> HTML:
    ds = ctx.dataset
    counts = (f'<p class="computado">Conforme a los datos de este informe, el programa se integra por '
              f'{len(ds.objetivos)} objetivos, {len(ds.estrategias)} estrategias y '
              f'{len(ds.indicadores)} indicadores.</p>')
    return HTML(h1(1) + markdown(narrative.introduccion(ctx.data_dir, ctx.year)) + counts)


def marco_normativo(ctx: Context) -> HTML:
    return HTML(h1(2) + markdown(narrative.marco_normativo(ctx.data_dir)))


def mision_vision(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    title = f"{SECTIONS[3]} de la {ctx.nombre}" if ctx.nombre else SECTIONS[3]
    body = ""
    for key, label in (("mision", "Misión"), ("vision", "Visión")):
        body += f"<h3>{label}</h3>" + (f"<p>{esc(dep[key])}</p>" if dep.get(key) else _no_info())
    return HTML(h1(3, title) + body)


def alineacion_pnd(ctx: Context) -> HTML:
    frame = narrative.alineacion_pnd_ped(ctx.data_dir)
    if frame is None:
        return HTML(h1(4) + _no_info())
    shown = pd.DataFrame({
        "Plan Nacional de Desarrollo": frame["pnd_objetivo"].map(multiline),
        "Plan Estatal de Desarrollo: eje y objetivo": [
            multiline(e) + f"<p><em>{esc(o)}</em></p>" for e, o in zip(frame["ped_eje"], frame["ped_objetivo"])],
        "Estrategias del PED": frame["ped_estrategias"].map(multiline),
        "Objetivos del programa": frame["objetivos_programa"].map(multiline),
    })
    return HTML(h1(4) + table_html(shown, html_columns=tuple(shown.columns), classes="tabla alineacion"))


def alineacion_ods(ctx: Context) -> HTML:
    frame = narrative.alineacion_ods(ctx.data_dir)
    if frame is None:
        return HTML(h1(5) + _no_info())
    shown = pd.DataFrame({
        "Objetivos del programa": frame["objetivos_programa"].map(multiline),
        "Objetivos de Desarrollo Sostenible": frame["ods"].map(multiline),
        "Metas": frame["metas"].map(multiline),
        "Justificación": frame["justificacion"].map(esc),
    })
    return HTML(h1(5) + table_html(shown, html_columns=tuple(shown.columns), classes="tabla alineacion",
                                   widths={"Objetivos del programa": "22%", "Objetivos de Desarrollo Sostenible": "20%",
                                           "Metas": "28%", "Justificación": "30%"}))


# ----------------------------------------------------------------------------- VI summary

def resumen_ejecutivo(ctx: Context) -> HTML:
    return HTML(h1(6) + markdown(narrative.resumen_ejecutivo(ctx.data_dir, ctx.year)))


def summary_table(ctx: Context) -> pd.DataFrame:
    """The computed summary in the published layout (one row)."""
    total = engine.summary(ctx.table, list(ctx.dataset.objetivos["objetivo_id"])).iloc[-1]
    return pd.DataFrame([{
        "Número de indicadores": int(total["indicadores"]),
        "Con avance": int(total["con_avance"]),
        "Sin avance": int(total["sin_avance"]),
        "Igual": int(total["igual"]),
        "Sin información": int(total["sin_informacion"]),
    }])


def resumen_indicadores(ctx: Context) -> HTML:
    """"Resumen de resultados de indicadores": the published one-row table plus a per-objective breakdown."""
    per = engine.summary(ctx.table, list(ctx.dataset.objetivos["objetivo_id"]))
    names = {str(k): v for k, v in zip(ctx.dataset.objetivos["objetivo_id"], ctx.dataset.objetivos["nombre"])}
    breakdown = pd.DataFrame({
        "Objetivo": [f"{i}. {names[i]}" if i in names else "Total" for i in per["objetivo_id"]],
        "Indicadores": per["indicadores"],
        "Con avance": per["con_avance"],
        "Sin avance": per["sin_avance"],
        "Igual": per["igual"],
        "Sin información": per["sin_informacion"],
    })
    legend = " ".join(semaforo_badge(s) for s in engine.STATUSES)
    return HTML(
        h2("Resumen de resultados de indicadores", "resumen-indicadores")
        + table_html(summary_table(ctx), classes="tabla resumen")
        + f'<p class="nota">Semáforo respecto a la línea base, calculado con los datos: {legend}</p>'
        + "<h3>Por objetivo</h3>" + table_html(breakdown, classes="tabla resumen-objetivos"))


# ----------------------------------------------------------------------------- VII per objective

def objetivo(ctx: Context, objetivo_id: int) -> HTML:
    """The objective's heading (with the section VII heading before the first objective)."""
    first = int(ctx.dataset.objetivos["objetivo_id"].min())
    head = h1(7) if int(objetivo_id) == first else ""
    return HTML(head + h2(f"Objetivo {objetivo_id}. {ctx.objective_name(objetivo_id)}", f"objetivo-{objetivo_id}"))


def estrategias(ctx: Context, objetivo_id: int) -> HTML:
    """Each strategy of the objective with its "Acciones realizadas"."""
    est = ctx.dataset.estrategias
    actions = narrative.acciones(ctx.data_dir, ctx.year) or {}
    parts = []
    for row in est[est["objetivo_id"] == int(objetivo_id)].to_dict("records"):
        parts.append(f'<h3 class="estrategia">Estrategia {esc(row["estrategia_id"])} {esc(row["nombre"])}</h3>')
        parts.append('<p class="rotulo">Acciones realizadas:</p>')
        parts.append(markdown(actions.get(str(row["estrategia_id"]))))
    return HTML("".join(parts) or _no_info())


def _reference_year_header(rows: pd.DataFrame) -> tuple[str, bool]:
    years = rows["linea_base_anio"].unique()
    if len(years) == 1:
        return f"Línea base {years[0]}", False
    return "Línea base", True


def _result_cell(item: dict) -> str:
    if item["estado"] == "ND":
        return "N/D" + (f" ({item['nota']})" if item["nota"] else "")
    if item["estado"] == "pendiente":
        return "Pendiente" + (f" ({item['nota']})" if item["nota"] else "")
    return fmt.value(item["resultado_valor"], item["unidad_medida"], item["resultado_decimales"])


def indicator_rows(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """The objective's indicator table as shown: Indicador / Línea base / Resultado / Fuente / Semáforo / Meta / Avance."""
    rows = ctx.table[ctx.table["objetivo_id"] == int(objetivo_id)]
    base_header, with_year = _reference_year_header(rows)
    metas = rows["meta_anio"].unique()
    meta_header = f"Meta {metas[0]}" if len(metas) == 1 else "Meta"
    out = []
    for item in rows.to_dict("records"):
        item = {k: (None if is_missing(v) else v) for k, v in item.items()}
        base = fmt.value(item["linea_base_valor"], item["unidad_medida"], item["referencia_decimales"])
        if item["linea_base_valor"] is None:
            base = "N/A"
        if with_year:
            base += f" ({item['linea_base_anio']})"
        out.append({
            "Indicador": item["nombre"],
            base_header: base,
            f"Resultado {ctx.year}": _result_cell(item),
            "Fuente": item["fuente"],
            "Semáforo": semaforo_badge(item["semaforo"]),
            meta_header: fmt.value(item["meta_valor"], item["unidad_medida"], item["meta_decimales"]),
            "Avance hacia la meta": fmt.percent(item["avance_meta_pct"]),
        })
    return pd.DataFrame(out)


def indicadores(ctx: Context, objetivo_id: int) -> HTML:
    """"Impacto de las acciones": the indicator table with its notes."""
    rows = ctx.table[ctx.table["objetivo_id"] == int(objetivo_id)]
    if rows.empty:
        return HTML('<p class="rotulo">Impacto de las acciones:</p>' + _no_info())
    shown = indicator_rows(ctx, objetivo_id)
    notes = [f'<p class="nota">Nota ({esc(r["nombre"])}): {esc(r["nota"])}</p>'
             for r in rows.to_dict("records") if not is_missing(r["nota"]) and is_missing(r["estado"])]
    notes.append('<p class="nota">Semáforo respecto a la línea base. Avance hacia la meta = (resultado − línea '
                 'base) / (meta − línea base) × 100; N/D cuando no hay información.</p>')
    return HTML('<p class="rotulo">Impacto de las acciones:</p>'
                + table_html(shown, html_columns=("Semáforo",), classes="tabla indicadores",
                             widths={"Indicador": "34%"})
                + "".join(notes))


# ----------------------------------------------------------------------------- VIII, IX

def proyectos(ctx: Context) -> HTML:
    items = narrative.proyectos(ctx.data_dir, ctx.year)
    if not items:
        return HTML(h1(8) + _no_info())
    shown = pd.DataFrame({
        "Proyectos": [esc(p["proyecto"]) for p in items],
        "Acciones de implementación": ["<ul>" + "".join(f"<li>{esc(a)}</li>" for a in p["acciones"]) + "</ul>"
                                       for p in items],
        "Avance físico financiero": [esc(p["avance_fisico_financiero"]) or "—" for p in items],
    })
    return HTML(h1(8) + table_html(shown, html_columns=tuple(shown.columns), classes="tabla proyectos",
                                   widths={"Proyectos": "20%", "Avance físico financiero": "16%"}))


def glosario(ctx: Context) -> HTML:
    frame = narrative.glosario(ctx.data_dir)
    if frame is None or frame.empty:
        return HTML(h1(9) + _no_info())
    items = "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in zip(frame["termino"], frame["definicion"]))
    return HTML(h1(9) + f'<dl class="glosario">{items}</dl>')


# ----------------------------------------------------------------------------- X annexes

def _card(card: dict, objective: str) -> str:
    def val(key):
        v = card.get(key)
        return "" if is_missing(v) else v

    base = ("N/A" if val("linea_base_valor") == "" else
            fmt.value(card["linea_base_valor"], card["unidad_medida"], card.get("linea_base_valor_decimales")))
    meta = fmt.value(card["meta_valor"], card["unidad_medida"], card.get("meta_valor_decimales"))
    name = val("nombre_cedula") or card["nombre"]
    rows = [
        '<tr><th colspan="4" class="cedula-titulo">CÉDULA DE INDICADORES</th></tr>',
        f'<tr><th>UNIDAD RESPONSABLE:</th><td>{esc(val("unidad_responsable"))}</td>'
        f'<th>UNIDAD EJECUTORA:</th><td>{esc(val("unidad_ejecutora"))}</td></tr>',
        f'<tr><th>OBJETIVO SECTORIAL, INSTITUCIONAL O TRANSVERSAL:</th>'
        f'<td colspan="3">{esc(val("objetivo_cedula") or objective)}</td></tr>',
        '<tr><th colspan="4" class="cedula-subtitulo">CARACTERÍSTICAS</th></tr>',
        f'<tr><th>INDICADOR:</th><td colspan="3"><strong>{esc(name)}</strong> '
        f'<span class="cedula-id">({esc(card["indicador_id"])})</span></td></tr>',
        f'<tr><th>OBJETIVO DEL INDICADOR:</th><td colspan="3">{esc(val("objetivo_indicador"))}</td></tr>',
        f'<tr><th>DESCRIPCIÓN GENERAL:</th><td colspan="3">{multiline(val("descripcion"))}</td></tr>',
        f'<tr><th>MÉTODO DE CÁLCULO:</th><td colspan="3">{esc(val("metodo_calculo"))}</td></tr>',
        f'<tr><th>SENTIDO DEL INDICADOR:</th><td colspan="3">{esc(str(card["sentido"]).capitalize())}</td></tr>',
        f'<tr><th>FRECUENCIA DE MEDICIÓN:</th><td colspan="3">{esc(str(card["frecuencia"]).capitalize())}</td></tr>',
        f'<tr><th>FUENTE:</th><td>{esc(val("fuente"))}</td><th>UNIDAD DE MEDIDA:</th>'
        f'<td>{esc(str(card["unidad_medida"]).capitalize())}</td></tr>',
        f'<tr><th>REFERENCIA ADICIONAL:</th><td colspan="3">{esc(val("referencia_adicional"))}</td></tr>',
        f'<tr class="cedula-metas"><th colspan="2">Línea base {card["linea_base_anio"]}</th>'
        f'<th colspan="2">Meta {card["meta_anio"]}</th></tr>',
        f'<tr class="cedula-metas"><td colspan="2">{esc(base)}</td><td colspan="2">{esc(meta)}</td></tr>',
    ]
    note = f'<p class="nota">{esc(val("nota_cedula"))}</p>' if val("nota_cedula") else ""
    return f'<div class="cedula-bloque"><table class="cedula">{"".join(rows)}</table>{note}</div>'


def cedulas(ctx: Context) -> HTML:
    """X. Anexos: one card per indicator, grouped by objective, laid out like the published cards."""
    ind = ctx.dataset.indicadores
    parts = [h1(10), h2("Cédulas de indicadores", "cedulas")]
    for obj in ctx.dataset.objetivos.to_dict("records"):
        cards = ind[ind["objetivo_id"] == obj["objetivo_id"]]
        if cards.empty:
            continue
        parts.append(f'<h3 class="cedula-objetivo">Objetivo {obj["objetivo_id"]} {esc(obj["nombre"])}</h3>')
        parts += [_card(card, obj["nombre"]) for card in cards.to_dict("records")]
    return HTML("".join(parts))


def calidad(ctx: Context) -> HTML:
    """Data-quality notes found by the generic rules (figures are shown as published)."""
    notes = quality.findings(ctx.dataset, ctx.year, ctx.params)
    intro = ('<p>Las cifras de este informe se muestran tal como se publicaron. Las reglas de calidad de datos '
             'encontraron las siguientes inconsistencias, que conviene revisar en la fuente:</p>')
    if not notes:
        body = "<p>No se encontraron inconsistencias.</p>"
    else:
        body = '<ul class="hallazgos">' + "".join(
            f'<li><span class="hallazgo-regla">{esc(n.rule)}</span> {esc(n.message)} '
            f'<span class="hallazgo-origen">({esc(n.file)}{f", línea {n.line}" if n.line else ""})</span></li>'
            for n in notes) + "</ul>"
    return HTML(h2("Notas de calidad de los datos", "calidad-datos") + intro + body)
