"""The data contract (``shared/design/data-contract.md``) as pandera schemas.

pandera is used because the contract is about pandas tables: each column's
rules are declared next to the column, ``lazy=True`` collects *every* failing
cell in one pass, and each failure comes back with its column, row and value,
which is what a Spanish message naming file, line and column needs.
Rules that span files (an id that must exist elsewhere) are built into the
schemas as ``isin`` checks over the ids actually present.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .load import LINE
from .problems import Problem

SENTIDOS = ("ascendente", "descendente")
FRECUENCIAS = ("anual", "semestral", "trimestral", "mensual")
ESTADOS = ("ND", "pendiente")
VALUE_TOLERANCE = 0.01  # valor vs numerador/denominador

NUMBER = r"^[-+]?(\d+(\.\d+)?|\.\d+)$"
INTEGER = r"^\d+$"

EXPECT_NUMBER = "se esperaba un número con punto decimal y sin separador de miles (p. ej. 38.89)"
EXPECT_YEAR = "se esperaba un año de cuatro cifras (p. ej. 2023)"
EXPECT_POSITIVE = "se esperaba un número entero mayor o igual que 1"
EXPECT_ID = "se esperaba un identificador con solo letras, dígitos, «-» o «_» (p. ej. OM-1-01)"


def _text(nullable: bool = False, checks=None, required: bool = True) -> pa.Column:
    return pa.Column(object, nullable=nullable, required=required, checks=checks or [], coerce=False)


def _in(values, message: str | None = None) -> pa.Check:
    return pa.Check.isin(list(values), error=message or f"se esperaba uno de: {', '.join(values)}")


def _number_col(nullable: bool = True, required: bool = True, pattern: str = NUMBER,
                expect: str = EXPECT_NUMBER) -> pa.Column:
    return _text(nullable=nullable, required=required,
                 checks=[pa.Check.str_matches(pattern, error=expect)])


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
    unique = "está repetido; cada identificador debe aparecer una sola vez"
    return {
        "objetivos.csv": pa.DataFrameSchema({
            "objetivo_id": _text(checks=[
                pa.Check.str_matches(INTEGER, error=EXPECT_POSITIVE),
                pa.Check(lambda s: pd.to_numeric(s, errors="coerce").fillna(1) >= 1, error=EXPECT_POSITIVE),
                pa.Check(lambda s: ~s.duplicated(keep=False), error=unique)]),
            "nombre": _text(),
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
            "linea_base_anio": _number_col(nullable=False, pattern=r"^\d{4}$", expect=EXPECT_YEAR),
            "linea_base_valor": _number_col(required=False),
            "meta_anio": _number_col(nullable=False, pattern=r"^\d{4}$", expect=EXPECT_YEAR),
            "meta_valor": _number_col(nullable=False),
        }),
        "resultados.csv": pa.DataFrameSchema(
            {
                "indicador_id": _text(checks=_exists(indicadores, "indicadores.csv", "indicador_id")),
                "anio": _number_col(nullable=False, pattern=r"^\d{4}$", expect=EXPECT_YEAR),
                "valor": _number_col(required=False),
                "numerador": _number_col(required=False),
                "denominador": _number_col(required=False),
                "estado": _text(nullable=True, required=False, checks=[_in(ESTADOS, (
                    "se esperaba vacío (valor medido), ND (no disponible aún) o pendiente (no medido aún)"))]),
            },
            unique=["indicador_id", "anio"],
        ),
    }


CHECK_MESSAGES = {
    "not_nullable": "la celda está vacía y esta columna es obligatoria",
    "multiple_fields_uniqueness": "la combinación (indicador_id, anio) está repetida; debe haber una "
                                  "sola fila por indicador y año",
}


def _line(frame: pd.DataFrame, index) -> int | None:
    if index is None or pd.isna(index):
        return None
    return int(frame.loc[int(index), LINE])


def _schema_problems(file: str, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
        return []
    except SchemaErrors as err:
        cases = err.failure_cases
    problems = []
    for case in cases.to_dict("records"):
        check = str(case["check"])
        if check == "column_in_dataframe":
            hint = ""
            if len(frame.columns) == 2 and ";" in frame.columns[0]:
                hint = (" El encabezado está separado por «;»: guarde el archivo como «CSV UTF-8 "
                        "(delimitado por comas)».")
            problems.append(Problem(file, f"falta la columna obligatoria «{case['failure_case']}» en el "
                                    "encabezado (línea 1); agréguela con ese nombre exacto." + hint,
                                    line=1, column=str(case["failure_case"])))
            continue
        if check.startswith("dtype("):
            continue  # every column is read as text; types are checked by the rules below
        value = case["failure_case"]
        value = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        message = CHECK_MESSAGES.get(check, check)
        line = _line(frame, case["index"])
        if check == "multiple_fields_uniqueness":
            if case["column"] != "anio":
                continue  # pandera reports both columns of the pair; one line is enough
            dup = frame[["indicador_id", "anio"]].duplicated(keep=False)
            key = frame.loc[int(case["index"]), ["indicador_id", "anio"]].tolist()
            others = [int(n) for i, n in frame.loc[dup, LINE].items()
                      if frame.loc[i, ["indicador_id", "anio"]].tolist() == key and n != line]
            message += f" (también en la línea {', '.join(map(str, others))})" if others else ""
            value = f"{key[0]}, {key[1]}"
        elif message.endswith("una sola vez") and value is not None:
            col = case["column"]
            others = [int(n) for n in frame.loc[frame[col] == value, LINE] if n != line]
            message += f" (también en la línea {', '.join(map(str, others))})" if others else ""
        problems.append(Problem(file, message + ".", line=line, column=case["column"], value=value))
    return problems


def _result_rules(res: pd.DataFrame, ind: pd.DataFrame | None) -> list[Problem]:
    """numerador/denominador pairing, zero denominator, valor consistent with the ratio."""
    file = "resultados.csv"
    problems = []
    if "indicador_id" not in res or ("numerador" not in res and "denominador" not in res):
        return problems
    num = pd.to_numeric(res.get("numerador"), errors="coerce") if "numerador" in res else None
    den = pd.to_numeric(res.get("denominador"), errors="coerce") if "denominador" in res else None
    units = {}
    if ind is not None and {"indicador_id", "unidad_medida"} <= set(ind.columns):
        units = dict(zip(ind["indicador_id"], ind["unidad_medida"].fillna("").str.strip().str.lower()))
    for i, row in res.iterrows():
        line = int(row[LINE])
        has_num = "numerador" in res and row["numerador"] is not None
        has_den = "denominador" in res and row["denominador"] is not None
        if has_num and not has_den:
            problems.append(Problem(file, "hay numerador pero falta el denominador; escriba ambos o ninguno.",
                                    line=line, column="denominador"))
        elif has_den and not has_num:
            problems.append(Problem(file, "hay denominador pero falta el numerador; escriba ambos o ninguno.",
                                    line=line, column="numerador"))
        elif has_num and has_den:
            n, d = num[i], den[i]
            if pd.isna(n) or pd.isna(d):
                continue  # already reported as non-numeric
            if d == 0:
                problems.append(Problem(file, "el denominador es 0; no se puede calcular el valor. "
                                        "Corrija el dato o deje vacíos numerador y denominador.",
                                        line=line, column="denominador", value=row["denominador"]))
                continue
            computed = n / d * (100 if units.get(row["indicador_id"]) == "porcentaje" else 1)
            valor = pd.to_numeric(row.get("valor"), errors="coerce") if "valor" in res else None
            if valor is not None and not pd.isna(valor) and abs(valor - computed) > VALUE_TOLERANCE:
                problems.append(Problem(
                    file, f"no coincide con numerador/denominador ({row['numerador']}/{row['denominador']}"
                    f" = {computed:.4g}); la diferencia pasa de {VALUE_TOLERANCE}. Corrija el valor o deje "
                    "la celda vacía para que se calcule.", line=line, column="valor", value=row["valor"]))
    return problems


def _strategy_objective_rule(est: pd.DataFrame, ind: pd.DataFrame) -> list[Problem]:
    """An indicator's strategy must belong to the indicator's objective."""
    if not ({"estrategia_id", "objetivo_id"} <= set(est.columns) and
            {"estrategia_id", "objetivo_id"} <= set(ind.columns)):
        return []
    owner = dict(zip(est["estrategia_id"], est["objetivo_id"]))
    problems = []
    for _, row in ind.iterrows():
        sid = row["estrategia_id"]
        if sid is not None and sid in owner and owner[sid] != row["objetivo_id"]:
            problems.append(Problem(
                "indicadores.csv", f"la estrategia {sid} pertenece al objetivo {owner[sid]}, no al "
                f"{row['objetivo_id']}; corrija objetivo_id o estrategia_id.",
                line=int(row[LINE]), column="estrategia_id", value=sid))
    return problems


def _dependencia_rules(dependencia: dict) -> list[Problem]:
    problems = []
    for key in ("nombre", "gobierno"):
        value = dependencia.get(key) if isinstance(dependencia, dict) else None
        if dependencia and (not isinstance(value, str) or not value.strip()):
            problems.append(Problem("dependencia.yaml", f"falta la clave obligatoria «{key}:» con un texto "
                                    f"(p. ej. «{key}: {'Oficialía Mayor' if key == 'nombre' else 'Gobierno del Estado de Sonora'}»).",
                                    column=key))
    return problems


def validate_tables(dependencia: dict, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every problem in the raw tables, in file order."""
    problems = _dependencia_rules(dependencia)
    for file, schema in schemas(tables).items():
        if file in tables:
            found = _schema_problems(file, tables[file], schema)
            problems += sorted(found, key=lambda p: (p.line or 0, p.column or ""))
    if "resultados.csv" in tables:
        problems += _result_rules(tables["resultados.csv"], tables.get("indicadores.csv"))
    if "estrategias.csv" in tables and "indicadores.csv" in tables:
        problems += _strategy_objective_rule(tables["estrategias.csv"], tables["indicadores.csv"])
    return problems
