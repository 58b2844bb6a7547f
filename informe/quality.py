"""Data-quality notes: generic rules that surface inconsistencies without changing any figure.

Each rule looks at the data of one directory and one year; none knows about a
particular indicator. The published 2023 report keeps its inconsistencies as
published; these findings are what the report and ``informe validate`` show.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from . import engine, narrative
from .load import Dataset
from .params import engine_defaults
from .values import is_missing

NARRATIVE_TOLERANCE = 0.1   # "38.8 %" in a text matches a published 38.89
NUMBER = r"(\d+(?:\.\d+)?)"
TRANSITION = re.compile(rf"\bde\s+{NUMBER}\s*%\s+a\s+(?:un\s+|una\s+)?{NUMBER}\s*%", re.IGNORECASE)
COUNT_WORDS = {"uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
               "ocho": 8, "nueve": 9, "diez": 10}
COUNT = re.compile(r"\b(\d+|" + "|".join(COUNT_WORDS) + r")\s+(objetivos|estrategias)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One data-quality note. ``rule`` is a stable code; ``message`` is Spanish."""

    rule: str
    message: str
    file: str
    line: int | None = None
    indicador_id: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", línea {self.line}" if self.line else "")
        return f"{where}: {self.message}"


def _num(x: float) -> str:
    return f"{x:g}"


def _rows_by_key(ds: Dataset) -> dict[tuple[str, int], dict]:
    return {(r["indicador_id"], int(r["anio"])): r for r in ds.resultados.to_dict("records")}


def _card_line(ds: Dataset, iid: str) -> int | None:
    return ds.line_of("indicadores.csv", ds.raw["indicadores.csv"]["indicador_id"] == iid)


def _result_line(ds: Dataset, iid: str, year: int) -> int | None:
    raw = ds.raw["resultados.csv"]
    return ds.line_of("resultados.csv", (raw["indicador_id"] == iid) & (raw["anio"] == str(year)))


def baseline_rules(ds: Dataset, year: int, tolerance: float) -> list[Finding]:
    """Card baseline vs the baseline-year row: value mismatch, N/A with a row, year without a row."""
    rows = _rows_by_key(ds)
    found = []
    for card in ds.indicadores.to_dict("records"):
        iid, base_year, name = card["indicador_id"], int(card["linea_base_anio"]), card["nombre"]
        row = rows.get((iid, base_year))
        row_value = None if row is None else engine.row_value(row, card["unidad_medida"])
        card_value = card["linea_base_valor"]
        line = _card_line(ds, iid)
        if row_value is not None and not is_missing(card_value) and abs(row_value - card_value) > tolerance:
            found.append(Finding(
                "linea_base_distinta",
                f"«{name}» ({iid}): la cédula declara línea base {base_year} = {_num(card_value)}, pero "
                f"resultados.csv publica {_num(row_value)} para {base_year}; el semáforo usa {_num(row_value)}.",
                "indicadores.csv", line, iid))
        if row_value is not None and is_missing(card_value):
            found.append(Finding(
                "linea_base_na_con_dato",
                f"«{name}» ({iid}): la cédula dice línea base N/A, pero resultados.csv tiene "
                f"{_num(row_value)} para {base_year}; el semáforo usa {_num(row_value)}.",
                "indicadores.csv", line, iid))
        if row_value is None and is_missing(card_value):
            found.append(Finding(
                "sin_referencia",
                f"«{name}» ({iid}): no tiene línea base (la cédula dice N/A y resultados.csv no tiene "
                f"{base_year}); su semáforo será «Sin información».", "indicadores.csv", line, iid))
        if row is None:
            earlier = sorted(a for (i, a) in rows if i == iid and a < year and a != base_year)
            if earlier:
                found.append(Finding(
                    "anio_linea_base",
                    f"«{name}» ({iid}): la cédula declara la línea base en {base_year}, pero resultados.csv "
                    f"no tiene ese año y sí tiene {', '.join(map(str, earlier))}; el semáforo usa el valor de "
                    f"la cédula ({_num(card_value) if not is_missing(card_value) else 'N/A'}).",
                    "indicadores.csv", line, iid))
    return found


def name_rules(ds: Dataset) -> list[Finding]:
    """Two indicators with the same name in one objective; table name different from the card's."""
    found = []
    ind = ds.indicadores
    for (obj, name), group in ind.groupby(["objetivo_id", "nombre"], sort=False):
        if len(group) > 1:
            ids = list(group["indicador_id"])
            found.append(Finding(
                "nombre_repetido",
                f"Objetivo {obj}: {len(ids)} indicadores se llaman «{name}» ({', '.join(ids)}); "
                "el lector no puede distinguirlos en la tabla de resultados.",
                "indicadores.csv", _card_line(ds, ids[1]), ids[1]))
    if "nombre_cedula" in ind:
        for card in ind.to_dict("records"):
            other = card["nombre_cedula"]
            if not is_missing(other) and other.strip().casefold() != card["nombre"].strip().casefold():
                found.append(Finding(
                    "nombre_distinto_cedula",
                    f"{card['indicador_id']}: la tabla de resultados lo llama «{card['nombre']}» y la "
                    f"cédula «{other}».", "indicadores.csv", _card_line(ds, card["indicador_id"]),
                    card["indicador_id"]))
    return found


def result_rules(ds: Dataset, year: int, table: pd.DataFrame, params: dict) -> list[Finding]:
    """Indicators without a result for the year, zero-zero results, undefined progress, ND with value."""
    rows = _rows_by_key(ds)
    found = []
    for item in table.to_dict("records"):
        iid, name = item["indicador_id"], item["nombre"]
        row = rows.get((iid, year))
        if row is None:
            found.append(Finding("sin_resultado", f"«{name}» ({iid}): no tiene fila de resultados para {year}.",
                                 "resultados.csv", None, iid))
            continue
        line = _result_line(ds, iid, year)
        if not is_missing(row.get("estado")) and not is_missing(row.get("valor")):
            found.append(Finding("estado_con_valor",
                                 f"«{name}» ({iid}): el estado es {row['estado']} pero trae valor "
                                 f"{_num(row['valor'])}; el valor no se usa.", "resultados.csv", line, iid))
        elif is_missing(row.get("estado")) and is_missing(item["resultado_valor"]):
            found.append(Finding("sin_resultado", f"«{name}» ({iid}): la fila de {year} no tiene valor ni "
                                 "estado (ND o pendiente).", "resultados.csv", line, iid))
        if (params.get("cero_cero_sin_informacion", True) and item["linea_base_valor"] == 0
                and item["resultado_valor"] == 0 and is_missing(row.get("estado"))):
            found.append(Finding("cero_cero",
                                 f"«{name}» ({iid}): línea base y resultado {year} son 0; se reporta como "
                                 "«Sin información» (medición no iniciada).", "resultados.csv", line, iid))
        if (not is_missing(item["linea_base_valor"]) and not is_missing(item["meta_valor"])
                and math.isclose(item["linea_base_valor"], item["meta_valor"])):
            found.append(Finding("meta_igual_referencia",
                                 f"«{name}» ({iid}): la meta es igual a la línea base; el avance hacia la "
                                 "meta no se puede calcular.", "indicadores.csv", _card_line(ds, iid), iid))
    return found


def narrative_rules(ds: Dataset, year: int, table: pd.DataFrame) -> list[Finding]:
    """Counts and "de X % a Y %" statements in the narrative that disagree with the data."""
    found = []
    counts = {"objetivos": len(ds.objetivos), "estrategias": len(ds.estrategias)}
    measured = table.dropna(subset=["linea_base_valor", "resultado_valor"])
    measured = measured[measured["unidad_medida"].str.lower() == "porcentaje"]  # the texts quote "X %"
    for file, text in narrative.year_texts(ds.path, year).items():
        for match in COUNT.finditer(text):
            raw, what = match.group(1).lower(), match.group(2).lower()
            said = int(raw) if raw.isdigit() else COUNT_WORDS[raw]
            if said != counts[what]:
                found.append(Finding(
                    "narrativa_conteo",
                    f"la narrativa dice «{match.group(0)}», pero los datos tienen {counts[what]} {what}.",
                    file, text[: match.start()].count("\n") + 1))
        for match in TRANSITION.finditer(text):
            before, after = float(match.group(1)), float(match.group(2))
            for item in measured.to_dict("records"):
                ref, res = item["linea_base_valor"], item["resultado_valor"]
                if abs(res - after) >= NARRATIVE_TOLERANCE:
                    continue
                if abs(ref - before) >= NARRATIVE_TOLERANCE or abs(res - after) > 0.005:
                    found.append(Finding(
                        "narrativa_cifra",
                        f"la narrativa dice «{match.group(0)}», pero «{item['nombre']}» "
                        f"({item['indicador_id']}) va de {_num(ref)} % a {_num(res)} % en los datos.",
                        file, text[: match.start()].count("\n") + 1, item["indicador_id"]))
    return found


def actions_rules(ds: Dataset, year: int) -> list[Finding]:
    """acciones.md: a heading for a strategy that does not exist; a strategy without actions."""
    actions = narrative.acciones(ds.path, year)
    if actions is None:
        return []
    file = f"narrativa/{year}/acciones.md"
    known = [str(s) for s in ds.estrategias["estrategia_id"]]
    found = [Finding("acciones_estrategia_desconocida",
                     f"el encabezado «{sid}» no corresponde a ninguna estrategia de estrategias.csv; sus "
                     "acciones no aparecen en el informe.", file) for sid in actions if sid not in known]
    found += [Finding("estrategia_sin_acciones",
                      f"la estrategia {sid} no tiene acciones realizadas en {file} "
                      f"(agregue «## Estrategia {sid}» y su lista).", file)
              for sid in known if not actions.get(sid)]
    return found


def findings(ds: Dataset, year: int, params: dict | None = None) -> list[Finding]:
    """Every data-quality note for ``year`` (order: cards, names, results, narrative)."""
    params = params or {}
    tolerance = params.get("tolerancia_igual", engine_defaults()["tolerancia_igual"])
    table = engine.indicator_table(ds.indicadores, ds.resultados, year, params)
    return (baseline_rules(ds, year, tolerance) + name_rules(ds)
            + result_rules(ds, year, table, params) + narrative_rules(ds, year, table)
            + actions_rules(ds, year))
