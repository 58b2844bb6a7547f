"""Stage 3 for the state: the sections of the consolidated report of an ``informe lote`` (``estado_<Y>.html``).

The notebooks of ``informe/cuadernos/estado/`` call these functions and nothing else: ``ctx = estado.abrir(anio,
salida, anios)`` (the lote's output folder of the year; ``anios``, the years of a several-year run, for the
trend), then one call per element. Tables are typed DataFrames (:mod:`informe.calculo.estado`) presented with a
pandas ``Styler`` or a Jinja template (autoescaped); charts are in :mod:`informe.reporte.graficas`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup
from pandas.io.formats.style import Styler

from informe import formato
from informe.calculo import estado as calculo
from informe.calculo import motor
from informe.datos.parametros import HEADER_MAX, ROMAN
from informe.reporte import presentacion
from informe.reporte.secciones import format_cells, index_html, styled

#: The sections of the state's report, in order: key → (title, running header). «tendencia» only with several
#: years.
SECTIONS = {
    "resumen": ("Resumen por dependencia", "Resumen por dependencia"),
    "atencion": ("Indicadores que requieren atención", "Indicadores que requieren atención"),
    "ejes": ("Resultados por eje del Plan Estatal de Desarrollo", "Por eje del Plan Estatal de Desarrollo"),
    "tendencia": ("Tendencia por dependencia", "Tendencia por dependencia"),
    "fallidas": ("Dependencias sin informe", "Dependencias sin informe"),
}


@dataclass
class ContextoEstado:
    """What a section of the state's report needs, read once per notebook."""

    anio: int
    salida: Path
    estado: calculo.Estado
    anteriores: list[calculo.Estado]  # every year of the run up to ``anio`` (this one last), for the trend
    gobierno: str

    @property
    def titulo(self) -> str:
        return f"Informe Anual de Resultados {self.anio}: consolidado de las dependencias"

    @property
    def secciones(self) -> list[str]:
        return [k for k in SECTIONS if k != "tendencia" or len(self.anteriores) > 1]

    def numero(self, seccion: str) -> int:
        return self.secciones.index(seccion) + 1


def _years(anios) -> list[int]:
    if isinstance(anios, (list, tuple)):
        return sorted(int(y) for y in anios)
    return sorted(int(y) for y in str(anios or "").replace(" ", "").split(",") if y)


def abrir(anio: int, salida: str | Path, anios: str | list[int] = "") -> ContextoEstado:
    """The state's year from the lote's output folder of that year (``salida``); ``anios`` (``"2023,2024"``): the
    years of a several-year run, whose folders are ``salida``'s siblings named by year."""
    salida = Path(salida)
    years = [y for y in _years(anios) if y <= int(anio)] or [int(anio)]
    if int(anio) not in years:
        years.append(int(anio))
    estados = [calculo.read(salida if y == int(anio) else salida.parent / str(y), y) for y in years]
    return ContextoEstado(int(anio), salida, estados[-1], estados, _government(salida, estados[-1]))


def _government(salida: Path, estado: calculo.Estado) -> str:
    """The government the agencies belong to (the one most of their open data name), or ""."""
    found = Counter()
    for carpeta in estado.construidas["carpeta"]:
        try:
            package = json.loads((salida / carpeta / "datos" / "datapackage.json").read_text(encoding="utf-8"))
            found[str(package["contributors"][0].get("organization") or "")] += 1
        except (OSError, ValueError, KeyError, IndexError):
            continue
    found.pop("", None)
    return found.most_common(1)[0][0] if found else ""


def _html(template: str, **context) -> HTML:
    return HTML(presentacion.render(template, **context))


def encabezado(ctx: ContextoEstado) -> str:
    """The line at the top left of every printed page but the cover."""
    title = f"{ctx.titulo} — {ctx.gobierno}" if ctx.gobierno else ctx.titulo
    return title if len(title) <= HEADER_MAX else f"Consolidado de las dependencias {ctx.anio}"


def titulo(ctx: ContextoEstado, seccion: str) -> HTML | None:
    """A section heading; None for a section this report does not have (the trend with a single year)."""
    if seccion not in ctx.secciones:
        return None
    numero = ctx.numero(seccion)
    title, header = SECTIONS[seccion]
    return _html("titulo.html.j2", numero=numero, romano=ROMAN[numero], titulo=title, encabezado=header)


# ----------------------------------------------------------------------------- cover, index, introduction

def portada(ctx: ContextoEstado) -> HTML:
    return _html("portada.html.j2", gobierno=ctx.gobierno, dependencia="Consolidado de las dependencias",
                 titulo=f"Informe Anual de Resultados {ctx.anio}", anio=ctx.anio, fecha=None, lema=None,
                 encabezado=encabezado(ctx))


def contenido(ctx: ContextoEstado) -> pd.DataFrame:
    """The index as data: nivel, ancla, titulo."""
    rows = []
    for key in ctx.secciones:
        numero = ctx.numero(key)
        rows.append((1, f"seccion-{numero}", f"{ROMAN[numero]}. {SECTIONS[key][0]}"))
        if key == "atencion":
            rows += [(2, ancla, dependencia) for dependencia, ancla in _attention_groups(ctx)]
    return pd.DataFrame(rows, columns=["nivel", "ancla", "titulo"])


def indice(ctx: ContextoEstado) -> HTML:
    return index_html(contenido(ctx))


def introduccion(ctx: ContextoEstado) -> HTML:
    agencias = ctx.estado.agencias
    estados = Counter(agencias["estado"])
    return _html("estado_introduccion.html.j2", anio=ctx.anio, gobierno=ctx.gobierno, total=len(agencias),
                 construidas=estados[calculo.BUILT], sin_resultados=estados[calculo.NO_RESULTS],
                 fallidas=estados[calculo.FAILED], dependencias=agencias.to_dict("records"))


# ----------------------------------------------------------------------------- I. summary by agency

def resumen_datos(ctx: ContextoEstado) -> pd.DataFrame:
    """By agency and in total (:func:`informe.calculo.estado.resumen`), typed counts and shares."""
    return calculo.resumen(ctx.estado)


def _present(frame: pd.DataFrame, codes: tuple[str, ...], labels: dict[str, str], prefix: str = "") -> dict[str, str]:
    """The columns (``prefix`` + code) of ``codes`` to show, with their labels: every one, but «No aplica» and
    «Sin meta» only when some indicator has them (:func:`motor.shown`, as an agency's summaries)."""
    return {prefix + c: labels[c] for c in motor.shown(codes, {c for c in codes if frame[prefix + c].sum() > 0})}


def conteos(ctx: ContextoEstado, codes: tuple[str, ...], prefix: str = "") -> pd.DataFrame:
    """Per built agency (index: its name), the counts of the status ``codes`` the summary shows (columns: the
    codes): what the charts draw and their captions list."""
    data = resumen_datos(ctx)
    data = data[data["carpeta"] != ""].set_index("dependencia")
    kept = list(motor.shown(codes, {c for c in codes if data[prefix + c].sum() > 0}))
    return data[[prefix + c for c in kept]].set_axis(kept, axis=1)


def _link(carpeta: str, anio: int) -> str:
    """The relative link to an agency's report (each path segment percent-encoded: no folder name can become a
    scheme or leave the output folder), or ""."""
    return "./" + quote(f"{carpeta}/informe_{anio}.html", safe="/") if carpeta else ""


def resumen_semaforo(ctx: ContextoEstado) -> Styler:
    """«Semáforo por dependencia»: indicators, each semáforo and the share with progress, a total row, and a link
    to each agency's report."""
    data = resumen_datos(ctx)
    columns = _present(data, motor.STATUSES, motor.LABELS)
    frame = pd.DataFrame({"Dependencia": data["dependencia"], "Indicadores": data["indicadores"],
                          **{label: data[code] for code, label in columns.items()},
                          "Con avance (%)": data["con_avance_pct"], "Informe": data["carpeta"]})
    styler = styled(frame, "estado-semaforo", classes="resumen-objetivos estado-resumen",
                     caption=f"Semáforo por dependencia, {ctx.anio}",
                     numeric=tuple(frame.columns[1:-1]))
    format_cells(styler, {"Con avance (%)": partial(formato.percent, decimals=1)})
    names = dict(zip(data["carpeta"], data["dependencia"]))
    # The link cell is rendered by its own (autoescaped) template: not escaped again.
    return styler.format({"Informe": lambda carpeta: Markup(presentacion.render(
        "estado_enlace.html.j2", href=_link(carpeta, ctx.anio), dependencia=names.get(carpeta, "")))},
        subset=["Informe"])


def resumen_trayectoria(ctx: ContextoEstado) -> Styler:
    """«Trayectoria por dependencia»: each trajectory status and the share on track or with the target reached."""
    data = resumen_datos(ctx)
    columns = _present(data, motor.TRAJECTORIES, motor.TRAJECTORY_LABELS, calculo.TRAJECTORY_PREFIX)
    frame = pd.DataFrame({"Dependencia": data["dependencia"], "Indicadores": data["indicadores"],
                          **{label: data[code] for code, label in columns.items()},
                          "En trayectoria o meta alcanzada (%)": data["en_trayectoria_pct"]})
    styler = styled(frame, "estado-trayectoria", classes="resumen-objetivos resumen-trayectoria estado-resumen",
                     caption=f"Trayectoria hacia la meta por dependencia, {ctx.anio}",
                     numeric=tuple(frame.columns[1:]))
    return format_cells(styler, {"En trayectoria o meta alcanzada (%)": partial(formato.percent, decimals=1)})


def _chart_note(ctx: ContextoEstado, title: str, codes: tuple[str, ...], labels: dict[str, str],
                prefix: str = "") -> HTML:
    counts = conteos(ctx, codes, prefix)
    rows = [{"dependencia": dependencia,
             "texto": ", ".join(f"{labels[c].lower()} {n}" for c, n in row.items() if n)}
            for dependencia, row in counts.iterrows()]
    return _html("estado_nota_grafica.html.j2", titulo=title, anio=ctx.anio, estados=[labels[c] for c in counts],
                 filas=rows)


def nota_semaforo(ctx: ContextoEstado) -> HTML:
    """The semáforo chart's caption (its text alternative: every count)."""
    return _chart_note(ctx, "Indicadores por semáforo en cada dependencia", motor.STATUSES, motor.LABELS)


def nota_trayectoria(ctx: ContextoEstado) -> HTML:
    return _chart_note(ctx, "Indicadores por trayectoria en cada dependencia", motor.TRAJECTORIES,
                       motor.TRAJECTORY_LABELS, calculo.TRAJECTORY_PREFIX)


# ----------------------------------------------------------------------------- II. what needs attention

def atencion_datos(ctx: ContextoEstado) -> pd.DataFrame:
    return calculo.atencion(ctx.estado)


def _attention_groups(ctx: ContextoEstado) -> list[tuple[str, str]]:
    """(dependencia, anchor) of each agency with indicators needing attention, in the run's order."""
    found = atencion_datos(ctx)
    agencies = list(dict.fromkeys(zip(found["carpeta"], found["dependencia"])))
    return [(dependencia, f"atencion-{k}") for k, (_, dependencia) in enumerate(agencies, 1)]


def atencion(ctx: ContextoEstado) -> HTML:
    """Every indicator in «Retroceso» or «Sin información», grouped by agency, with its figures and note."""
    found = atencion_datos(ctx)
    decimals = ctx.estado.decimales.loc[found.index]
    groups, anchors = [], dict(_attention_groups(ctx))
    for dependencia, rows in found.groupby("dependencia", sort=False):
        filas = []
        for index, r in rows.iterrows():
            unit, places = r["unidad_medida"], decimals.loc[index]
            result = formato.value(r["resultado_valor"], unit, _int(places["resultado_valor"]))
            if pd.notna(r["estado"]):
                result = "N/D" if r["estado"] == "ND" else "Pendiente"
            elif int(r["resultado_anio"]) != ctx.anio:
                result = f"{result} ({int(r['resultado_anio'])})"
            filas.append({
                "nombre": r["nombre"], "linea_base": formato.value(r["linea_base_valor"], unit,
                                                                   _int(places["linea_base_valor"])),
                "resultado": result,
                "meta": "Sin meta" if pd.isna(r["meta_valor"]) else formato.value(r["meta_valor"], unit,
                                                                                  _int(places["meta_valor"])),
                "semaforo": r["semaforo"], "semaforo_texto": motor.LABELS[r["semaforo"]],
                "trayectoria": r["trayectoria"], "trayectoria_texto": motor.TRAJECTORY_LABELS[r["trayectoria"]],
                "nota": "" if pd.isna(r["nota"]) else r["nota"]})
        groups.append({"dependencia": dependencia, "ancla": anchors[dependencia], "filas": filas})
    return _html("estado_atencion.html.j2", grupos=groups, anio=ctx.anio)


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)


# ----------------------------------------------------------------------------- III. by axis of the state plan

def ejes_datos(ctx: ContextoEstado) -> pd.DataFrame:
    return calculo.por_eje(ctx.estado)


def ejes(ctx: ContextoEstado) -> Styler:
    """Indicators by axis of the state development plan (``ped_eje`` of each agency's ``objetivos.csv``)."""
    data = ejes_datos(ctx)
    columns = _present(data, motor.STATUSES, motor.LABELS)
    frame = pd.DataFrame({"Eje del Plan Estatal de Desarrollo": data["eje"], "Dependencias": data["dependencias"],
                          "Indicadores": data["indicadores"], **{label: data[code] for code, label in columns.items()},
                          "Con avance (%)": data["con_avance_pct"],
                          "En trayectoria o meta alcanzada (%)": data["en_trayectoria_pct"]})
    styler = styled(frame, "estado-ejes", classes="resumen-objetivos estado-resumen",
                     caption=f"Indicadores por eje del Plan Estatal de Desarrollo, {ctx.anio}",
                     numeric=tuple(frame.columns[1:]))
    return format_cells(styler, {c: partial(formato.percent, decimals=1) for c in frame.columns[-2:]})


def nota_ejes(ctx: ContextoEstado) -> HTML:
    return _html("subtitulo.html.j2", ancla="ejes-nota", texto="Alineación declarada por las dependencias",
                 nota=f"Cada indicador cuenta en el eje que su dependencia declaró para su objetivo (columna ped_eje "
                      f"de objetivos.csv); los de objetivos sin eje declarado aparecen en «{calculo.NO_AXIS}».")


# ----------------------------------------------------------------------------- trend over the years of the run

def tendencia_datos(ctx: ContextoEstado) -> pd.DataFrame:
    """Per agency and year of the run (up to this one): the share with progress and the share on track, long."""
    return calculo.tendencia(ctx.anteriores)


def tendencia(ctx: ContextoEstado) -> Styler | None:
    """Agencies as rows, two columns per year: «Con avance (%)» and «En trayectoria (%)»."""
    long = tendencia_datos(ctx)
    if len(ctx.anteriores) < 2 or long.empty:
        return None
    order = list(dict.fromkeys(long["dependencia"]))
    frame = pd.DataFrame({"Dependencia": pd.Series(order, dtype="string")})
    for year in sorted(long["anio"].unique()):
        own = long[long["anio"] == year].set_index("dependencia")
        frame[f"Con avance {year} (%)"] = own["con_avance_pct"].reindex(order).to_numpy()
        frame[f"En trayectoria {year} (%)"] = own["en_trayectoria_pct"].reindex(order).to_numpy()
    styler = styled(frame, "estado-tendencia", classes="resumen-objetivos estado-resumen",
                     caption="Con avance y en trayectoria o meta alcanzada, por dependencia y año",
                     numeric=tuple(frame.columns[1:]))
    return format_cells(styler, {c: partial(formato.percent, decimals=1) for c in frame.columns[1:]})


def nota_tendencia(ctx: ContextoEstado) -> HTML | None:
    """The trend chart's caption (its text alternative: every share, by year)."""
    long = tendencia_datos(ctx)
    if len(ctx.anteriores) < 2 or long.empty:
        return None
    rows = []
    for dependencia, own in long.groupby("dependencia", sort=False):
        own = own.sort_values("anio")
        rows.append({"dependencia": dependencia,
                     "con_avance": [f"{formato.percent(v, 1)} ({y})" for y, v in zip(own["anio"], own["con_avance_pct"])],
                     "en_trayectoria": [f"{formato.percent(v, 1)} ({y})"
                                        for y, v in zip(own["anio"], own["en_trayectoria_pct"])]})
    return _html("estado_nota_tendencia.html.j2", anios=sorted(int(y) for y in long["anio"].unique()), filas=rows)


# ----------------------------------------------------------------------------- agencies without a report

def fallidas(ctx: ContextoEstado) -> HTML:
    rows = calculo.fallidas(ctx.estado)
    filas = [{**r, "lineas": [line for line in str(r["error"] or "").splitlines() if line.strip()]}
             for r in rows.to_dict("records")]
    return _html("estado_fallidas.html.j2", filas=filas, anio=ctx.anio)

