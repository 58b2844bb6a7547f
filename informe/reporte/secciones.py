"""Stage 3: the report's sections. Data first, presentation second.

Notebooks call these functions and nothing else: ``ctx = secciones.open(anio, data_dir)``
(loads and validates once), then one call per element of the report.

* **Tables** are tidy, typed pandas DataFrames (numbers as numbers, the semáforo an
  ordered categorical with its Spanish labels) presented with a pandas ``Styler``:
  es-MX number formats, CSS classes for numbers and semáforo, no inline style. The
  frame is ``styler.data``; the functions ``*_datos`` return it directly.
* **Narrative** (headings, texts, cards, glossary) is rendered by the Jinja2
  templates of ``informe/templates/secciones`` (autoescaped; Markdown sanitized).
* **Charts** are matplotlib Figures (``informe.reporte.graficas``).

The look (colours, widths, fonts) lives in one place: ``templates/informe/informe.css``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup, escape
from pandas.io.formats.style import Styler

from informe import config, formato
from informe.calculo import motor
from informe.calculo.calidad import stated_counts
from informe.datos import contexto, narrativa
from informe.datos.conjunto import Dataset
from informe.datos.parametros import HEADER_MAX, ROMAN, SECTION_TITLES
from informe.problemas import DataError, InformeError
from informe.reporte import presentacion, revision
from informe.valores import is_missing

#: Card fields that the contract does not require (a card shows them blank when absent).
CARD_OPTIONAL = ("nombre_cedula", "objetivo_cedula", "objetivo_indicador", "descripcion", "metodo_calculo",
                 "unidad_responsable", "unidad_ejecutora", "referencia_adicional", "nota_cedula",
                 "linea_base_valor_decimales", "meta_valor_decimales")


#: The semáforo as an ordered categorical of its Spanish labels (engine codes → labels).
SEMAFORO = pd.CategoricalDtype([motor.LABELS[s] for s in motor.STATUSES], ordered=True)
#: CSS class of each semáforo label (the stylesheet defines the colours, once).
SEMAFORO_CLASS = {motor.LABELS[s]: f"semaforo semaforo-{s}" for s in motor.STATUSES}
#: The trajectory toward the target, likewise (best first).
TRAYECTORIA = pd.CategoricalDtype([motor.TRAJECTORY_LABELS[s] for s in motor.TRAJECTORIES], ordered=True)
TRAYECTORIA_CLASS = {motor.TRAJECTORY_LABELS[s]: f"trayectoria trayectoria-{s}" for s in motor.TRAJECTORIES}


@dataclass
class Context:
    """Everything a section needs for one agency and one year, loaded once per notebook."""

    year: int
    data_dir: Path
    dataset: Dataset
    params: dict
    table: pd.DataFrame  # motor.indicator_table for the year

    @property
    def nombre(self) -> str:
        return str(self.dataset.dependencia.get("nombre", ""))

    @property
    def titulos(self) -> dict[int, str]:
        """Section titles: the params' ``secciones`` over the defaults."""
        return self.params["secciones"]

    def objective_name(self, objetivo_id: int) -> str:
        obj = self.dataset.objetivos
        match = obj.loc[obj["objetivo_id"] == int(objetivo_id), "nombre"]
        if match.empty:
            raise InformeError(f"El objetivo {objetivo_id} no existe en objetivos.csv; los objetivos son: "
                               f"{', '.join(map(str, obj['objetivo_id']))}. Corrija el parámetro objetivo_id.")
        return str(match.iloc[0])

    @cached_property
    def series(self) -> pd.DataFrame:
        """Every year of every indicator, long (:func:`motor.series`), computed once per context."""
        return motor.series(self.dataset.indicadores, self.dataset.resultados)

    def indicators(self, objetivo_id: int) -> pd.DataFrame:
        """The year's computed indicator table, rows of one objective."""
        self.objective_name(objetivo_id)
        return self.table[self.table["objetivo_id"] == int(objetivo_id)]


#: In a notebook the inputs are papermill parameters, not command-line options.
NOTEBOOK_TERMS = {"--params ARCHIVO": "-p params_file ARCHIVO", "--data DIR": "-p data_dir DIR",
                  "--year": "-p anio", "--params": "-p params_file"}


def _notebook_terms(text: str) -> str:
    for option, parameter in NOTEBOOK_TERMS.items():
        text = text.replace(option, parameter)
    return text


def open(anio: int, data_dir: str | Path | None = None, params_file: str | Path | None = None,  # noqa: A001
         huella: str = "") -> Context:
    """Load and validate the data and the year's parameters once (every blocker at once, as
    ``informe validar``), then compute the indicator table.

    ``huella`` (passed by ``informe construir``): the fingerprint of the inputs the build has already
    validated; their validated copy is read from the build cache instead of validating again."""
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    params_file = params_file or None  # "" (the notebooks' default) means params/<anio>.yaml if present
    validated = contexto.load(config.CACHE_DIR, huella)
    if validated is not None:
        dataset, params = validated
    else:
        from informe.datos.entradas import (
            year_inputs,  # pandera: only when there is something to validate
        )

        inputs = year_inputs(data_dir, int(anio), params_file, params_required=params_file is not None)
        if inputs.problems:
            raise DataError([replace(p, message=_notebook_terms(p.message)) for p in inputs.problems])
        dataset, params = inputs.dataset, inputs.params
    table = motor.year_table(dataset, int(anio), params)
    return Context(int(anio), data_dir, dataset, params, table)


# ----------------------------------------------------------------------------- presentation helpers

def _html(template: str, **context) -> HTML:
    return HTML(presentacion.render(template, **context))


def styled(frame: pd.DataFrame, name: str, *, classes: str, caption: str | None = None,
            numeric: tuple[str, ...] = (), cell_classes: pd.DataFrame | None = None) -> Styler:
    """A Styler for the report: stable id, no index, CSS classes only (the stylesheet owns the look)."""
    styler = Styler(frame, uuid=name, cell_ids=False, escape="html", na_rep="—")
    styler.hide(axis="index")
    styler.set_table_attributes(f'class="tabla {classes}"')
    if caption:
        styler.set_caption(caption)
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column in numeric:
        css[column] = "numero"
    if cell_classes is not None:
        css = (css + " " + cell_classes.reindex_like(css).astype(object).fillna("")).apply(lambda c: c.str.strip())
    return styler.set_td_classes(css)


def format_cells(styler: Styler, formatters: dict, rows=None) -> Styler:
    """The one way the report formats table cells (of ``rows``, a list of row labels, or all rows):
    whatever each formatter returns is HTML-escaped, and no other cell is touched.

    ``Styler(escape="html")`` escapes only through its default formatters, and ``Styler.format`` undoes
    that twice over: a formatter of ours replaces the default of its column, and every *other* column of
    the call's subset is reset to a default formatter without escaping (``escape=None``, the call's).
    ``format(escape="html")`` would escape a formatter's *input*, not the text it returns (built here
    from other fields: a result's note, a unit). So each call is limited to the formatters' own
    columns, and their text is escaped here, once."""
    def escaping(formatter):
        return lambda value: str(escape(formatter(value)))

    subset = pd.IndexSlice[slice(None) if rows is None else rows, list(formatters)]
    return styler.format({column: escaping(f) for column, f in formatters.items()}, subset=subset)


def _lines(text) -> str:
    """A multi-line cell: one item per line (the stylesheet keeps the line breaks)."""
    return "\n".join(line.strip() for line in str("" if is_missing(text) else text).splitlines() if line.strip())


def titulo(ctx: Context, numero: int) -> HTML:
    """A section heading (``I. Introducción`` …) with its anchor."""
    return _html("titulo.html.j2", numero=numero, romano=ROMAN[numero], titulo=section_title(ctx, numero),
                 encabezado=ctx.params["encabezados"][numero])


#: The first words of agency names that take «del» (masculine); any other takes «de la» (Oficialía, Secretaría…).
MASCULINE = ("instituto", "consejo", "sistema", "centro", "fondo", "colegio", "organismo", "comité", "tribunal",
             "despacho", "servicio", "patronato", "fideicomiso", "poder", "gobierno", "ayuntamiento", "hospital")


def section_title(ctx: Context, numero: int) -> str:
    title = ctx.titulos[numero]
    if numero == 3 and ctx.nombre and title == SECTION_TITLES[3]:
        first = ctx.nombre.split()[0].lower()
        return f"{title} {'del' if first in MASCULINE else 'de la'} {ctx.nombre}"
    return title


# ----------------------------------------------------------------------------- front matter

def portada(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    return _html("portada.html.j2", gobierno=dep.get("gobierno"), dependencia=dep.get("nombre"),
                 titulo=ctx.params["titulo"], anio=ctx.year, fecha=ctx.params.get("fecha_publicacion"),
                 lema=dep.get("lema"), encabezado=running_title(ctx))


def running_title(ctx: Context) -> str:
    """The report's line at the top left of every printed page but the cover: the title and the agency's
    name, or its siglas where the name would not fit one line (:data:`params.HEADER_MAX`), else the title."""
    title = ctx.params["titulo"]
    for who in (ctx.nombre, str(ctx.dataset.dependencia.get("siglas") or "")):
        if who and len(f"{title} — {who}") <= HEADER_MAX:
            return f"{title} — {who}"
    return title


def directorio(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    return _html("directorio.html.j2", directorio=dep.get("directorio") or [], enlaces=dep.get("enlaces") or [])


def contenido(ctx: Context) -> pd.DataFrame:
    """The table of contents as data: nivel (1 section, 2 subsection), ancla, titulo."""
    rows = []
    for numero in range(1, 11):
        rows.append((1, f"seccion-{numero}", f"{ROMAN[numero]}. {section_title(ctx, numero)}"))
        if numero == 6:
            rows.append((2, "resumen-indicadores", "Resumen de resultados de indicadores"))
            rows.append((2, "resumen-trayectoria", TRAYECTORIA_TITULO))
        if numero == 7:
            for o, n in zip(ctx.dataset.objetivos["objetivo_id"], ctx.dataset.objetivos["nombre"]):
                opened = programa_que_abre(ctx, o)
                if opened:
                    rows.append((2, opened["ancla"], str(opened["nombre"])))
                rows.append((2, f"objetivo-{o}", f"Objetivo {o}. {n}"))
        if numero == 10:
            rows.append((2, "cedulas", "Cédulas de indicadores"))
            if ctx.params["incluir_calidad"]:
                rows.append((2, "calidad-datos", "Notas de calidad de los datos"))
    return pd.DataFrame(rows, columns=["nivel", "ancla", "titulo"])


def indice(ctx: Context) -> HTML:
    """Índice: every section and subsection, with page numbers in the PDF (CSS target-counter)."""
    return index_html(contenido(ctx))


def index_html(contents: pd.DataFrame) -> HTML:
    """An index (``contents``: nivel 1 section / 2 subsection, ancla, titulo) as the report prints it."""
    sections: list[dict] = []
    for entry in contents.to_dict("records"):
        if entry["nivel"] == 1:
            sections.append({**entry, "subsecciones": []})
        else:
            sections[-1]["subsecciones"].append(entry)
    return _html("indice.html.j2", secciones=sections)


# ----------------------------------------------------------------------------- I–V

def introduccion(ctx: Context) -> HTML:
    """The agency's introduction and the sentence that counts the programme's objectives, strategies and
    indicators from the data, printed only if the introduction states no count that disagrees: the report
    never contradicts itself (the quality review names the disagreement)."""
    ds = ctx.dataset
    text = narrativa.introduccion(ctx.data_dir, ctx.year)
    counts = {"objetivos": len(ds.objetivos), "estrategias": len(ds.estrategias), "indicadores": len(ds.indicadores)}
    agrees = all(counts[what] == said for _, what, said in stated_counts(text))
    return _html("texto.html.j2", texto=text, conteos={**counts, "programas": len(ds.programas)} if agrees else None)


def marco_normativo(ctx: Context) -> HTML:
    return _html("texto.html.j2", texto=narrativa.marco_normativo(ctx.data_dir), conteos=None)


def mision_vision(ctx: Context) -> HTML:
    dep = ctx.dataset.dependencia
    return _html("mision_vision.html.j2", mision=dep.get("mision"), vision=dep.get("vision"))


#: Column labels of the alignment tables (contract column → header shown).
PND_LABELS = {"pnd_objetivo": "Plan Nacional de Desarrollo", "ped_eje": "Plan Estatal de Desarrollo: eje",
              "ped_objetivo": "Objetivo del PED", "ped_estrategias": "Estrategias del PED",
              "objetivos_programa": "Objetivos del programa"}
ODS_LABELS = {"objetivos_programa": "Objetivos del programa", "ods": "Objetivos de Desarrollo Sostenible",
              "metas": "Metas", "justificacion": "Justificación"}


def _text_table(frame: pd.DataFrame | None, labels: dict[str, str]) -> pd.DataFrame | None:
    """A narrative CSV as shown: its columns renamed, each cell one line per item."""
    return None if frame is None else frame[list(labels)].map(_lines).rename(columns=labels)


def _list_cell(text) -> str | Markup:
    """A text cell: as it is with one item, or a list (lista.html.j2) with one item per line."""
    items = _lines(text).splitlines()
    return Markup(presentacion.render("lista.html.j2", items=items)) if len(items) > 1 else "\n".join(items)


def _table_or_no_info(frame: pd.DataFrame | None, name: str, classes: str) -> Styler | HTML:
    """A table of the agency's texts, each cell with several items as a list; or «sin información»."""
    if frame is None:
        return _html("sin_informacion.html.j2")
    return format_cells(styled(frame, name, classes=classes), dict.fromkeys(frame.columns, _list_cell))


def alineacion_pnd_datos(ctx: Context) -> pd.DataFrame | None:
    return _text_table(narrativa.alineacion_pnd_ped(ctx.data_dir), PND_LABELS)


def alineacion_pnd(ctx: Context) -> Styler | HTML:
    return _table_or_no_info(alineacion_pnd_datos(ctx), "alineacion-pnd", "alineacion alineacion-pnd")


def alineacion_ods_datos(ctx: Context) -> pd.DataFrame | None:
    return _text_table(narrativa.alineacion_ods(ctx.data_dir), ODS_LABELS)


def alineacion_ods(ctx: Context) -> Styler | HTML:
    return _table_or_no_info(alineacion_ods_datos(ctx), "alineacion-ods", "alineacion alineacion-ods")


# ----------------------------------------------------------------------------- VI summary

def resumen_ejecutivo(ctx: Context) -> HTML:
    return _html("texto.html.j2", texto=narrativa.resumen_ejecutivo(ctx.data_dir, ctx.year), conteos=None)


def _per_objective(ctx: Context, counts: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """An engine count table as shown: the objective by name (or Total) and one column per label."""
    counts = motor.with_subtotals(counts, ctx.dataset.objetivos, ctx.dataset.programas)
    names = {str(k): f"{k}. {v}" for k, v in zip(ctx.dataset.objetivos["objetivo_id"], ctx.dataset.objetivos["nombre"])}
    names |= {motor.SUBTOTAL + str(p): f"Subtotal: {n}" for p, n in zip(ctx.dataset.programas["programa_id"],
                                                                         ctx.dataset.programas["nombre"])}
    frame = pd.DataFrame({
        "Objetivo": [names.get(i, "Total") for i in counts["objetivo_id"]],
        "Número de indicadores": counts["indicadores"],
    })
    # no_aplica and sin_meta are shown only when some indicator has them (the 2023 summary stays as published)
    present = {code for code in labels if code in counts and counts[code].sum() > 0}
    for code in motor.shown(tuple(c for c in labels if c in counts), present):
        frame[labels[code]] = counts[code]
    return frame


def resumen_datos(ctx: Context) -> pd.DataFrame:
    """Indicators per semáforo status, per objective and in total (typed counts)."""
    return _per_objective(ctx, motor.summary(ctx.table, list(ctx.dataset.objetivos["objetivo_id"])), motor.LABELS)


def resumen_indicadores(ctx: Context) -> Styler:
    """"Resumen de resultados de indicadores": the published one-row table."""
    frame = resumen_datos(ctx).iloc[[-1]].drop(columns="Objetivo").reset_index(drop=True)
    return styled(frame, "resumen", classes="resumen", numeric=tuple(frame.columns),
                   caption="Resumen de resultados de indicadores")


def _subtotal_classes(frame: pd.DataFrame) -> pd.DataFrame:
    """``subtotal`` on every cell of a programme's subtotal row (the stylesheet sets it apart, as the total)."""
    rows = frame["Objetivo"].str.startswith("Subtotal: ").map({True: "subtotal", False: ""})
    return pd.DataFrame({column: rows for column in frame.columns})


def resumen_por_objetivo(ctx: Context) -> Styler:
    frame = resumen_datos(ctx)
    numeric = tuple(c for c in frame.columns if c != "Objetivo")
    return styled(frame, "resumen-objetivos", classes="resumen-objetivos", numeric=numeric,
                   caption="Indicadores por objetivo y semáforo", cell_classes=_subtotal_classes(frame))


def resumen_trayectoria_datos(ctx: Context) -> pd.DataFrame:
    """Indicators per trajectory status toward the target, per objective and in total (typed counts)."""
    return _per_objective(ctx, motor.trajectory_summary(ctx.table, list(ctx.dataset.objetivos["objetivo_id"])),
                          motor.TRAJECTORY_LABELS)


TRAYECTORIA_TITULO = "Trayectoria hacia las metas"


def encabezado_trayectoria(ctx: Context) -> HTML:
    """Heading and reading key of the trajectory summary (how the statuses are defined)."""
    metas = sorted(set(int(y) for y in ctx.table["meta_anio"].dropna()))
    bases = sorted(set(int(y) for y in ctx.table["linea_base_anio"]))
    return _html("trayectoria_encabezado.html.j2", ancla="resumen-trayectoria", titulo=TRAYECTORIA_TITULO,
                 anio=ctx.year, metas=metas, bases=bases, sin_meta=(ctx.table["trayectoria"] == "sin_meta").any(),
                 no_aplica=(ctx.table["trayectoria"] == "no_aplica").any(),
                 intermedias=ctx.table["meta_intermedia"].notna().any(),
                 en_trayectoria=formato.number(100 * ctx.params["umbral_en_trayectoria"]),
                 moderado=formato.number(100 * ctx.params["umbral_avance_moderado"]))


def resumen_trayectoria(ctx: Context) -> Styler:
    frame = resumen_trayectoria_datos(ctx)
    numeric = tuple(c for c in frame.columns if c != "Objetivo")
    return styled(frame, "resumen-trayectoria", classes="resumen-objetivos resumen-trayectoria", numeric=numeric,
                   caption="Indicadores por objetivo y trayectoria hacia la meta", cell_classes=_subtotal_classes(frame))


def encabezado_resumen(ctx: Context) -> HTML:
    return _html("subtitulo.html.j2", ancla="resumen-indicadores", texto="Resumen de resultados de indicadores",
                 nota="Semáforo de cada indicador respecto a su línea base, calculado con los datos de este "
                      "informe.")


# ----------------------------------------------------------------------------- VII per objective

def objetivo(ctx: Context, objetivo_id: int) -> HTML:
    """The objective's heading (after the section VII heading for the first objective), its strategies
    and their "Acciones realizadas"."""
    est = ctx.dataset.estrategias
    actions = narrativa.acciones(ctx.data_dir, ctx.year) or {}
    first = int(ctx.dataset.objetivos["objetivo_id"].iloc[0])
    strategies = [{"id": str(r["estrategia_id"]), "nombre": r["nombre"], "acciones": actions.get(str(r["estrategia_id"]))}
                  for r in est[est["objetivo_id"] == int(objetivo_id)].to_dict("records")]
    return _html("objetivo.html.j2", seccion=({"numero": 7, "romano": ROMAN[7], "titulo": section_title(ctx, 7),
                                                "encabezado": ctx.params["encabezados"][7]}
                                                if int(objetivo_id) == first else None),
                 programa=programa_que_abre(ctx, objetivo_id),
                 objetivo_id=int(objetivo_id), nombre=ctx.objective_name(objetivo_id), estrategias=strategies)


#: How section VII names each kind of programme (``programas.csv``, column ``tipo``).
TIPO_PROGRAMA = {"sectorial": "Programa sectorial", "institucional": "Programa institucional",
                 "especial": "Programa especial", "regional": "Programa regional"}


def programas(ctx: Context) -> pd.DataFrame:
    """The programmes the agency reports on, in order, with their objectives (``objetivos``, a list of ids) and
    their anchor (``ancla``); empty with fewer than two (section VII then has no programme headings)."""
    programmes = ctx.dataset.programas
    if len(programmes) < 2:
        return pd.DataFrame(columns=["programa_id", "nombre", "tipo", "ancla", "objetivos"])
    obj = ctx.dataset.objetivos
    return programmes.assign(
        ancla=[f"programa-{k}" for k in range(1, len(programmes) + 1)],
        objetivos=[[int(o) for o in obj.loc[obj["programa_id"] == pid, "objetivo_id"]]
                   for pid in programmes["programa_id"]])


def programa_que_abre(ctx: Context, objetivo_id: int) -> dict | None:
    """The programme whose heading goes before ``objetivo_id`` (its first objective), or None."""
    for record in programas(ctx).to_dict("records"):
        if record["objetivos"][:1] == [int(objetivo_id)]:
            return {**record, "tipo_texto": TIPO_PROGRAMA[record["tipo"]]}
    return None


def _year_header(values: pd.Series, label: str) -> tuple[str, bool]:
    years = values.dropna().unique()  # an indicator without a target has no target year
    return (f"{label} {years[0]}", False) if len(years) == 1 else (label, True)


#: The index of the exploration frames: an indicator is its id, never its name (two may share one).
ID = "indicador_id"


def _rows(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """The objective's indicators in table order, indexed by :data:`ID`."""
    return ctx.indicators(objetivo_id).set_index(ID, drop=False).rename_axis(ID)


def indicadores_datos(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """The objective's indicator table as published, typed: numbers as Float64, semáforo categorical;
    indexed by ``indicador_id`` (the report hides the index)."""
    rows = _rows(ctx, objetivo_id)
    base, _ = _year_header(rows["linea_base_anio"], "Línea base")
    meta, _ = _year_header(rows["meta_anio"], "Meta")
    interim = interim_header(ctx, rows)
    return pd.DataFrame({
        "Indicador": rows["nombre"].astype("string"),
        base: rows["linea_base_valor"],
        f"Resultado {ctx.year}": rows["resultado_valor"],
        "Fuente": rows["fuente"].astype("string"),
        "Semáforo": rows["semaforo"].map(motor.LABELS).astype(SEMAFORO),
        "Trayectoria": rows["trayectoria"].map(motor.TRAJECTORY_LABELS).astype(TRAYECTORIA),
        **({interim: rows["meta_intermedia"]} if interim else {}),
        meta: rows["meta_valor"],
        "Avance hacia la meta (%)": rows["avance_meta_pct"],
    })


def interim_header(ctx: Context, rows: pd.DataFrame) -> str | None:
    """«Meta <año>», the header of the column of the year's interim targets (``metas.csv``), when some indicator
    of ``rows`` has one and it is not already the target column; else None."""
    meta, _ = _year_header(rows["meta_anio"], "Meta")
    header = f"Meta {ctx.year}"
    return header if rows["meta_intermedia"].notna().any() and header != meta else None


def _reference_text(value, unit, decimals, year=None) -> str:
    text = "N/A" if is_missing(value) else formato.value(value, unit, decimals)
    return f"{text} ({year})" if year is not None else text


#: How a card prints the indicator's direction.
SENTIDO_LABELS = {"ascendente": "Ascendente", "descendente": "Descendente", "no_aplica": "No aplica"}

#: What the target cells say of an indicator without a target (contract v3).
NO_TARGET = "Sin meta"


def _target_text(value, unidad_medida=None, decimals=None) -> str:
    return NO_TARGET if is_missing(value) else formato.value(value, unidad_medida, decimals)


def _result_text(value, unit, decimals, estado, nota, year=None) -> str:
    """The result as the table prints it; ``year``: the year of the measurement, when not the report's."""
    if estado in ("ND", "pendiente"):
        label = "N/D" if estado == "ND" else "Pendiente"
        return f"{label} ({nota})" if nota else label
    text = formato.value(value, unit, decimals)
    return f"{text} ({year})" if year is not None and text else text


def indicadores(ctx: Context, objetivo_id: int) -> Styler:
    """"Impacto de las acciones": the indicator table (styler.data is the typed frame)."""
    frame = indicadores_datos(ctx, objetivo_id)
    rows = _rows(ctx, objetivo_id)
    interim_col = interim_header(ctx, rows)
    base_col, result_col, meta_col, progress_col = frame.columns[1], frame.columns[2], frame.columns[-2], frame.columns[-1]
    _, with_year = _year_header(rows["linea_base_anio"], "Línea base")
    numeric = (base_col, result_col, *([interim_col] if interim_col else []), meta_col, progress_col)
    styler = styled(frame, f"indicadores-{objetivo_id}", classes="indicadores" + (" con-meta-intermedia" if interim_col
                                                                                    else ""),
                     caption="Impacto de las acciones", numeric=numeric, cell_classes=_status_classes(frame, meta_col))
    for iid, item in rows.iterrows():
        item = {k: (None if is_missing(v) else v) for k, v in item.items()}
        unit = item["unidad_medida"]
        other_year = item["resultado_anio"] if item["resultado_anio"] != ctx.year else None
        formats = {
            base_col: partial(lambda v, it: _reference_text(v, it["unidad_medida"], it["referencia_decimales"],
                                                             it["linea_base_anio"] if with_year else None), it=item),
            result_col: partial(lambda v, it, year: _result_text(
                v, it["unidad_medida"], it["resultado_decimales"], it["estado"], it["nota"], year),
                it=item, year=other_year),
            meta_col: partial(_target_text, unidad_medida=unit, decimals=item["meta_decimales"]),
            progress_col: formato.percent,
        }
        if interim_col:  # the interim target of the result's year, with that year when it is not the report's
            formats[interim_col] = partial(lambda v, it, year: "—" if is_missing(v) else _reference_text(
                v, it["unidad_medida"], it["meta_intermedia_decimales"], year), it=item, year=other_year)
        format_cells(styler, formats, rows=[iid])
    return styler


def _status_classes(frame: pd.DataFrame, meta_col: str | None = None) -> pd.DataFrame:
    """CSS classes of the status columns (semáforo, trayectoria) present in ``frame``, and ``sin-meta`` for the
    target cells of an indicator without a target (``meta_col``)."""
    classes = {"Semáforo": SEMAFORO_CLASS, "Trayectoria": TRAYECTORIA_CLASS}
    found = pd.DataFrame({column: frame[column].map(mapping).astype(str)
                          for column, mapping in classes.items() if column in frame})
    if meta_col is not None:
        found[meta_col] = frame[meta_col].isna().map({True: "sin-meta", False: ""})
    return found


def tendencia_datos(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """The objective's indicators over time, typed: the baseline, every year with results after the
    baseline up to the report's year, the target, progress toward it against the progress expected on
    a straight path, and the trajectory status. Indexed by ``indicador_id`` (the report hides the index)."""
    rows = _rows(ctx, objetivo_id)
    long = ctx.series
    long = long[long["indicador_id"].isin(rows["indicador_id"])]
    years = sorted(int(y) for y in long["anio"].unique() if int(rows["linea_base_anio"].min()) < y <= ctx.year)
    wide = long.pivot(index="indicador_id", columns="anio", values="valor").reindex(rows.index)
    base, _ = _year_header(rows["linea_base_anio"], "Línea base")
    meta, _ = _year_header(rows["meta_anio"], "Meta")
    frame = pd.DataFrame({"Indicador": rows["nombre"].astype("string"), base: rows["linea_base_valor"]})
    for year in years:
        frame[str(year)] = wide[year].astype("Float64")
    frame[meta] = rows["meta_valor"]
    frame["Avance hacia la meta (%)"] = rows["avance_meta_pct"]
    frame["Avance esperado (%)"] = rows["avance_esperado_pct"]
    frame["Trayectoria"] = rows["trayectoria"].map(motor.TRAJECTORY_LABELS).astype(TRAYECTORIA)
    return frame


def tendencia(ctx: Context, objetivo_id: int) -> Styler:
    """"Tendencia hacia la meta": the trend table (styler.data is the typed frame)."""
    frame = tendencia_datos(ctx, objetivo_id)
    rows = _rows(ctx, objetivo_id)
    long = ctx.series
    estados = long.pivot(index="indicador_id", columns="anio", values="estado").reindex(rows.index)
    res = ctx.dataset.resultados  # each value with the decimals it was published with (not for num/den)
    decimals = (res.assign(decimales=res["valor_decimales"].where(res["numerador"].isna()))
                .pivot(index="indicador_id", columns="anio", values="decimales").reindex(rows.index))
    numeric = tuple(frame.columns[1:-1])
    year_cols = [c for c in frame.columns if c.isdigit()]
    meta_col = frame.columns[len(year_cols) + 2]
    _, with_year = _year_header(rows["linea_base_anio"], "Línea base")
    styler = styled(frame, f"tendencia-{objetivo_id}", classes="tendencia", numeric=numeric,
                     caption="Tendencia hacia la meta", cell_classes=_status_classes(frame, meta_col))
    for iid, item in rows.iterrows():
        item = {k: (None if is_missing(v) else v) for k, v in item.items()}
        unit = item["unidad_medida"]
        formats = {
            frame.columns[1]: partial(lambda v, it: _reference_text(v, it["unidad_medida"], it["referencia_decimales"],
                                                                     it["linea_base_anio"] if with_year else None),
                                      it=item),
            meta_col: partial(_target_text, unidad_medida=unit, decimals=item["meta_decimales"]),
            "Avance hacia la meta (%)": formato.percent,
            "Avance esperado (%)": formato.percent,
        }
        for column in year_cols:
            estado, places = estados.loc[iid].get(int(column)), decimals.loc[iid].get(int(column))
            formats[column] = partial(_year_text, unit=unit, estado=None if is_missing(estado) else estado,
                                      decimals=None if is_missing(places) else int(places))
        format_cells(styler, formats, rows=[iid])
    return styler


def _year_text(value, unit: str, estado: str | None, decimals: int | None) -> str:
    """A year's value in the trend table: the value, N/D or Pendiente, or — without a row."""
    if estado is not None:
        return "N/D" if estado == "ND" else "Pendiente"
    return "—" if is_missing(value) else formato.value(value, unit, decimals)


def distintivos(ctx: Context, objetivo_id: int) -> pd.Series:
    """What tells apart indicators of the objective that share a name (as published in 2023): for each of
    them "fila N de la tabla", N its row in the objective's indicator table; "" for a name of its own.
    Indexed by ``indicador_id``, in table order. Charts and their captions add it to the name."""
    rows = _rows(ctx, objetivo_id)
    shared = rows["nombre"].duplicated(keep=False).to_numpy()
    return pd.Series([f"fila {n} de la tabla" if repeated else "" for n, repeated in enumerate(shared, 1)],
                     index=rows.index, name="distintivo", dtype="string")


def etiquetas(ctx: Context, objetivo_id: int) -> pd.Series:
    """How charts and captions name each indicator of the objective: its name, followed by its
    :func:`distintivos` in parentheses when another indicator of the objective has the same name.
    Indexed by ``indicador_id``, in table order."""
    names = _rows(ctx, objetivo_id)["nombre"].astype("string")
    extra = distintivos(ctx, objetivo_id)
    return names.where(extra == "", names + " (" + extra + ")").rename("etiqueta")


def nota_tendencia(ctx: Context, objetivo_id: int) -> HTML:
    """The trajectory chart's caption (its text alternative): what each panel draws."""
    rows = ctx.indicators(objetivo_id)
    names = etiquetas(ctx, objetivo_id)
    metas = ctx.dataset.metas
    return _html("nota_tendencia.html.j2", objetivo_id=int(objetivo_id), anio=ctx.year,
                 intermedias=metas["indicador_id"].isin(rows["indicador_id"]).any(),
                 indicadores=[{"nombre": names[r["indicador_id"]],
                               "trayectoria": motor.TRAJECTORY_LABELS[r["trayectoria"]]}
                              for r in rows.to_dict("records")])


def notas_indicadores(ctx: Context, objetivo_id: int) -> HTML:
    """Notes under the indicator table: the results' notes and how the columns are computed."""
    rows = ctx.indicators(objetivo_id)
    notes = [{"indicador": r["nombre"], "nota": r["nota"]} for r in rows.to_dict("records")
             if not is_missing(r["nota"]) and is_missing(r["estado"])]
    return _html("notas_indicadores.html.j2", notas=notes)


def nota_grafica(ctx: Context, objetivo_id: int) -> HTML:
    """The chart's caption (its text alternative)."""
    rows = ctx.indicators(objetivo_id)
    names = etiquetas(ctx, objetivo_id)
    return _html("nota_grafica.html.j2", objetivo_id=int(objetivo_id), anio=ctx.year, nombres=list(names),
                 sin_dato=list(names[rows.loc[rows["resultado_valor"].isna(), "indicador_id"]]))


def metas_intermedias(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """The interim targets of the objective's indicators (``metas.csv``), one row per indicator that has them,
    years as columns, indexed by ``indicador_id`` (exploration; empty when the programme sets none)."""
    rows = _rows(ctx, objetivo_id)
    metas = ctx.dataset.metas
    metas = metas[metas["indicador_id"].isin(rows.index)]
    wide = metas.pivot(index="indicador_id", columns="anio", values="meta_valor")
    wide = wide.reindex([i for i in rows.index if i in wide.index])
    wide.columns.name = "Año"
    return wide.rename_axis(index=ID)


def serie(ctx: Context, objetivo_id: int) -> pd.DataFrame:
    """Every year of the objective's indicators, one row per indicator, years as columns (exploration)."""
    long = ctx.series
    long = long[long["objetivo_id"] == int(objetivo_id)]
    wide = long.pivot(index=["indicador_id", "nombre"], columns="anio", values="valor")
    wide = wide.reindex(pd.MultiIndex.from_frame(long[["indicador_id", "nombre"]].drop_duplicates()))
    wide.columns.name = "Año"
    return wide.rename_axis(index=[ID, "Indicador"])


# ----------------------------------------------------------------------------- VIII, IX

def proyectos_datos(ctx: Context) -> pd.DataFrame | None:
    items = narrativa.proyectos(ctx.data_dir, ctx.year)
    if not items:
        return None
    return pd.DataFrame({
        "Proyectos": [p["proyecto"] for p in items],
        "Acciones de implementación": ["\n".join(p["acciones"]) for p in items],
        "Avance físico financiero": [p["avance_fisico_financiero"] or "—" for p in items],
    })


def proyectos(ctx: Context) -> Styler | HTML:
    return _table_or_no_info(proyectos_datos(ctx), "proyectos", "proyectos")  # actions as a list, ▪ (informe.css)


def glosario(ctx: Context) -> HTML:
    frame = narrativa.glosario(ctx.data_dir)
    terms = [] if frame is None else frame.to_dict("records")
    return _html("glosario.html.j2", terminos=terms)


# ----------------------------------------------------------------------------- X annexes

def cedulas(ctx: Context) -> HTML:
    """X. Anexos: one card per indicator, grouped by objective, laid out like the published cards."""
    ind = ctx.dataset.indicadores
    groups = []
    for obj in ctx.dataset.objetivos.to_dict("records"):
        cards = ind[ind["objetivo_id"] == obj["objetivo_id"]]
        items = []
        for card in cards.to_dict("records"):
            card = {**dict.fromkeys(CARD_OPTIONAL), **{k: (None if is_missing(v) else v) for k, v in card.items()}}
            items.append({
                **card,
                "nombre_mostrado": card.get("nombre_cedula") or card["nombre"],
                "objetivo_mostrado": card.get("objetivo_cedula") or obj["nombre"],
                "linea_base_texto": _reference_text(card["linea_base_valor"], card["unidad_medida"],
                                                    card.get("linea_base_valor_decimales")),
                "meta_texto": _target_text(card["meta_valor"], card["unidad_medida"], card.get("meta_valor_decimales")),
                "sentido_texto": SENTIDO_LABELS.get(card["sentido"], card["sentido"]),
            })
        if items:
            groups.append({"objetivo_id": obj["objetivo_id"], "nombre": obj["nombre"], "cedulas": items})
    return _html("cedulas.html.j2", grupos=groups)


def hallazgos(ctx: Context) -> pd.DataFrame:
    """The data-quality findings in plain Spanish, one row per fact (for exploration and review)."""
    return revision.review(ctx.dataset, ctx.year, ctx.params)


def calidad(ctx: Context) -> HTML | None:
    """Data-quality notes inside the official report, only when the year's params ask for them."""
    if not ctx.params["incluir_calidad"]:
        return None
    return HTML(revision.review_section(ctx.dataset, ctx.year, ctx.params))


def cuadernos(ctx: Context) -> HTML:
    """X. Anexos: where reviewers find the executed notebooks that made the report, as pages
    (``notebooks/index.html`` beside the report, :func:`informe.construccion.html.notebook_pages`)."""
    from informe.config import NOTEBOOK_INDEX

    return _html("cuadernos_enlace.html.j2", indice=f"notebooks/{NOTEBOOK_INDEX}")
