"""Data-quality notes: generic rules that surface inconsistencies without changing any figure.

Each rule looks at the data of one directory and one year; none knows about a
particular indicator. The published 2023 report keeps its inconsistencies as
published.

Two audiences:

* :func:`findings` — for whoever edits the data: rule code, file and line
  (``informe validar`` prints them).
* :func:`review` — for an evaluator who reads the report: one row per fact (the same
  statement found in several places is one row), in plain Spanish, indicators by
  name, places as report sections. :func:`write_review` writes it as a standalone
  HTML document (``templates/secciones/calidad_documento.html.j2``) and
  :func:`review_section` as a fragment for the report (``calidad_seccion.html.j2``).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import engine, fmt, narrative
from .load import Dataset, parse_yaml
from .params import ROMAN, engine_defaults
from .values import is_missing

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

    def __str__(self) -> str:
        where = self.file + (f", línea {self.line}" if self.line else "")
        return f"{where}: {self.message}"


def _num(x: float) -> str:
    return f"{x:g}"


def _show(value, unit, decimals=None) -> str:
    """A figure as the report prints it (es-MX, published precision, "%" for porcentaje)."""
    return "N/A" if is_missing(value) else fmt.value(value, unit, None if is_missing(decimals) else decimals)


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
        row_value = None if row is None else engine.row_value(row, card["unidad_medida"])
        card_value = card["linea_base_valor"]
        line = card_lines.get(iid)
        unit = card["unidad_medida"]
        if not (row is None or is_missing(card_value) or row_value is None
                or abs(row_value - card_value) > tolerance):
            continue  # no rule below can fire: skip formatting this card's figures (keeps 50,000 rows fast)
        shown = {"anio": base_year,
                 "cedula": _show(card_value, unit, card.get("linea_base_valor_decimales")),
                 "tabla": None if row_value is None else _show(
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
                others = [(a, _show(engine.row_value(before[(iid, a)], unit), unit,
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
                                  "valor": _show(row["valor"], item["unidad_medida"], row.get("valor_decimales"))}))
        elif is_missing(row.get("estado")) and is_missing(item["resultado_valor"]):
            found.append(Finding("sin_resultado", f"«{name}» ({iid}): la fila de {year} no tiene valor ni "
                                 "estado (ND o pendiente).", "resultados.csv", line, iid, {"fila": True}))
        if (params.get("cero_cero_sin_informacion", True) and item["linea_base_valor"] == 0
                and item["resultado_valor"] == 0 and is_missing(row.get("estado"))):
            found.append(Finding("cero_cero",
                                 f"«{name}» ({iid}): línea base y resultado {year} son 0; se reporta como "
                                 "«Sin información» (medición no iniciada).", "resultados.csv", line, iid,
                                 {"cero": _show(0, item["unidad_medida"])}))
        if (not is_missing(item["linea_base_valor"]) and not is_missing(item["meta_valor"])
                and math.isclose(item["linea_base_valor"], item["meta_valor"])):
            found.append(Finding("meta_igual_referencia",
                                 f"«{name}» ({iid}): la meta es igual a la línea base; el avance hacia la "
                                 "meta no se puede calcular.", "indicadores.csv", card_lines.get(iid), iid,
                                 {"meta": _show(item["meta_valor"], item["unidad_medida"], item["meta_decimales"]),
                                  "referencia": _show(item["linea_base_valor"], item["unidad_medida"],
                                                      item["referencia_decimales"])}))
    return found


def narrative_rules(ds: Dataset, year: int, table: pd.DataFrame) -> list[Finding]:
    """Counts and "de X % a Y %" statements in the narrative that disagree with the data."""
    found = []
    counts = {"objetivos": len(ds.objetivos), "estrategias": len(ds.estrategias)}
    measured = table.dropna(subset=["linea_base_valor", "resultado_valor"])
    measured = measured[measured["unidad_medida"].str.lower() == "porcentaje"]  # the texts quote "X %"
    measured_items = None  # built at the first «de X % a Y %» statement
    for file, text in narrative.year_texts(ds.path, year).items():
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
            match = narrative.HEADING.match(line)
            if match:
                sid = narrative.STRATEGY_ID.search(match.group(1))
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
    actions = narrative.acciones(ds.path, year)
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


def findings(ds: Dataset, year: int, params: dict | None = None) -> list[Finding]:
    """Every data-quality note for ``year`` (order: cards, names, results, narrative)."""
    params = params or {}
    tolerance = params.get("tolerancia_igual", engine_defaults()["tolerancia_igual"])
    table = engine.indicator_table(ds.indicadores, ds.resultados, year, params)
    return (baseline_rules(ds, year, tolerance) + name_rules(ds)
            + result_rules(ds, year, table, params) + narrative_rules(ds, year, table)
            + actions_rules(ds, year))


# ----------------------------------------------------------------------------- reviewer document
#
# ``findings`` speaks to whoever edits the data files (rule, file, line). ``review`` speaks to an
# evaluator who only has the published report: one row per fact, in plain Spanish, with the
# indicators named as the report names them and the places given as report sections.

#: Topics of the reviewer document, in the order it lists them.
TEMAS = ("Nombre del indicador", "Línea base", "Resultado del año", "Meta", "Narrativa", "Acciones realizadas")

#: The topic of each rule (every rule code of this module).
TEMA_DE_REGLA = {
    "nombre_repetido": "Nombre del indicador",
    "nombre_distinto_cedula": "Nombre del indicador",
    "linea_base_distinta": "Línea base",
    "linea_base_na_con_dato": "Línea base",
    "sin_referencia": "Línea base",
    "anio_linea_base": "Línea base",
    "sin_resultado": "Resultado del año",
    "estado_con_valor": "Resultado del año",
    "cero_cero": "Resultado del año",
    "meta_igual_referencia": "Meta",
    "narrativa_conteo": "Narrativa",
    "narrativa_cifra": "Narrativa",
    "acciones_estrategia_desconocida": "Acciones realizadas",
    "estrategia_sin_acciones": "Acciones realizadas",
}

REVIEW_COLUMNS = ["tema", "hallazgo", "donde", "revisar"]
#: Section titles used for places when the year's parameters do not give them (``secciones``).
SECTION_TITLES = {1: "Introducción", 6: "Resumen ejecutivo", 7: "Operación de la estrategia",
                  8: "Proyectos estratégicos", 10: "Anexos"}
ORDINALS = ("primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno", "décimo")
NUMBER_WORDS = {2: "dos", 3: "tres", 4: "cuatro", 5: "cinco", 6: "seis", 7: "siete", 8: "ocho", 9: "nueve"}
TABLE = "tabla «Impacto de las acciones»"


@dataclass(frozen=True)
class Hallazgo:
    """One fact of the reviewer document; ``lugares`` are places in the report, in report order."""

    tema: str
    hallazgo: str
    lugares: tuple[str, ...]
    revisar: str

    @property
    def donde(self) -> str:
        return "; ".join(self.lugares)


def _y(items) -> str:
    """["a", "b", "c"] -> "a, b y c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " y " + items[-1]


def _ordinal(k: int) -> str:
    return ORDINALS[k] if k < len(ORDINALS) else f"número {k + 1}"


def _name_difference(table_name: str, card_name: str) -> str | None:
    """The words in which two names differ ("la tabla dice «x» donde la cédula dice «y»"), if they are close."""
    a, b = table_name.split(), card_name.split()
    matcher = difflib.SequenceMatcher(None, [w.casefold() for w in a], [w.casefold() for w in b], autojunk=False)
    if matcher.ratio() < 0.6:
        return None
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        x, y = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "replace":
            parts.append(f"la tabla dice «{x}» donde la cédula dice «{y}»")
        elif tag == "delete":
            parts.append(f"la tabla dice «{x}», que la cédula no tiene")
        elif tag == "insert":
            parts.append(f"la cédula agrega «{y}»")
    return _y(parts) if parts else None


class _Reviewer:
    """Turns the findings of one year into :class:`Hallazgo` entries (one per fact)."""

    def __init__(self, ds: Dataset, year: int, params: dict | None):
        self.ds, self.year, self.params = ds, year, params or {}
        self.cards = {c["indicador_id"]: c for c in ds.indicadores.to_dict("records")}
        self.order = list(self.cards)
        table = engine.indicator_table(ds.indicadores, ds.resultados, year, self.params)
        self.table = {r["indicador_id"]: r for r in table.to_dict("records")}
        titles = self.params.get("secciones")
        self.titles = {**SECTION_TITLES, **(titles if isinstance(titles, dict) else {})}

    # places ---------------------------------------------------------------------------
    def place(self, section: int | None, detail: str | None = None) -> str:
        if section is None:
            return "Narrativa del año" + (f", {detail}" if detail else "")
        if section == 7 and detail:
            return f"VII. {detail}"
        return f"{ROMAN[section]}. {self.titles.get(section, '')}".rstrip() + (f", {detail}" if detail else "")

    def table_place(self, iid: str) -> str:
        return self.place(7, f"Objetivo {int(self.cards[iid]['objetivo_id'])}, {TABLE}")

    def card_place(self, plural: bool = False) -> str:
        return self.place(10, "cédulas de los indicadores" if plural else "cédula del indicador")

    @staticmethod
    def ordered(places) -> tuple[str, ...]:
        """Unique places in report order (section number, then first appearance)."""
        unique = list(dict.fromkeys(places))
        number = {v: k for k, v in ROMAN.items()}
        return tuple(sorted(unique, key=lambda p: number.get(p.split(".", 1)[0], 99)))

    # names and figures ------------------------------------------------------------------
    def same_name(self, iid: str) -> list[str]:
        card = self.cards[iid]
        return [i for i in self.order if self.cards[i]["objetivo_id"] == card["objetivo_id"]
                and self.cards[i]["nombre"] == card["nombre"]]

    def card_name(self, iid: str) -> str | None:
        other = self.cards[iid].get("nombre_cedula")
        if is_missing(other) or str(other).strip().casefold() == str(self.cards[iid]["nombre"]).strip().casefold():
            return None
        return str(other)

    def name(self, iid: str) -> str:
        """«name», with what tells it apart when another indicator of its objective has the same name."""
        card = self.cards[iid]
        same = self.same_name(iid)
        if len(same) < 2:
            return f"«{card['nombre']}»"
        extra = f"el {_ordinal(same.index(iid))} con ese nombre en el objetivo {int(card['objetivo_id'])}"
        if self.card_name(iid):
            extra += f"; su cédula lo titula «{self.card_name(iid)}»"
        return f"«{card['nombre']}» ({extra})"

    def path(self, iid: str) -> str:
        """"va de 26.6% (2022) a 38.89% (2023)", as the results table prints it."""
        item = self.table[iid]
        unit = item["unidad_medida"]
        ref = _show(item["linea_base_valor"], unit, item["referencia_decimales"])
        if not is_missing(item["estado"]):
            res = "N/D" if item["estado"] == "ND" else str(item["estado"])
        elif is_missing(item["resultado_valor"]):
            res = "sin dato"
        else:
            res = _show(item["resultado_valor"], unit, item["resultado_decimales"])
        return f"va de {ref} ({item['linea_base_anio']}) a {res} ({self.year})"

    # grouping -----------------------------------------------------------------------------
    def entries(self, found: list[Finding]) -> list[Hallazgo]:
        repeated = {i: ("nombre", tuple(f.detalle["ids"])) for f in found if f.rule == "nombre_repetido"
                    for i in f.detalle["ids"]}
        groups: dict[tuple, list[Finding]] = {}
        for f in found:
            if f.rule in ("nombre_repetido", "nombre_distinto_cedula"):
                key = repeated.get(f.indicador_id, ("nombre", (f.indicador_id,)))
            elif f.rule == "narrativa_conteo":
                key = (f.rule, f.detalle["que"])
            elif f.rule in ("acciones_estrategia_desconocida", "estrategia_sin_acciones"):
                key = (f.rule, f.detalle["estrategia"])
            else:
                key = (f.rule, f.indicador_id)
            groups.setdefault(key, []).append(f)
        out = []
        for key, group in groups.items():
            build = getattr(self, "_" + ("nombre" if key[0] == "nombre" else group[0].rule))
            out.append(build(group))
        rank = {t: i for i, t in enumerate(TEMAS)}
        return sorted(out, key=lambda h: rank[h.tema])

    def _entry(self, rule: str, hallazgo: str, places, revisar: str) -> Hallazgo:
        return Hallazgo(TEMA_DE_REGLA[rule], hallazgo, self.ordered(places), revisar)

    # one builder per rule (the group's findings share the fact) -------------------------------
    def _nombre(self, group: list[Finding]) -> Hallazgo:
        repeated = [f for f in group if f.rule == "nombre_repetido"]
        if repeated:
            d = repeated[0].detalle
            ids = list(d["ids"])
            count = NUMBER_WORDS.get(len(ids), str(len(ids)))
            paths = "; ".join(f"el {_ordinal(k)} {self.path(i)}" for k, i in enumerate(ids))
            text = (f"En la tabla de resultados del objetivo {d['objetivo_id']}, {count} indicadores se llaman "
                    f"igual, «{d['nombre']}»: {paths}. El lector no puede distinguirlos.")
            titled = [f"la del {_ordinal(k)} lo titula «{self.card_name(i)}»" for k, i in enumerate(ids)
                      if self.card_name(i)]
            if titled:
                text += f" En las cédulas, {_y(titled)}."
            return self._entry("nombre_repetido", text, [self.table_place(ids[0]), self.card_place(plural=True)],
                               "Confirme el nombre oficial de cada indicador y corrija la fuente para que cada uno "
                               "tenga un nombre propio, escrito igual en la tabla de resultados y en su cédula.")
        f = group[0]
        d = f.detalle
        text = f"La tabla de resultados llama al indicador «{d['tabla']}» y su cédula «{d['cedula']}»"
        difference = _name_difference(d["tabla"], d["cedula"])
        text += f": {difference}." if difference else "."
        return self._entry(f.rule, text, [self.table_place(f.indicador_id), self.card_place()],
                           "Confirme el nombre oficial del indicador y escríbalo igual en la tabla de resultados "
                           "y en la cédula.")

    def _linea_base_distinta(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        return self._entry(
            f.rule,
            f"La cédula de {self.name(f.indicador_id)} declara una línea base {d['anio']} de {d['cedula']}, pero la "
            f"tabla de resultados publica {d['tabla']} para {d['anio']}; el semáforo se calcula con {d['tabla']}.",
            [self.table_place(f.indicador_id), self.card_place()],
            f"Confirme cuál es la línea base {d['anio']} correcta y corrija la cédula o la tabla de resultados "
            "en la fuente.")

    def _linea_base_na_con_dato(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        return self._entry(
            f.rule,
            f"La cédula de {self.name(f.indicador_id)} dice que la línea base {d['anio']} es N/A (no aplica), pero "
            f"la tabla de resultados publica {d['tabla']} para {d['anio']}; el semáforo se calcula con {d['tabla']}.",
            [self.table_place(f.indicador_id), self.card_place()],
            f"Confirme si el indicador tiene línea base {d['anio']}: si la tiene, anótela en la cédula; si no, "
            "quite el valor de la tabla de resultados.")

    def _sin_referencia(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        return self._entry(
            f.rule,
            f"El indicador {self.name(f.indicador_id)} no tiene línea base: la cédula dice N/A y la tabla de "
            f"resultados no publica valor para {d['anio']}; por eso su semáforo es «Sin información».",
            [self.table_place(f.indicador_id), self.card_place()],
            f"Obtenga la línea base {d['anio']} del indicador y regístrela en la cédula o en la tabla de "
            "resultados.")

    def _anio_linea_base(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        others = _y([f"{a} ({v})" for a, v in d["otros_anios"]])
        return self._entry(
            f.rule,
            f"La cédula de {self.name(f.indicador_id)} fecha su línea base en {d['anio']} ({d['cedula']}), pero la "
            f"tabla de resultados no publica dato de {d['anio']} y sí de {others}; el semáforo se calcula con el "
            "valor de la cédula.",
            [self.table_place(f.indicador_id), self.card_place()],
            "Confirme el año de la línea base y use el mismo en la cédula y en la tabla de resultados.")

    def _sin_resultado(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        if f.detalle.get("fila"):
            text = (f"El resultado {self.year} de {self.name(f.indicador_id)} está vacío y no se marca como no "
                    "disponible (N/D) ni como pendiente; su semáforo es «Sin información».")
        else:
            text = (f"La tabla de resultados no tiene resultado {self.year} para {self.name(f.indicador_id)}; "
                    "su semáforo es «Sin información».")
        return self._entry(f.rule, text, [self.table_place(f.indicador_id)],
                           f"Registre el resultado {self.year} del indicador o márquelo como no disponible (N/D) "
                           "o pendiente en la fuente.")

    def _estado_con_valor(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        label = "N/D" if d["estado"] == "ND" else d["estado"]
        return self._entry(
            f.rule,
            f"El resultado {self.year} de {self.name(f.indicador_id)} está marcado como {label} y además trae el "
            f"valor {d['valor']}; el informe muestra {label} y no usa ese valor.",
            [self.table_place(f.indicador_id)],
            f"Confirme si el resultado {self.year} ya está disponible: si lo está, quite la marca {label}; si no, "
            "borre el valor.")

    def _cero_cero(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        zero = f.detalle["cero"]
        base_year = self.table[f.indicador_id]["linea_base_anio"]
        return self._entry(
            f.rule,
            f"El indicador {self.name(f.indicador_id)} tiene {zero} como línea base ({base_year}) y como resultado "
            f"{self.year}; el informe lo presenta con semáforo «Sin información», como medición no iniciada.",
            [self.table_place(f.indicador_id)],
            f"Confirme si la medición del indicador ya comenzó. Si el {zero} es un resultado medido, el semáforo "
            "debería compararlo con la línea base en lugar de mostrar «Sin información».")

    def _meta_igual_referencia(self, group: list[Finding]) -> Hallazgo:
        f = group[0]
        d = f.detalle
        meta_year = int(self.cards[f.indicador_id]["meta_anio"])
        return self._entry(
            f.rule,
            f"La meta {meta_year} de {self.name(f.indicador_id)} ({d['meta']}) es igual a su línea base "
            f"({d['referencia']}); el avance hacia la meta no se puede calcular y aparece como N/D.",
            [self.table_place(f.indicador_id), self.card_place()],
            "Confirme la meta y la línea base del indicador en la cédula y en la tabla de resultados.")

    def _narrativa_cifra(self, group: list[Finding]) -> Hallazgo:
        iid = group[0].indicador_id
        quotes = _y([f"«{q}»" for q in dict.fromkeys(f.detalle["cita"] for f in group)])
        places = [self.place(*f.detalle["lugar"]) for f in group]
        many = len(set(places)) > 1
        return self._entry(
            "narrativa_cifra",
            f"La narrativa dice {quotes}; la cifra parece referirse a {self.name(iid)}, que en la tabla de "
            f"resultados {self.path(iid)}.",
            places + [self.table_place(iid)],
            "Confirme las cifras correctas y use las mismas en la narrativa y en la tabla de resultados"
            + (f"; el texto aparece en {len(set(places))} lugares del informe." if many else "."))

    def _narrativa_conteo(self, group: list[Finding]) -> Hallazgo:
        d = group[0].detalle
        quotes = _y([f"«{q}»" for q in dict.fromkeys(f.detalle["cita"] for f in group)])
        how_many = "cuántas" if d["que"] == "estrategias" else "cuántos"
        return self._entry(
            "narrativa_conteo",
            f"La narrativa dice {quotes}, pero el informe presenta {d['datos']} {d['que']} en la sección VII.",
            [self.place(*f.detalle["lugar"]) for f in group],
            f"Confirme {how_many} {d['que']} tiene el programa y corrija la narrativa o los datos en la fuente.")

    def _acciones_estrategia_desconocida(self, group: list[Finding]) -> Hallazgo:
        sid = group[0].detalle["estrategia"]
        return self._entry(
            "acciones_estrategia_desconocida",
            f"Hay acciones realizadas registradas bajo la estrategia «{sid}», que no existe en el programa; esas "
            "acciones no aparecen en el informe.",
            [self.place(7, "Acciones realizadas (esas acciones no aparecen)")],
            "Corrija el número de estrategia de esas acciones o agregue la estrategia al programa en la fuente.")

    def _estrategia_sin_acciones(self, group: list[Finding]) -> Hallazgo:
        sid = group[0].detalle["estrategia"]
        row = self.ds.estrategias[self.ds.estrategias["estrategia_id"].astype(str) == sid].iloc[0]
        return self._entry(
            "estrategia_sin_acciones",
            f"La estrategia {sid} («{row['nombre']}») no tiene acciones realizadas registradas; el informe la "
            "muestra sin acciones.",
            [self.place(7, f"Objetivo {int(row['objetivo_id'])}, acciones realizadas de la estrategia {sid}")],
            f"Registre las acciones realizadas de la estrategia {sid} en la narrativa del año.")


def review_entries(ds: Dataset, year: int, params: dict | None = None) -> list[Hallazgo]:
    """The reviewer document's entries: one per fact, ordered by :data:`TEMAS`."""
    return _Reviewer(ds, year, params).entries(findings(ds, year, params))


def review(ds: Dataset, year: int, params: dict | None = None) -> pd.DataFrame:
    """The data-quality findings for an evaluator: one row per fact, in plain Spanish.

    Columns: ``tema`` (ordered categorical, categories :data:`TEMAS`), ``hallazgo`` (what
    disagrees with what, indicators by name, figures as the report prints them), ``donde``
    (the places in the report, "; "-separated, in report order) and ``revisar`` (what to
    check at the source). The same fact found in several places is one row.
    """
    entries = review_entries(ds, year, params)
    frame = pd.DataFrame({
        "tema": pd.Categorical([e.tema for e in entries], categories=list(TEMAS), ordered=True),
        "hallazgo": pd.Series([e.hallazgo for e in entries], dtype="string"),
        "donde": pd.Series([e.donde for e in entries], dtype="string"),
        "revisar": pd.Series([e.revisar for e in entries], dtype="string"),
    })
    return frame[REVIEW_COLUMNS]


def _title(year: int, params: dict | None) -> str:
    title = (params or {}).get("titulo") or f"Informe Anual de Resultados {year}"
    return str(title).replace("{anio}", str(year))


def review_section(ds: Dataset, year: int, params: dict | None = None) -> str:
    """The entries as an HTML fragment for the official report (``calidad_seccion.html.j2``)."""
    from . import present

    return present.render("calidad_seccion.html.j2", hallazgos=review_entries(ds, year, params), anio=year)


def review_document(ds: Dataset, year: int, params: dict | None = None, *, dependencia: str) -> str:
    """The standalone reviewer document (``calidad_documento.html.j2``), with the report's stylesheet inlined."""
    from markupsafe import Markup

    from . import present

    css = present.stylesheet()
    if "</" in css:  # the stylesheet is inlined raw in <style>; it must not be able to close it
        raise ValueError("la hoja de estilos no puede contener «</».")
    html = present.render("calidad_documento.html.j2", hallazgos=review_entries(ds, year, params),
                          anio=year, dependencia=dependencia, titulo=_title(year, params), css=Markup(css))
    return html if html.endswith("\n") else html + "\n"


def write_review(ds: Dataset, year: int, params: dict | None, path: Path | str, *, dependencia: str) -> Path:
    """Write the reviewer document to ``path`` atomically (mode 0644); same data, same bytes."""
    from .files import write_text_atomic

    return write_text_atomic(Path(path), review_document(ds, year, params, dependencia=dependencia))
