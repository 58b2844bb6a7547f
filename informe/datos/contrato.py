"""The data contract (``shared/design/data-contract.md``) as pandera schemas.

pandera is used because the contract is about pandas tables: each column's
rules are declared next to the column, ``lazy=True`` collects *every* failing
cell in one pass, and each failure comes back with its column, row and value,
which is what a Spanish message naming file, line and column needs.
Rules that span files (an id that must exist elsewhere) are built into the
schemas as ``isin`` checks over the ids actually present.
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from informe.datos.lectura import LINE, header_problems, unknown_keys, yaml_line
from informe.problemas import Problem

SENTIDOS = ("ascendente", "descendente", "no_aplica")
FRECUENCIAS = ("anual", "semestral", "trimestral", "mensual", "bienal", "trienal", "quinquenal", "sexenal", "irregular")
ESTADOS = ("ND", "pendiente")
#: The kinds of programme an agency reports on (``programas.csv``).
TIPOS_PROGRAMA = ("sectorial", "institucional", "especial", "regional")
#: What a publication printed as an indicator's semáforo (``semaforo_publicado``, compared, never printed).
SEMAFOROS = ("con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica")
VALUE_TOLERANCE = 0.01  # valor vs numerador/denominador

#: Only the ASCII digits 0-9 are digits: Python's \d also matches «２５» or «٢٥», which pandas then
#: fails to convert, so such a figure used to pass validation and vanish.
NUMBER = r"^[-+]?([0-9]+(\.[0-9]+)?|\.[0-9]+)$"
INTEGER = r"^[0-9]+$"
YEAR = r"^[0-9]{4}$"

#: The contract's columns of each CSV (data/README.md), in the documented order, and those that
#: may be absent. A column not listed is an extra column, which the contract allows
#: (see lectura.header_problems).
COLUMNS: dict[str, list[str]] = {
    "objetivos.csv": ["objetivo_id", "nombre", "programa_id", "ped_eje"],
    "estrategias.csv": ["estrategia_id", "objetivo_id", "nombre"],
    "indicadores.csv": [
        "indicador_id", "objetivo_id", "estrategia_id", "nombre", "nombre_cedula", "objetivo_cedula",
        "objetivo_indicador", "descripcion", "metodo_calculo", "sentido", "frecuencia", "unidad_medida", "fuente",
        "unidad_responsable", "unidad_ejecutora", "referencia_adicional", "nota_cedula", "linea_base_anio",
        "linea_base_valor", "meta_anio", "meta_valor"],
    "resultados.csv": ["indicador_id", "anio", "valor", "numerador", "denominador", "estado", "nota", "fuente",
                       "semaforo_publicado"],
    "metas.csv": ["indicador_id", "anio", "meta_valor"],
    "programas.csv": ["programa_id", "nombre", "tipo"],
}
OPTIONAL_COLUMNS: dict[str, set[str]] = {
    "objetivos.csv": {"programa_id", "ped_eje"},  # programa_id: required when programas.csv exists (_programme_rule)
    "indicadores.csv": {"estrategia_id", "nombre_cedula", "objetivo_cedula", "objetivo_indicador", "descripcion",
                        "metodo_calculo", "unidad_responsable", "unidad_ejecutora", "referencia_adicional",
                        "nota_cedula", "linea_base_valor", "meta_anio", "meta_valor"},
    "resultados.csv": {"valor", "numerador", "denominador", "estado", "nota", "fuente", "semaforo_publicado"},
}

#: dependencia.yaml: the text keys (the first two required) and the lists of people.
DEPENDENCIA_TEXTS = ("nombre", "gobierno", "siglas", "lema", "mision", "vision")
DEPENDENCIA_PEOPLE = ("directorio", "enlaces")
PERSON_KEYS = ("nombre", "cargo")

DIGITS = "escrito con las cifras 0-9"
EXPECT_NUMBER = f"se esperaba un número {DIGITS}, con punto decimal y sin separador de miles (p. ej. 38.89)"
EXPECT_YEAR = f"se esperaba un año de cuatro cifras {DIGITS} (p. ej. 2023)"
EXPECT_POSITIVE = f"se esperaba un número entero mayor o igual que 1, {DIGITS}"
TOO_BIG = ("el número es demasiado grande para calcular con él (pasa de 1.8 × 10^308); revise que no tenga "
           "cifras de más")
TOO_SMALL = ("el número es tan cercano a 0 que al calcular con él vale 0 (menos de 5 × 10^-324); revise que no "
             "tenga ceros de más después del punto")
EXPECT_ID = "se esperaba un identificador con solo letras, dígitos, «-» o «_» (p. ej. OM-1-01)"


def _text(nullable: bool = False, checks=None, required: bool = True) -> pa.Column:
    return pa.Column(object, nullable=nullable, required=required, checks=checks or [], coerce=False)


def _in(values, message: str | None = None) -> pa.Check:
    return pa.Check.isin(list(values), error=message or f"se esperaba uno de: {', '.join(values)}")


def _as_float(text: pd.Series) -> pd.Series:
    """The float of each text that is a number; NaN for the rest (which the pattern reports)."""
    text = text.astype("string")
    return pd.to_numeric(text.where(text.str.fullmatch(NUMBER, na=False)), errors="coerce").astype(float)


def _fits(text: pd.Series) -> pd.Series:
    """False where a number overflows a double to infinity."""
    return ~np.isinf(_as_float(text))


def _not_vanishing(text: pd.Series) -> pd.Series:
    """False where a number with a digit other than 0 underflows a double to 0."""
    return ~((_as_float(text) == 0) & text.astype("string").str.contains("[1-9]", na=False))


def _number_col(nullable: bool = True, required: bool = True, pattern: str = NUMBER,
                expect: str = EXPECT_NUMBER) -> pa.Column:
    checks = [pa.Check.str_matches(pattern, error=expect)]
    if pattern == NUMBER:
        checks += [pa.Check(_fits, error=TOO_BIG), pa.Check(_not_vanishing, error=TOO_SMALL)]
    return _text(nullable=nullable, required=required, checks=checks)


def _ids(frame: pd.DataFrame | None, column: str) -> list[str] | None:
    """The ids present in a referenced table; None when it could not be read (then no check)."""
    if frame is None or column not in frame:
        return None
    return sorted(frame[column].dropna().astype(str).unique())


def _exists(ids: list[str] | None, file: str, column: str) -> list[pa.Check]:
    if ids is None:
        return []
    return [pa.Check.isin(ids, error=f"no existe en {file} (columna {column}); corrija el identificador "
                          f"o agregue la fila que falta")]


def schemas(tables: dict[str, pd.DataFrame]) -> dict[str, pa.DataFrameSchema]:
    objetivos = _ids(tables.get("objetivos.csv"), "objetivo_id")
    estrategias = _ids(tables.get("estrategias.csv"), "estrategia_id")
    indicadores = _ids(tables.get("indicadores.csv"), "indicador_id")
    programas = _ids(tables.get("programas.csv"), "programa_id")
    unique = "está repetido; cada identificador debe aparecer una sola vez"
    return {
        "objetivos.csv": pa.DataFrameSchema({
            "objetivo_id": _text(checks=[
                pa.Check.str_matches(INTEGER, error=EXPECT_POSITIVE),
                pa.Check(lambda s: pd.to_numeric(s, errors="coerce").fillna(1) >= 1, error=EXPECT_POSITIVE),
                pa.Check(lambda s: ~s.duplicated(keep=False), error=unique)]),
            "nombre": _text(),
            "programa_id": _text(nullable=programas is None, required=False,
                                 checks=_exists(programas, "programas.csv", "programa_id")),
        }),
        "estrategias.csv": pa.DataFrameSchema({
            "estrategia_id": _text(checks=[pa.Check(lambda s: ~s.duplicated(keep=False), error=unique)]),
            "objetivo_id": _text(checks=_exists(objetivos, "objetivos.csv", "objetivo_id")),
            "nombre": _text(),
        }),
        "indicadores.csv": pa.DataFrameSchema({
            "indicador_id": _text(checks=[
                pa.Check.str_matches(r"^[A-Za-z0-9_-]+$", error=EXPECT_ID),
                pa.Check(lambda s: ~s.duplicated(keep=False), error=unique)]),
            "objetivo_id": _text(checks=_exists(objetivos, "objetivos.csv", "objetivo_id")),
            "estrategia_id": _text(nullable=True, required=False,
                                   checks=_exists(estrategias, "estrategias.csv", "estrategia_id")),
            "nombre": _text(),
            "sentido": _text(checks=[_in(SENTIDOS)]),
            "frecuencia": _text(checks=[_in(FRECUENCIAS)]),
            "unidad_medida": _text(),
            "fuente": _text(),
            "linea_base_anio": _number_col(nullable=False, pattern=YEAR, expect=EXPECT_YEAR),
            "linea_base_valor": _number_col(required=False),
            "meta_anio": _number_col(required=False, pattern=YEAR, expect=EXPECT_YEAR),
            "meta_valor": _number_col(required=False),
        }),
        "resultados.csv": pa.DataFrameSchema(
            {
                "indicador_id": _text(checks=_exists(indicadores, "indicadores.csv", "indicador_id")),
                "anio": _number_col(nullable=False, pattern=YEAR, expect=EXPECT_YEAR),
                "valor": _number_col(required=False),
                "numerador": _number_col(required=False),
                "denominador": _number_col(required=False),
                "estado": _text(nullable=True, required=False, checks=[_in(ESTADOS, (
                    "se esperaba vacío (valor medido), ND (no disponible aún) o pendiente (no medido aún)"))]),
                "semaforo_publicado": _text(nullable=True, required=False, checks=[_in(SEMAFOROS, (
                    "se esperaba vacío o el semáforo que se publicó: " + ", ".join(SEMAFOROS)))]),
            },
            unique=["indicador_id", "anio"],
        ),
        "metas.csv": pa.DataFrameSchema(
            {
                "indicador_id": _text(checks=_exists(indicadores, "indicadores.csv", "indicador_id")),
                "anio": _number_col(nullable=False, pattern=YEAR, expect=EXPECT_YEAR),
                "meta_valor": _number_col(nullable=False),
            },
            unique=["indicador_id", "anio"],
        ),
        "programas.csv": pa.DataFrameSchema({
            "programa_id": _text(checks=[
                pa.Check.str_matches(r"^[A-Za-z0-9_-]+$", error=EXPECT_ID.replace("OM-1-01", "PSE")),
                pa.Check(lambda s: ~s.duplicated(keep=False), error=unique)]),
            "nombre": _text(),
            "tipo": _text(checks=[_in(TIPOS_PROGRAMA)]),
        }),
    }


CHECK_MESSAGES = {
    "not_nullable": "la celda está vacía y esta columna es obligatoria",
    "multiple_fields_uniqueness": "la combinación (indicador_id, anio) está repetida; debe haber una "
                                  "sola fila por indicador y año",
    "not_nullable programa_id": "la celda está vacía y, como existe programas.csv, cada objetivo debe decir a qué "
                                "programa pertenece (un programa_id de programas.csv)",
}


def _line(frame: pd.DataFrame, index) -> int | None:
    if index is None or pd.isna(index):
        return None
    return int(frame.loc[int(index), LINE])


def _also(line: int | None, lines: list[int]) -> str:
    others = [n for n in lines if n != line]
    return f" (también en la línea {', '.join(map(str, others))})" if others else ""


def _schema_problems(file: str, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
        return []
    except SchemaErrors as err:
        cases = err.failure_cases
    problems = []
    rows_of: dict[tuple, dict] = {}  # repeated values: {columns: {value(s): [rows]}}, built once per column

    def rows_with(columns: tuple[str, ...], key: tuple) -> list[int]:
        if columns not in rows_of:
            index: dict[tuple, list[int]] = {}
            for k, n in zip(zip(*(frame[c].tolist() for c in columns)), frame[LINE].tolist()):
                index.setdefault(k, []).append(int(n))
            rows_of[columns] = index
        return rows_of[columns].get(key, [])

    for case in cases.to_dict("records"):
        check = str(case["check"])
        if check == "column_in_dataframe":  # normally caught before by lectura.header_problems
            problems.append(Problem(file, f"falta la columna obligatoria «{case['failure_case']}» en el "
                                    "encabezado (línea 1); agréguela con ese nombre exacto.",
                                    line=1, column=str(case["failure_case"])))
            continue
        if check.startswith("dtype("):
            continue  # every column is read as text; types are checked by the rules below
        value = case["failure_case"]
        value = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        message = CHECK_MESSAGES.get(f"{check} {case['column']}", CHECK_MESSAGES.get(check, check))
        line = _line(frame, case["index"])
        if check == "multiple_fields_uniqueness":
            if case["column"] != "anio":
                continue  # pandera reports both columns of the pair; one line is enough
            key = tuple(frame.loc[int(case["index"]), ["indicador_id", "anio"]].tolist())
            message += _also(line, rows_with(("indicador_id", "anio"), key))
            value = f"{key[0]}, {key[1]}"
        elif message.endswith("una sola vez") and value is not None:
            message += _also(line, rows_with((case["column"],), (value,)))
        problems.append(Problem(file, message + ".", line=line, column=case["column"], value=value))
    return problems


def _result_rules(res: pd.DataFrame, ind: pd.DataFrame | None) -> list[Problem]:
    """numerador/denominador pairing, denominator 0 or negative, valor consistent with the ratio.

    Vectorised: one pass per column, not per row (50,000 rows in well under a second).
    """
    file = "resultados.csv"
    if "indicador_id" not in res or ("numerador" not in res and "denominador" not in res):
        return []
    none = pd.Series(False, index=res.index)
    has_num = res["numerador"].notna() if "numerador" in res else none
    has_den = res["denominador"].notna() if "denominador" in res else none
    both = has_num & has_den
    num = pd.to_numeric(res["numerador"], errors="coerce") if "numerador" in res else None
    den = pd.to_numeric(res["denominador"], errors="coerce") if "denominador" in res else None
    found: list[tuple[int, Problem]] = []  # (position, problem): at most one per row, in row order
    lines = res[LINE].tolist()
    for i in (has_num & ~has_den).to_numpy().nonzero()[0]:
        found.append((i, Problem(file, "hay numerador pero falta el denominador; escriba ambos o ninguno.",
                                 line=int(lines[i]), column="denominador")))
    for i in (has_den & ~has_num).to_numpy().nonzero()[0]:
        found.append((i, Problem(file, "hay denominador pero falta el numerador; escriba ambos o ninguno.",
                                 line=int(lines[i]), column="numerador")))
    if both.any():
        numeric = both & num.notna() & den.notna()  # a non-numeric one is already reported
        zero = numeric & (den == 0) & _not_vanishing(res["denominador"])  # an underflow is reported already
        negative = numeric & (den < 0)
        for i in zero.to_numpy().nonzero()[0]:
            found.append((i, Problem(file, "el denominador es 0; no se puede calcular el valor. "
                                     "Corrija el dato o deje vacíos numerador y denominador.",
                                     line=int(lines[i]), column="denominador", value=res["denominador"].iat[i])))
        for i in negative.to_numpy().nonzero()[0]:
            found.append((i, Problem(file, "el denominador es negativo; un denominador cuenta un total (casos, "
                                     "personas, trámites) y debe ser mayor que 0. Corrija el dato o deje vacíos "
                                     "numerador y denominador.",
                                     line=int(lines[i]), column="denominador", value=res["denominador"].iat[i])))
        ratio = numeric & (den > 0)
        overflow = ratio & np.isinf(num.astype(float) / den.astype(float))
        for i in overflow.to_numpy().nonzero()[0]:
            found.append((i, Problem(file, "numerador/denominador da un número demasiado grande para calcular "
                                     "(pasa de 1.8 × 10^308); revise que no tengan cifras o ceros de más.",
                                     line=int(lines[i]), column="denominador", value=res["denominador"].iat[i])))
        ratio &= ~overflow
        if "valor" in res and ratio.any():
            units = {}
            if ind is not None and {"indicador_id", "unidad_medida"} <= set(ind.columns):
                units = dict(zip(ind["indicador_id"], ind["unidad_medida"].fillna("").str.strip().str.lower()))
            scale = res["indicador_id"].map(lambda iid: 100 if units.get(iid) == "porcentaje" else 1)
            computed = num / den * scale.astype(float)
            valor = pd.to_numeric(res["valor"], errors="coerce")
            wrong = ratio & valor.notna() & ((valor - computed).abs() > VALUE_TOLERANCE)
            for i in wrong.to_numpy().nonzero()[0]:
                found.append((i, Problem(
                    file, f"no coincide con numerador/denominador ({res['numerador'].iat[i]}/"
                    f"{res['denominador'].iat[i]} = {computed.iat[i]:.4g}); la diferencia pasa de "
                    f"{VALUE_TOLERANCE}. Corrija el valor o deje la celda vacía para que se calcule.",
                    line=int(lines[i]), column="valor", value=res["valor"].iat[i])))
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def _strategy_objective_rule(est: pd.DataFrame, ind: pd.DataFrame) -> list[Problem]:
    """An indicator's strategy must belong to the indicator's objective."""
    if not ({"estrategia_id", "objetivo_id"} <= set(est.columns) and
            {"estrategia_id", "objetivo_id"} <= set(ind.columns)):
        return []
    owner = dict(zip(est["estrategia_id"], est["objetivo_id"]))
    problems = []
    for sid, oid, line in zip(ind["estrategia_id"], ind["objetivo_id"], ind[LINE]):
        if sid is not None and sid in owner and owner[sid] != oid:
            problems.append(Problem(
                "indicadores.csv", f"la estrategia {sid} pertenece al objetivo {owner[sid]}, no al "
                f"{oid}; corrija objetivo_id o estrategia_id.", line=int(line), column="estrategia_id", value=sid))
    return problems


def _target_rule(ind: pd.DataFrame) -> list[Problem]:
    """``meta_anio`` and ``meta_valor`` go both or neither (an indicator without a target has neither)."""
    problems = []
    for record in ind.to_dict("records"):
        given = {c: record.get(c) is not None and str(record.get(c)).strip() != "" for c in ("meta_anio", "meta_valor")}
        if given["meta_anio"] != given["meta_valor"]:
            missing = "meta_valor" if given["meta_anio"] else "meta_anio"
            problems.append(Problem(
                "indicadores.csv", f"meta_anio y meta_valor van los dos o ninguno (sin meta, ninguno): escriba "
                f"{missing} o borre {'meta_anio' if missing == 'meta_valor' else 'meta_valor'}.",
                line=int(record[LINE]), column=missing))
    return problems


def _number(text) -> float | None:
    try:
        return None if text is None or str(text).strip() == "" else float(text)
    except ValueError:
        return None  # reported by the schema


def _interim_rule(metas: pd.DataFrame, ind: pd.DataFrame) -> list[Problem]:
    """An interim target (``metas.csv``) lies after its indicator's baseline year and not after its target
    year, and the row of the target year repeats the card's ``meta_valor``."""
    cards = {r["indicador_id"]: r for r in ind.to_dict("records")}
    problems = []
    for record in metas.to_dict("records"):
        card = cards.get(record["indicador_id"])
        year, value = _number(record.get("anio")), _number(record.get("meta_valor"))
        if card is None or year is None:
            continue  # an unknown indicator or a bad year: reported by the schema
        line, iid = int(record[LINE]), record["indicador_id"]
        base, target_year = _number(card.get("linea_base_anio")), _number(card.get("meta_anio"))
        if target_year is None:
            problems.append(Problem(
                "metas.csv", f"el indicador {iid} no tiene meta (meta_anio y meta_valor vacíos en indicadores.csv); "
                "una meta intermedia necesita la meta final: escríbala en indicadores.csv o borre esta fila.",
                line=line, column="indicador_id", value=iid))
        elif base is not None and not base < year <= target_year:
            problems.append(Problem(
                "metas.csv", f"el año de una meta intermedia de {iid} debe ser posterior a su línea base "
                f"({int(base)}) y no posterior a su meta ({int(target_year)}); corrija el año o borre la fila.",
                line=line, column="anio", value=str(record["anio"])))
        elif year == target_year and value is not None and _number(card.get("meta_valor")) is not None \
                and not math.isclose(value, _number(card["meta_valor"])):
            problems.append(Problem(
                "metas.csv", f"la meta de {iid} para {int(year)} es la de su cédula ({card['meta_valor']} en "
                "indicadores.csv, columna meta_valor); escriba la misma cifra aquí o borre esta fila.",
                line=line, column="meta_valor", value=str(record["meta_valor"])))
    return problems


def _programme_rule(obj: pd.DataFrame, with_programmes: bool) -> list[Problem]:
    """With ``programas.csv``, ``objetivos.csv`` has a ``programa_id`` column; without it, it cannot name programmes
    (they would be ignored)."""
    if with_programmes and "programa_id" not in obj:
        return [Problem("objetivos.csv", "existe programas.csv, así que cada objetivo debe decir a qué programa "
                        "pertenece: agregue la columna «programa_id» con un programa_id de programas.csv en cada "
                        "fila.", line=obj.attrs.get("header_row", 1), column="programa_id")]
    if with_programmes or "programa_id" not in obj:
        return []
    named = obj[obj["programa_id"].notna()]
    return [Problem("objetivos.csv", "el objetivo dice a qué programa pertenece, pero no hay programas.csv: "
                    "créelo (programa_id, nombre, tipo) o deje vacía la columna programa_id.",
                    line=int(line), column="programa_id", value=str(value))
            for value, line in zip(named["programa_id"], named[LINE])]


# ----------------------------------------------------------------------------- YAML shapes

def kind(value) -> str:
    """What a YAML value is, in Spanish (for «se esperaba un texto; se encontró una lista»)."""
    if value is None:
        return "nada (vacío)"
    if isinstance(value, bool):
        return "un valor sí/no"
    if isinstance(value, (int, float)):
        return f"un número ({value})"
    if isinstance(value, str):
        return "un texto"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"una fecha ({value})"
    if isinstance(value, list):
        return "una lista"
    if isinstance(value, dict):
        return "un conjunto de claves"
    return type(value).__name__


QUOTE_HINT = "escríbalo entre comillas dobles (p. ej. «{key}: \"…\"»)"


def _text_problem(file: str, key: str, value, line: int | None, where: str = "") -> Problem:
    hint = QUOTE_HINT.format(key=key) if isinstance(value, (int, float, bool, _dt.date)) else \
        f"escriba «{key}:» seguido del texto"
    return Problem(file, f"«{key}» {where}debe ser un texto y es {kind(value)}; {hint}.", line=line, column=key)


def _yaml_key_line(node, *keys) -> int | None:
    return yaml_line(node, *keys) if node is not None else None


def _people_problems(file: str, key: str, value, node) -> list[Problem]:
    """``directorio:`` / ``enlaces:``: empty, or a list of {nombre: text, cargo: text}."""
    shape = ("se esperaba una lista de personas, cada una con «nombre:» y «cargo:» (textos), p. ej. "
             "«- nombre: \"Lic. …\"» y en la línea siguiente «  cargo: \"Director …\"»")
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem(file, f"«{key}» debe ser una lista y es {kind(value)}; {shape}.",
                        line=_yaml_key_line(node, key), column=key)]
    problems = []
    for k, person in enumerate(value, start=1):
        line = _yaml_key_line(node, key, k - 1)
        if not isinstance(person, dict):
            problems.append(Problem(file, f"el elemento {k} de «{key}» es {kind(person)}; {shape}.",
                                    line=line, column=key))
            continue
        problems += unknown_keys(file, person, PERSON_KEYS, node, (key, k - 1), f"en el elemento {k} de «{key}»")
        for field_name in PERSON_KEYS:
            text = person.get(field_name)
            if field_name not in person or text is None or (isinstance(text, str) and not text.strip()):
                problems.append(Problem(file, f"al elemento {k} de «{key}» le falta «{field_name}:» con un texto; "
                                        f"{shape}.", line=line, column=key))
            elif not isinstance(text, str):
                problems.append(_text_problem(file, field_name, text, _yaml_key_line(node, key, k - 1, field_name),
                                              f"(elemento {k} de «{key}») "))
    return problems


def dependencia_problems(dependencia: dict, node=None) -> list[Problem]:
    """The shape of dependencia.yaml: required texts, optional texts, lists of people, no unknown key.

    ``node`` (from :func:`informe.datos.lectura.read_yaml_node`) gives the line of each problem.
    """
    file = "dependencia.yaml"
    problems = []
    for key in ("nombre", "gobierno"):
        value = dependencia.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            example = "Oficialía Mayor" if key == "nombre" else "Gobierno del Estado de Sonora"
            problems.append(Problem(file, f"falta la clave obligatoria «{key}:» con un texto "
                                    f"(p. ej. «{key}: {example}»).", column=key))
    for key in DEPENDENCIA_TEXTS:
        value = dependencia.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(_text_problem(file, key, value, _yaml_key_line(node, key)))
    for key in DEPENDENCIA_PEOPLE:
        problems += _people_problems(file, key, dependencia.get(key), node)
    problems += unknown_keys(file, dependencia, DEPENDENCIA_TEXTS + DEPENDENCIA_PEOPLE, node, (),
                              "en dependencia.yaml")
    return sorted(problems, key=lambda p: p.line or 0)  # top to bottom, as the file reads


# ----------------------------------------------------------------------------- the whole contract

def validate_tables(dependencia: dict, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every problem in the raw tables, in file order.

    A file whose header misses a required column (or misspells one) gets only its header
    problems: its rows are not checked, so one wrong header is one problem per column, not
    one per row. (``dependencia`` is checked when read, by :func:`dependencia_problems`.)
    """
    problems: list[Problem] = []
    good: dict[str, pd.DataFrame] = {}
    for file, frame in tables.items():
        found = header_problems(file, [c for c in frame.columns if c != LINE], COLUMNS.get(file, []),
                                OPTIONAL_COLUMNS.get(file, ()), row=frame.attrs.get("header_row", 1))
        problems += found
        if not found:
            good[file] = frame
    for file, schema in schemas(tables).items():
        if file in good:
            found = _schema_problems(file, good[file], schema)
            problems += sorted(found, key=lambda p: (p.line or 0, p.column or ""))
    if "resultados.csv" in good:
        problems += _result_rules(good["resultados.csv"], good.get("indicadores.csv"))
    if "estrategias.csv" in good and "indicadores.csv" in good:
        problems += _strategy_objective_rule(good["estrategias.csv"], good["indicadores.csv"])
    if "indicadores.csv" in good:
        problems += _target_rule(good["indicadores.csv"])
    if "metas.csv" in good and "indicadores.csv" in good:
        problems += _interim_rule(good["metas.csv"], good["indicadores.csv"])
    if "objetivos.csv" in good:
        problems += _programme_rule(good["objetivos.csv"], "programas.csv" in tables)
    return problems


# ----------------------------------------------------------------------------- every blocker of a year







