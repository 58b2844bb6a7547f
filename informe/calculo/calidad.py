"""Data-quality notes: generic rules that surface inconsistencies without changing any figure.

Each rule looks at the data of one directory and one year; none knows about a
particular indicator. The published 2023 report keeps its inconsistencies as
published.

:func:`findings` speaks to whoever edits the data: rule code, file, line and column
(``informe validar`` prints them). The same facts, for an evaluator who reads the report, are
:mod:`informe.reporte.revision` (rules in :data:`EDITOR_ONLY` stay out of it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from informe import formato
from informe.calculo import motor
from informe.datos import narrativa
from informe.datos.conjunto import Dataset
from informe.datos.entradas import unknown_files
from informe.datos.lectura import parse_yaml
from informe.datos.parametros import engine_defaults
from informe.valores import is_missing

NARRATIVE_TOLERANCE = 0.1   # "38.8 %" in a text matches a published 38.89
NUMBER = r"(\d+(?:\.\d+)?)"
TRANSITION = re.compile(rf"\bde\s+{NUMBER}\s*%\s+a\s+(?:un\s+|una\s+)?{NUMBER}\s*%", re.IGNORECASE)
COUNT_WORDS = {"uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
               "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
               "quince": 15, "dieciséis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20}
COUNT = re.compile(r"\b(\d+|" + "|".join(sorted(COUNT_WORDS, key=len, reverse=True)) +
                   r")\s+(objetivos|estrategias|indicadores)\b", re.IGNORECASE)


def stated_counts(text: str) -> list[tuple[re.Match, str, int]]:
    """Each count of objectives, strategies or indicators a text states («4 objetivos», «doce
    indicadores»): (match, what, number)."""
    found = []
    for match in COUNT.finditer(text or ""):
        raw = match.group(1).lower()
        found.append((match, match.group(2).lower(), int(raw) if raw.isdigit() else COUNT_WORDS[raw]))
    return found


@dataclass(frozen=True)
class Finding:
    """One data-quality note. ``rule`` is a stable code; ``message`` is Spanish."""

    rule: str
    message: str
    file: str
    line: int | None = None
    indicador_id: str | None = None
    #: What the reviewer document needs to explain the finding (figures as the report prints them,
    #: the place in the report of a narrative statement...). Not part of equality.
    detalle: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    column: str | None = None  # the column of the cell, when the note is about one

    def __str__(self) -> str:
        where = self.file + (f", línea {self.line}" if self.line else "") + (
            f", columna «{self.column}»" if self.column else "")
        return f"{where}: {self.message}"


def _num(x: float) -> str:
    return f"{x:g}"


def show_value(value, unit, decimals=None) -> str:
    """A figure as the report prints it (es-MX, published precision, "%" for porcentaje)."""
    return "N/A" if is_missing(value) else formato.value(value, unit, None if is_missing(decimals) else decimals)


class _Results:
    """resultados.csv indexed by (indicador_id, anio) in one pass.

    A rule asks for the rows it needs (a few per indicator); they are materialised in one
    batch, so no rule scans every row once per indicator and memory stays flat.
    """

    def __init__(self, ds: Dataset):
        self.frame = ds.resultados
        self.position: dict[tuple[str, int], int] = {}
        for i, key in enumerate(zip(self.frame["indicador_id"].tolist(), self.frame["anio"].tolist())):
            self.position[(key[0], int(key[1]))] = i  # the last row of a key, as a dict of every row would
        self._years: dict[str, list[int]] | None = None

    def rows(self, keys) -> dict[tuple[str, int], dict]:
        """{key: row as a dict} for the keys that have a row."""
        keys = [k for k in dict.fromkeys(keys) if k in self.position]
        records = self.frame.iloc[[self.position[k] for k in keys]].to_dict("records") if keys else []
        return dict(zip(keys, records))

    def years(self, iid: str) -> list[int]:
        """The years with a row for ``iid``."""
        if self._years is None:
            self._years = {}
            for i, a in self.position:
                self._years.setdefault(i, []).append(a)
        return self._years.get(iid, [])


def _card_lines(ds: Dataset) -> dict[str, int]:
    """{indicador_id: row of its card in indicadores.csv}."""
    return {key[0]: line for key, line in ds.lines_by("indicadores.csv", "indicador_id").items()}


def baseline_rules(ds: Dataset, year: int, tolerance: float) -> list[Finding]:
    """Card baseline vs the baseline-year row: value mismatch, N/A with a row, year without a row."""
    results = _Results(ds)
    cards = ds.indicadores.to_dict("records")
    rows = results.rows((card["indicador_id"], int(card["linea_base_anio"])) for card in cards)
    card_lines = _card_lines(ds)
    found = []
    for card in cards:
        iid, base_year, name = card["indicador_id"], int(card["linea_base_anio"]), card["nombre"]
        row = rows.get((iid, base_year))
        row_value = None if row is None else motor.row_value(row, card["unidad_medida"])
        card_value = card["linea_base_valor"]
        line = card_lines.get(iid)
        unit = card["unidad_medida"]
        if not (row is None or is_missing(card_value) or row_value is None
                or abs(row_value - card_value) > tolerance):
            continue  # no rule below can fire: skip formatting this card's figures (keeps 50,000 rows fast)
        shown = {"anio": base_year,
                 "cedula": show_value(card_value, unit, card.get("linea_base_valor_decimales")),
                 "tabla": None if row_value is None else show_value(
                     row_value, unit, row.get("valor_decimales") if is_missing(row.get("numerador")) else None)}
        if row_value is not None and not is_missing(card_value) and abs(row_value - card_value) > tolerance:
            found.append(Finding(
                "linea_base_distinta",
                f"«{name}» ({iid}): la cédula declara línea base {base_year} = {_num(card_value)}, pero "
                f"resultados.csv publica {_num(row_value)} para {base_year}; el semáforo usa {_num(row_value)}.",
                "indicadores.csv", line, iid, shown))
        if row_value is not None and is_missing(card_value):
            found.append(Finding(
                "linea_base_na_con_dato",
                f"«{name}» ({iid}): la cédula dice línea base N/A, pero resultados.csv tiene "
                f"{_num(row_value)} para {base_year}; el semáforo usa {_num(row_value)}.",
                "indicadores.csv", line, iid, shown))
        if row_value is None and is_missing(card_value):
            found.append(Finding(
                "sin_referencia",
                f"«{name}» ({iid}): no tiene línea base (la cédula dice N/A y resultados.csv no tiene "
                f"{base_year}); su semáforo será «Sin información».", "indicadores.csv", line, iid, shown))
        if row is None:
            earlier = sorted(a for a in results.years(iid) if a < year and a != base_year)
            if earlier:
                before = results.rows((iid, a) for a in earlier)
                others = [(a, show_value(motor.row_value(before[(iid, a)], unit), unit,
                                    before[(iid, a)].get("valor_decimales"))) for a in earlier]
                found.append(Finding(
                    "anio_linea_base",
                    f"«{name}» ({iid}): la cédula declara la línea base en {base_year}, pero resultados.csv "
                    f"no tiene ese año y sí tiene {', '.join(map(str, earlier))}; el semáforo usa el valor de "
                    f"la cédula ({_num(card_value) if not is_missing(card_value) else 'N/A'}).",
                    "indicadores.csv", line, iid, {**shown, "otros_anios": others}))
    return found


def name_rules(ds: Dataset) -> list[Finding]:
    """Two indicators with the same name in one objective; table name different from the card's."""
    found = []
    ind = ds.indicadores
    card_lines = _card_lines(ds)
    repeated = ind[ind.duplicated(["objetivo_id", "nombre"], keep=False)]  # only the groups of 2 or more
    for (obj, name), group in repeated.groupby(["objetivo_id", "nombre"], sort=False):
        if len(group) > 1:
            ids = list(group["indicador_id"])
            found.append(Finding(
                "nombre_repetido",
                f"Objetivo {obj}: {len(ids)} indicadores se llaman «{name}» ({', '.join(ids)}); "
                "el lector no puede distinguirlos en la tabla de resultados.",
                "indicadores.csv", card_lines.get(ids[1]), ids[1],
                {"objetivo_id": int(obj), "nombre": name, "ids": ids}))
    if "nombre_cedula" in ind:
        for card in ind.to_dict("records"):
            other = card["nombre_cedula"]
            if not is_missing(other) and other.strip().casefold() != card["nombre"].strip().casefold():
                found.append(Finding(
                    "nombre_distinto_cedula",
                    f"{card['indicador_id']}: la tabla de resultados lo llama «{card['nombre']}» y la "
                    f"cédula «{other}».", "indicadores.csv", card_lines.get(card["indicador_id"]),
                    card["indicador_id"], {"tabla": card["nombre"], "cedula": other}))
    return found


def result_rules(ds: Dataset, year: int, table: pd.DataFrame, params: dict) -> list[Finding]:
    """Indicators without a result for the year, zero-zero results, undefined progress, ND with value."""
    items = table.to_dict("records")
    rows = _Results(ds).rows((item["indicador_id"], year) for item in items)
    card_lines = _card_lines(ds)
    result_lines = ds.lines_by("resultados.csv", "indicador_id", "anio")
    found = []
    for item in items:
        iid, name = item["indicador_id"], item["nombre"]
        row = rows.get((iid, year))
        if row is None and item["resultado_anio"] != year:  # measured less often: its latest result counts
            continue
        if row is None:
            found.append(Finding("sin_resultado", f"«{name}» ({iid}): no tiene fila de resultados para {year}.",
                                 "resultados.csv", None, iid, {"fila": False}))
            continue
        line = result_lines.get((iid, str(year)))
        if not is_missing(row.get("estado")) and not is_missing(row.get("valor")):
            found.append(Finding("estado_con_valor",
                                 f"«{name}» ({iid}): el estado es {row['estado']} pero trae valor "
                                 f"{_num(row['valor'])}; el valor no se usa.", "resultados.csv", line, iid,
                                 {"estado": str(row["estado"]),
                                  "valor": show_value(row["valor"], item["unidad_medida"], row.get("valor_decimales"))}))
        elif is_missing(row.get("estado")) and is_missing(item["resultado_valor"]):
            found.append(Finding("sin_resultado", f"«{name}» ({iid}): la fila de {year} no tiene valor ni "
                                 "estado (ND o pendiente).", "resultados.csv", line, iid, {"fila": True}))
        if (params.get("cero_cero_sin_informacion", True) and item["linea_base_valor"] == 0
                and item["resultado_valor"] == 0 and is_missing(row.get("estado"))):
            found.append(Finding("cero_cero",
                                 f"«{name}» ({iid}): línea base y resultado {year} son 0; se reporta como "
                                 "«Sin información» (medición no iniciada).", "resultados.csv", line, iid,
                                 {"cero": show_value(0, item["unidad_medida"])}))
        if (not is_missing(item["linea_base_valor"]) and not is_missing(item["meta_valor"])
                and math.isclose(item["linea_base_valor"], item["meta_valor"])):
            found.append(Finding("meta_igual_referencia",
                                 f"«{name}» ({iid}): la meta es igual a la línea base; el avance hacia la "
                                 "meta no se puede calcular.", "indicadores.csv", card_lines.get(iid), iid,
                                 {"meta": show_value(item["meta_valor"], item["unidad_medida"], item["meta_decimales"]),
                                  "referencia": show_value(item["linea_base_valor"], item["unidad_medida"],
                                                      item["referencia_decimales"])}))
    return found


def published_rules(ds: Dataset, year: int, table: pd.DataFrame, params: dict) -> list[Finding]:
    """Each indicator and year up to ``year`` whose ``semaforo_publicado`` (what a publication printed) differs
    from the semáforo these data give for that year (``table``: the indicator table of ``year``)."""
    res = ds.resultados
    if "semaforo_publicado" not in res:
        return []
    published = res[res["semaforo_publicado"].notna() & (res["anio"] <= year)]
    lines = ds.lines_by("resultados.csv", "indicador_id", "anio")
    labels = motor.LABELS
    found = []
    for anio in sorted(published["anio"].unique()):
        of_year = table if anio == year else motor.year_table(ds, int(anio), params)
        of_year = of_year.set_index("indicador_id")
        for row in published[published["anio"] == anio].to_dict("records"):
            iid, said = row["indicador_id"], str(row["semaforo_publicado"])
            computed = str(of_year.loc[iid, "semaforo"])
            if said != computed:
                found.append(Finding(
                    "semaforo_distinto", f"«{of_year.loc[iid, 'nombre']}» ({iid}): la publicación dice "
                    f"«{labels[said]}» para {anio} y con estos datos el semáforo es «{labels[computed]}».",
                    "resultados.csv",
                    lines.get((iid, str(anio))), iid,
                    {"anio": int(anio), "publicado": labels[said], "calculado": labels[computed]},
                    column="semaforo_publicado"))
    return found


#: What a suspicious zero is asked (``informe validar``), as the contract words it.
ZERO_QUESTION = "¿0 o sin medición? Si no se midió, use «estado: ND»."


def zero_rules(ds: Dataset, year: int, table: pd.DataFrame) -> list[Finding]:
    """Results that are exactly 0 where 0 is unlikely to be a measurement: the year's result when its
    reference is not 0, and any result up to the year between two non-zero results of the indicator
    (a 0 written where nothing was measured otherwise reads as a real change, and moves the semáforo).
    Column by column: only the zeros found are looked at one by one."""
    series = motor.series(ds.indicadores, ds.resultados)
    series = series[(series["anio"] <= year) & series["valor"].notna()].reset_index(drop=True)
    by_indicator = series.groupby("indicador_id", sort=False)
    before, after = by_indicator["valor"].shift(1), by_indicator["valor"].shift(-1)
    between = series[((series["valor"] == 0) & (before != 0) & (after != 0)).fillna(False)].index  # NA: no neighbour
    zeros: dict[str, dict[int, str]] = {}
    cards = table.set_index("indicador_id")
    for i in between:  # rows i - 1 and i + 1 are its neighbours: same indicator, sorted by year
        iid = series.at[i, "indicador_id"]
        unit = cards.at[iid, "unidad_medida"]
        zeros.setdefault(iid, {})[int(series.at[i, "anio"])] = (
            f"entre {show_value(series.at[i - 1, 'valor'], unit)} ({series.at[i - 1, 'anio']}) y "
            f"{show_value(series.at[i + 1, 'valor'], unit)} ({series.at[i + 1, 'anio']})")
    measured_zero = table[(table["resultado_valor"] == 0) & table["linea_base_valor"].notna()
                          & (table["linea_base_valor"] != 0)]
    for item in measured_zero.to_dict("records"):  # the year's own zero is said against its reference
        reference = show_value(item["linea_base_valor"], item["unidad_medida"], item["referencia_decimales"])
        zeros.setdefault(item["indicador_id"], {})[year] = f"con línea base {reference} ({item['linea_base_anio']})"
    lines = ds.lines_by("resultados.csv", "indicador_id", "anio") if zeros else {}
    found = []
    for item in table[table["indicador_id"].isin(list(zeros))].to_dict("records"):
        iid = item["indicador_id"]
        for anio, motivo in sorted(zeros[iid].items()):
            found.append(Finding("cero_sospechoso", f"«{item['nombre']}» ({iid}): el resultado {anio} es 0, {motivo}. "
                                 + ZERO_QUESTION, "resultados.csv", lines.get((iid, str(anio))), iid,
                                 {"anio": anio, "motivo": motivo, "cero": show_value(0, item["unidad_medida"])},
                                 column="valor"))
    return found


def narrative_rules(ds: Dataset, year: int, table: pd.DataFrame) -> list[Finding]:
    """Counts and "de X % a Y %" statements in the narrative that disagree with the data."""
    found = []
    counts = {"objetivos": len(ds.objetivos), "estrategias": len(ds.estrategias)}
    measured = table.dropna(subset=["linea_base_valor", "resultado_valor"])
    measured = measured[measured["unidad_medida"].str.lower() == "porcentaje"]  # the texts quote "X %"
    measured_items = None  # built at the first «de X % a Y %» statement
    for file, text in narrativa.year_texts(ds.path, year).items():
        for match, what, said in stated_counts(text):
            if what in counts and said != counts[what]:  # «N indicadores» may count a subset («retrocesos en dos»)
                found.append(Finding(
                    "narrativa_conteo",
                    f"la narrativa dice «{match.group(0)}», pero los datos tienen {counts[what]} {what}.",
                    file, text[: match.start()].count("\n") + 1, None,
                    {"cita": match.group(0), "que": what, "datos": counts[what],
                     "lugar": report_place(ds, file, text, match.start())}))
        for match in TRANSITION.finditer(text):
            before, after = float(match.group(1)), float(match.group(2))
            if measured_items is None:
                measured_items = measured.to_dict("records")
            for item in measured_items:
                ref, res = item["linea_base_valor"], item["resultado_valor"]
                if abs(res - after) >= NARRATIVE_TOLERANCE:
                    continue
                if abs(ref - before) >= NARRATIVE_TOLERANCE or abs(res - after) > 0.005:
                    found.append(Finding(
                        "narrativa_cifra",
                        f"la narrativa dice «{match.group(0)}», pero «{item['nombre']}» "
                        f"({item['indicador_id']}) va de {_num(ref)} % a {_num(res)} % en los datos.",
                        file, text[: match.start()].count("\n") + 1, item["indicador_id"],
                        {"cita": match.group(0), "lugar": report_place(ds, file, text, match.start())}))
    return found


PROJECT_KEY = re.compile(r"^\s*-?\s*proyecto\s*:\s*(.+?)\s*$")


def report_place(ds: Dataset, file: str, text: str, pos: int) -> tuple[int, str | None]:
    """Where the report prints the narrative text at ``pos`` of ``file``: (section number, detail).

    ``acciones.md`` is printed in section VII under its objective and strategy (the
    ``## Estrategia X`` heading above ``pos``); ``proyectos.yaml`` in section VIII under
    its project.
    """
    name = Path(file).name
    above = text[:pos].splitlines()
    if name == "acciones.md":
        for line in reversed(above):
            match = narrativa.HEADING.match(line)
            if match:
                sid = narrativa.STRATEGY_ID.search(match.group(1))
                sid = sid.group(1) if sid else match.group(1)
                known = ds.estrategias[ds.estrategias["estrategia_id"].astype(str) == sid]
                if known.empty:
                    return 7, f"acciones realizadas bajo el encabezado «{match.group(1)}»"
                return 7, f"Objetivo {int(known['objetivo_id'].iloc[0])}, acciones realizadas de la estrategia {sid}"
        return 7, "acciones realizadas"
    if name == "proyectos.yaml":
        for line in reversed(above):
            match = PROJECT_KEY.match(line)
            if match:
                try:
                    project = parse_yaml(match.group(1))[0]
                except (yaml.YAMLError, RecursionError):
                    project = match.group(1)
                return 8, f"proyecto «{str(project).strip()}»"
        return 8, None
    return NARRATIVE_SECTIONS.get(name, (None, None))


NARRATIVE_SECTIONS = {"introduccion.md": (1, None), "resumen_ejecutivo.md": (6, None)}


def actions_rules(ds: Dataset, year: int) -> list[Finding]:
    """acciones.md: a heading for a strategy that does not exist; a strategy without actions."""
    actions = narrativa.acciones(ds.path, year)
    if actions is None:
        return []
    file = f"narrativa/{year}/acciones.md"
    known = [str(s) for s in ds.estrategias["estrategia_id"]]
    found = [Finding("acciones_estrategia_desconocida",
                     f"el encabezado «{sid}» no corresponde a ninguna estrategia de estrategias.csv; sus "
                     "acciones no aparecen en el informe.", file, detalle={"estrategia": sid})
             for sid in actions if sid not in known]
    found += [Finding("estrategia_sin_acciones",
                      f"la estrategia {sid} no tiene acciones realizadas en {file} "
                      f"(agregue «## Estrategia {sid}» y su lista).", file, detalle={"estrategia": sid})
              for sid in known if not actions.get(sid)]
    return found


#: Notes for whoever edits the data files only: they say nothing of the report (the review leaves them out).
EDITOR_ONLY = frozenset({"archivo_desconocido"})


def file_rules(ds: Dataset) -> list[Finding]:
    """Every file or folder of the data folder that the contract does not know (it is not read: said, not
    ignored in silence), with the name it most likely meant."""
    found = []
    for name, meant in unknown_files(ds.path):
        what = "esta carpeta" if name.endswith("/") else "este archivo"
        fix = (f"; ¿quiso decir «{meant}»? Cámbiele el nombre." if meant else
               "; si es suyo puede quedarse; si es de datos, vea los nombres en docs/contrato-de-datos.md.")
        found.append(Finding("archivo_desconocido", f"el programa no lee {what}: no es parte del contrato de "
                             f"datos{fix}", name))
    return found


def findings(ds: Dataset, year: int, params: dict | None = None) -> list[Finding]:
    """Every data-quality note for ``year`` (order: cards, names, results, narrative)."""
    params = params or {}
    tolerance = params.get("tolerancia_igual", engine_defaults()["tolerancia_igual"])
    table = motor.year_table(ds, year, params)
    return (baseline_rules(ds, year, tolerance) + name_rules(ds)
            + result_rules(ds, year, table, params) + zero_rules(ds, year, table)
            + published_rules(ds, year, table, params) + narrative_rules(ds, year, table)
            + actions_rules(ds, year) + file_rules(ds))
