"""Stage 2: the indicator engine. Pure functions: tables in, tables out; no I/O, no plotting.

Definitions (``shared/design/data-contract.md``):

* **reference** — the ``resultados.csv`` value for the card's ``linea_base_anio``
  when present, otherwise the card's ``linea_base_valor``.
* **result** — the year's value: computed from numerador/denominador when both
  are given (×100 for ``porcentaje``), otherwise ``valor``. An indicator measured less often than
  yearly (:data:`CARRIED`) without a result for the year takes its latest result after the baseline
  year and not after the report's year; ``resultado_anio`` is the year of the result used.
* **semáforo** — ``sin_informacion`` (no row, ``ND``/``pendiente``, no value, no
  reference, or reference and result both 0 when ``cero_cero_sin_informacion``);
  else ``no_aplica`` for an indicator without a better direction (``sentido: no_aplica``), else
  ``con_avance`` / ``sin_avance`` / ``igual`` by the difference in the indicator's direction against
  ``tolerancia_igual``.
* **avance hacia la meta** — (resultado − referencia) / (meta − referencia) × 100;
  undefined when the meta equals the reference or the semáforo is ``sin_informacion``.
* **avance esperado** — where a straight path from the baseline year to the target year
  stands in the year of the result: (resultado_anio − linea_base_anio) / (meta_anio − linea_base_anio) × 100,
  capped at 100; undefined when ``meta_anio ≤ linea_base_anio``. When the programme set an interim target
  for the year of the result (``metas.csv``: ``meta_intermedia``), the path goes through it instead:
  (meta_intermedia − referencia) / (meta − referencia) × 100, capped at 100; undefined when the target
  equals the reference.
* **trayectoria** — the result against that path (ratio = avance hacia la meta / avance
  esperado): ``meta_alcanzada`` (avance ≥ 100), ``en_trayectoria`` (ratio ≥ 0.95),
  ``avance_moderado`` (0.5 ≤ ratio < 0.95), ``avance_limitado`` (0 ≤ ratio < 0.5),
  ``retroceso`` (avance < 0), ``sin_informacion`` (avance or avance esperado undefined, or
  avance esperado 0). The two thresholds are year parameters (``umbral_en_trayectoria``,
  ``umbral_avance_moderado``). An indicator without a target is ``sin_meta``; one without a better
  direction (and with a target) ``no_aplica``.
"""

from __future__ import annotations

import math

import pandas as pd

from informe.datos.parametros import engine_defaults
from informe.valores import is_missing

STATUSES = ("con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica")
LABELS = {"con_avance": "Con avance", "sin_avance": "Sin avance", "igual": "Igual",
          "sin_informacion": "Sin información", "no_aplica": "No aplica"}
#: Statuses that the report's summaries show only when some indicator has them (the CSVs always have them).
WHEN_PRESENT = ("no_aplica", "sin_meta")
EPSILON = 1e-9  # float noise when comparing against the tolerance and the thresholds

#: Trajectory statuses toward the target, best first, and their labels in the report.
TRAJECTORIES = ("meta_alcanzada", "en_trayectoria", "avance_moderado", "avance_limitado", "retroceso",
                "sin_informacion", "no_aplica", "sin_meta")
TRAJECTORY_LABELS = {"meta_alcanzada": "Meta alcanzada", "en_trayectoria": "En trayectoria",
                     "avance_moderado": "Avance moderado", "avance_limitado": "Avance limitado",
                     "retroceso": "Retroceso", "sin_informacion": "Sin información", "no_aplica": "No aplica",
                     "sin_meta": "Sin meta"}

EXPORT_COLUMNS = [
    "indicador_id", "objetivo_id", "estrategia_id", "nombre", "sentido", "unidad_medida",
    "linea_base_anio", "linea_base_valor", "resultado_anio", "resultado_valor", "estado",
    "meta_anio", "meta_valor", "semaforo", "avance_meta_pct", "avance_esperado_pct", "trayectoria",
    "fuente", "nota",  # appended: the 17 columns before them keep their positions
    "meta_intermedia", "programa_id",  # contract v3, appended likewise
    "ped_eje",  # the objective's axis of the state development plan (the state's view)
]
SUMMARY_COLUMNS = ["objetivo_id", "indicadores", *STATUSES]


def row_value(row: dict, unidad_medida: str) -> float | None:
    """The value of one resultados row: numerador/denominador when both given, else valor."""
    num, den = row.get("numerador"), row.get("denominador")
    if not is_missing(num) and not is_missing(den) and den != 0:
        return float(num) / float(den) * (100.0 if str(unidad_medida).strip().lower() == "porcentaje" else 1.0)
    valor = row.get("valor")
    return None if is_missing(valor) else float(valor)


def semaforo(reference: float | None, result: float | None, sentido: str, *,
             tolerancia_igual: float = 0.01, cero_cero_sin_informacion: bool = True,
             estado: str | None = None) -> str:
    """Status of one result against its reference (see module docstring)."""
    if not is_missing(estado) or is_missing(reference) or is_missing(result):
        return "sin_informacion"
    if cero_cero_sin_informacion and reference == 0 and result == 0:
        return "sin_informacion"
    if sentido == "no_aplica":
        return "no_aplica"
    diff = float(result) - float(reference)
    if sentido == "descendente":
        diff = -diff
    if abs(diff) <= tolerancia_igual + EPSILON:
        return "igual"
    return "con_avance" if diff > 0 else "sin_avance"


def avance_meta(reference: float | None, result: float | None, meta: float | None) -> float | None:
    """Progress from the reference toward the target, in percent; None when undefined."""
    if is_missing(reference) or is_missing(result) or is_missing(meta) or math.isclose(meta, reference):
        return None
    return (float(result) - float(reference)) / (float(meta) - float(reference)) * 100.0


def avance_esperado(year: int, linea_base_anio: int, meta_anio: int) -> float | None:
    """Expected progress in ``year`` on a straight path from the baseline year to the target year, in
    percent (capped at 100); None when the target year is not after the baseline year."""
    if is_missing(linea_base_anio) or is_missing(meta_anio) or int(meta_anio) <= int(linea_base_anio):
        return None
    return min(100.0, (int(year) - int(linea_base_anio)) / (int(meta_anio) - int(linea_base_anio)) * 100.0)


def avance_esperado_intermedio(reference: float | None, meta_intermedia: float | None,
                               meta: float | None) -> float | None:
    """Expected progress toward the target at an interim target, in percent (capped at 100); None when undefined
    (no reference, or a target equal to the reference)."""
    if is_missing(meta_intermedia):
        return None
    progress = avance_meta(reference, meta_intermedia, meta)
    return None if progress is None else min(100.0, progress)


def trayectoria(avance_meta_pct: float | None, avance_esperado_pct: float | None, *,
                umbral_en_trayectoria: float = 0.95, umbral_avance_moderado: float = 0.5) -> str:
    """Trajectory status of a result toward its target (see the module docstring)."""
    if is_missing(avance_meta_pct) or is_missing(avance_esperado_pct) or avance_esperado_pct <= 0:
        return "sin_informacion"
    avance = float(avance_meta_pct)
    if avance >= 100.0 - EPSILON:
        return "meta_alcanzada"
    if avance < -EPSILON:
        return "retroceso"
    ratio = avance / float(avance_esperado_pct)
    if ratio >= umbral_en_trayectoria - EPSILON:
        return "en_trayectoria"
    if ratio >= umbral_avance_moderado - EPSILON:
        return "avance_moderado"
    return "avance_limitado"


def _result_rows(resultados: pd.DataFrame) -> dict[tuple[str, int], dict]:
    return {(r["indicador_id"], int(r["anio"])): r for r in resultados.to_dict("records")}


#: Frequencies measured less often than yearly: without a result for the report's year, the latest one counts.
CARRIED = ("bienal", "trienal", "quinquenal", "sexenal", "irregular")


def _measured(row: dict | None, unit: str) -> float | None:
    """The result of a resultados row, or None when it has none (no row, a status, no value)."""
    if row is None or not is_missing(row.get("estado")):
        return None
    return row_value(row, unit)


def _latest(resultados: pd.DataFrame, cards: list[dict], year: int) -> dict[str, dict]:
    """{indicador_id: its latest row with a result after its baseline year and not after ``year``}, for the
    cards of a frequency in :data:`CARRIED`."""
    units = {c["indicador_id"]: (c["unidad_medida"], int(c["linea_base_anio"])) for c in cards
             if str(c.get("frecuencia")) in CARRIED}
    if not units:
        return {}
    latest: dict[str, dict] = {}
    rows = resultados[resultados["indicador_id"].isin(list(units)) & (resultados["anio"] <= year)]
    for row in rows.sort_values("anio").to_dict("records"):
        unit, base_year = units[row["indicador_id"]]
        if int(row["anio"]) > base_year and _measured(row, unit) is not None:
            latest[row["indicador_id"]] = row
    return latest


def year_table(ds, year: int, params: dict | None = None) -> pd.DataFrame:
    """:func:`indicator_table` of a :class:`~informe.datos.conjunto.Dataset` (with its interim targets and
    programmes): what every part of the report uses."""
    return indicator_table(ds.indicadores, ds.resultados, year, params, metas=ds.metas, objetivos=ds.objetivos)


def indicator_table(indicadores: pd.DataFrame, resultados: pd.DataFrame, year: int,
                    params: dict | None = None, *, metas: pd.DataFrame | None = None,
                    objetivos: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator for ``year``: reference, result, semáforo and progress.

    ``metas``: the interim targets (``metas.csv``, typed); ``objetivos``: the objectives, for their
    ``programa_id``. Columns: the contract's export columns (``fuente``: the year's row ``fuente`` when
    given, else the card's; ``nota``: the year's row ``nota``), then helpers for the report:
    ``referencia_origen`` (resultados / cedula / None), ``referencia_decimales``,
    ``resultado_decimales``, ``meta_decimales``, ``meta_intermedia_decimales``.
    """
    options = {**engine_defaults(), **{k: v for k, v in (params or {}).items() if k in engine_defaults()}}
    thresholds = {k: options.pop(k) for k in ("umbral_en_trayectoria", "umbral_avance_moderado")}
    # only the rows of the years looked up below (the year and the cards' baseline years)
    years = {int(year), *(int(y) for y in indicadores["linea_base_anio"].dropna().unique())}
    rows = _result_rows(resultados[resultados["anio"].isin(years)])
    cards = indicadores.to_dict("records")
    carried = _latest(resultados, cards, int(year))
    interim = {} if metas is None or metas.empty else {
        (iid, int(anio)): (float(value), places) for iid, anio, value, places in
        zip(metas["indicador_id"], metas["anio"], metas["meta_valor"], metas["meta_valor_decimales"])}
    programmes = {} if objetivos is None or "programa_id" not in objetivos else {
        int(o): p for o, p in zip(objetivos["objetivo_id"], objetivos["programa_id"]) if not is_missing(p)}
    axes = {} if objetivos is None or "ped_eje" not in objetivos else {
        int(o): str(e).strip() for o, e in zip(objetivos["objetivo_id"], objetivos["ped_eje"])
        if not is_missing(e) and str(e).strip()}
    out = []
    for card in cards:
        iid, unit = card["indicador_id"], card["unidad_medida"]
        base_row = rows.get((iid, int(card["linea_base_anio"])))
        reference, origin, ref_decimals = None, None, None
        if base_row is not None and is_missing(base_row.get("estado")):
            reference = row_value(base_row, unit)
            if reference is not None:
                origin, ref_decimals = "resultados", base_row.get("valor_decimales")
        if reference is None and not is_missing(card.get("linea_base_valor")):
            reference, origin = float(card["linea_base_valor"]), "cedula"
            ref_decimals = card.get("linea_base_valor_decimales")
        row = rows.get((iid, year))
        if iid in carried and _measured(row, unit) is None:  # measured less often: its latest result
            row = carried[iid]
        result_year = int(row["anio"]) if row is not None else int(year)
        result = row_value(row, unit) if row is not None else None
        estado = None if row is None or is_missing(row.get("estado")) else str(row["estado"])
        if estado is not None:
            result = None
        status = semaforo(reference, result, card["sentido"], estado=estado, **options)
        meta = None if is_missing(card.get("meta_valor")) else float(card["meta_valor"])
        progress = None if status == "sin_informacion" else avance_meta(reference, result, meta)
        meta_intermedia, interim_decimals = interim.get((iid, result_year), (None, None))
        expected = (avance_esperado(result_year, card["linea_base_anio"], card["meta_anio"])
                    if meta_intermedia is None else avance_esperado_intermedio(reference, meta_intermedia, meta))
        meta_year = None if is_missing(card.get("meta_anio")) else int(card["meta_anio"])
        out.append({
            "indicador_id": iid,
            "objetivo_id": int(card["objetivo_id"]),
            "estrategia_id": card.get("estrategia_id"),
            "nombre": card["nombre"],
            "sentido": card["sentido"],
            "unidad_medida": unit,
            "linea_base_anio": int(card["linea_base_anio"]),
            "linea_base_valor": reference,
            "resultado_anio": result_year,
            "resultado_valor": result,
            "estado": estado,
            "meta_anio": meta_year,
            "meta_valor": meta,
            "semaforo": status,
            "avance_meta_pct": progress,
            "avance_esperado_pct": expected,
            "trayectoria": "sin_meta" if meta is None else "no_aplica" if card["sentido"] == "no_aplica"
            else trayectoria(progress, expected, **thresholds),
            "fuente": card.get("fuente") if row is None or is_missing(row.get("fuente")) else str(row["fuente"]),
            "nota": None if row is None or is_missing(row.get("nota")) else str(row["nota"]),
            "meta_intermedia": meta_intermedia,
            "programa_id": programmes.get(int(card["objetivo_id"])),
            "ped_eje": axes.get(int(card["objetivo_id"])),
            "referencia_origen": origin,
            "referencia_decimales": None if is_missing(ref_decimals) else int(ref_decimals),
            "resultado_decimales": None if row is None or is_missing(row.get("valor_decimales"))
            or not is_missing(row.get("numerador")) else int(row["valor_decimales"]),
            "meta_decimales": None if is_missing(card.get("meta_valor_decimales"))
            else int(card["meta_valor_decimales"]),
            "meta_intermedia_decimales": None if is_missing(interim_decimals) else int(interim_decimals),
        })
    table = pd.DataFrame(out)
    for col in ("linea_base_valor", "resultado_valor", "meta_valor", "avance_meta_pct", "avance_esperado_pct",
                "meta_intermedia"):
        table[col] = pd.to_numeric(table[col]).astype("Float64")
    for col in ("referencia_decimales", "resultado_decimales", "meta_decimales", "meta_anio",
                "meta_intermedia_decimales"):
        table[col] = table[col].astype("Int64")
    for col in ("estrategia_id", "estado", "referencia_origen", "nota", "programa_id", "ped_eje"):
        table[col] = table[col].astype("string")
    return table


def _counts(table: pd.DataFrame, column: str, codes: tuple[str, ...], objetivo_ids: list[int] | None) -> pd.DataFrame:
    """Indicators per objective and per code of ``column``, plus a ``total`` row (integer counts)."""
    ids = sorted(set(objetivo_ids or []) | set(table["objetivo_id"].astype(int)))
    counts = pd.crosstab(table["objetivo_id"], table[column]).reindex(index=ids, columns=list(codes), fill_value=0)
    counts.insert(0, "indicadores", counts.sum(axis=1))
    counts.loc["total"] = counts.sum()
    out = counts.reset_index().rename(columns={"index": "objetivo_id"})
    out.columns.name = None
    out["objetivo_id"] = out["objetivo_id"].astype(str)
    columns = ["objetivo_id", "indicadores", *codes]
    return out[columns].astype({c: "int64" for c in columns[1:]})


def summary(table: pd.DataFrame, objetivo_ids: list[int] | None = None) -> pd.DataFrame:
    """Counts per objective plus a ``total`` row: indicadores and one column per semáforo status (always all of
    them: ``no_aplica`` too)."""
    return _counts(table, "semaforo", STATUSES, objetivo_ids)


def trajectory_summary(table: pd.DataFrame, objetivo_ids: list[int] | None = None) -> pd.DataFrame:
    """Counts per objective plus a ``total`` row: indicadores and one column per trajectory status
    (``no_aplica`` and ``sin_meta`` only when some indicator has them)."""
    return _counts(table, "trayectoria", shown(TRAJECTORIES, set(table["trayectoria"])), objetivo_ids)


def shown(codes: tuple[str, ...], present) -> tuple[str, ...]:
    """The status ``codes`` a summary shows: all of them but those of :data:`WHEN_PRESENT` not in ``present``
    (the codes some indicator has)."""
    return tuple(c for c in codes if c not in WHEN_PRESENT or c in present)


SUBTOTAL = "subtotal:"  # objetivo_id of a programme's subtotal row: SUBTOTAL + programa_id


def with_subtotals(counts: pd.DataFrame, objetivos: pd.DataFrame, programas: pd.DataFrame) -> pd.DataFrame:
    """A :func:`summary` or :func:`trajectory_summary` with, when the agency reports on two or more programmes,
    each programme's objectives followed by its subtotal row (``objetivo_id`` :data:`SUBTOTAL` + ``programa_id``),
    in the order of ``programas``, before the ``total`` row; unchanged otherwise."""
    if len(programas) < 2:
        return counts
    owner = dict(zip(objetivos["objetivo_id"].astype(str), objetivos["programa_id"]))
    rows = counts[counts["objetivo_id"] != "total"]
    parts = []
    for pid in programas["programa_id"]:
        own = rows[rows["objetivo_id"].map(owner) == pid]
        subtotal = own.drop(columns="objetivo_id").sum().to_frame().T.astype(own.dtypes.drop("objetivo_id").to_dict())
        parts += [own, subtotal.assign(objetivo_id=SUBTOTAL + str(pid))[counts.columns]]
    return pd.concat([*parts, counts[counts["objetivo_id"] == "total"]], ignore_index=True)


def series(indicadores: pd.DataFrame, resultados: pd.DataFrame) -> pd.DataFrame:
    """Every year of every indicator (long format): indicador_id, objetivo_id, nombre, anio, valor, estado, nota.

    ``valor`` is resolved the same way as the year's result (:func:`row_value`: numerador/denominador first),
    column by column (50,000 rows in a few milliseconds).
    """
    cards = indicadores.set_index("indicador_id")
    ids = resultados["indicador_id"]
    estado = resultados["estado"].astype(object).where(resultados["estado"].notna(), None)
    percent = ids.map(cards["unidad_medida"]).astype(str).str.strip().str.lower().eq("porcentaje")
    num = resultados["numerador"].astype(float)
    den = resultados["denominador"].astype(float)
    ratio = num.notna() & den.notna() & (den != 0)
    valor = (num / den * percent.map({True: 100.0, False: 1.0})).where(ratio, resultados["valor"].astype(float))
    nota = resultados["nota"].astype(object).where(resultados["nota"].notna(), None)
    frame = pd.DataFrame({
        "indicador_id": ids.tolist(),
        "objetivo_id": ids.map(cards["objetivo_id"]).astype(int).tolist(),
        "nombre": ids.map(cards["nombre"]).tolist(),
        "anio": resultados["anio"].astype(int).tolist(),
        "valor": valor.where(estado.isna()).tolist(),
        "estado": [None if e is None else str(e) for e in estado],
        "nota": [None if n is None else str(n) for n in nota],
    }, columns=["indicador_id", "objetivo_id", "nombre", "anio", "valor", "estado", "nota"])
    frame["valor"] = pd.to_numeric(frame["valor"]).astype("Float64")
    order = {iid: i for i, iid in enumerate(indicadores["indicador_id"])}
    return (frame.assign(_o=frame["indicador_id"].map(order))
            .sort_values(["_o", "anio"]).drop(columns="_o").reset_index(drop=True))


def series_wide(long: pd.DataFrame) -> pd.DataFrame:
    """Indicators as rows, years as columns (for trend tables)."""
    wide = long.pivot(index="indicador_id", columns="anio", values="valor")
    order = list(dict.fromkeys(long["indicador_id"]))
    return wide.reindex(order)
