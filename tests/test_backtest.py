"""Backtest against the published *Informe Anual de Resultados 2023* of the Oficialía Mayor de Sonora.

The EXPECTED table below was written by hand from the published report
(``shared/seed/000_8bd10ab146859c38.txt``), not from ``data/``:

* ``nombre``, ``base_tabla``, ``resultado``, ``fuente_tabla``: section VII, tables
  "Impacto de las acciones" (columns Indicador / Línea base 2022 / Resultado 2023 /
  Fuente), as printed without the "%" sign; ``None`` for
  "N/D (La información aún no se publica)". The OM-5-03 name is split by a page
  break in the extraction ("... a través" / "de medios electrónicos") and is joined.
* ``base_cedula``, ``anio_base_cedula``, ``meta``: section X, "Cédula de
  indicadores" (Línea base <año> / Meta 2027); ``None`` for "N/A".
* ``semaforo``: the published semáforo images were lost in the extraction. Each
  status was derived by hand with the contract's rules (reference = the table's
  baseline when the card's baseline year has a row, else the card's value;
  0 → 0 and N/D are "Sin información"; tolerance 0.01) and the result matches the
  published summary table "24 / 15 / 0 / 0 / 9".
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from informe import cli, config
from informe.calculo import motor
from informe.datos.entradas import load
from informe.datos.parametros import load_params

DATA = config.ROOT / "data"
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
YEAR = 2023

C, S, I, N = "con_avance", "sin_avance", "igual", "sin_informacion"
OM = "Oficialía Mayor del Estado de Sonora"
ENCIG = "INEGI; ENCIG"

COLUMNS = ["indicador_id", "nombre", "base_tabla", "resultado", "fuente_tabla", "base_cedula",
           "anio_base_cedula", "meta", "semaforo"]
EXPECTED_ROWS = [
    ("OM-1-01", "Grado de implementación de los componentes del Servicio Profesional de Carrera",
     "12.5", "25", OM, "0", 2022, "100", C),
    ("OM-1-02", "Porcentaje de servidores públicos incorporados al Servicio Profesional de Carrera",
     "0", "0", OM, "0", 2022, "100", N),
    ("OM-1-03", "Porcentaje de servidores públicos que cumplen con las horas de capacitación requeridas "
     "para cada ejercicio", "0", "0", OM, "0", 2022, "100", N),
    ("OM-2-01", "Grado de adecuación del marco normativo estatal con el federal",
     "0", "100", OM, "0", 2022, "100", C),
    ("OM-2-02", "Porcentaje de procedimientos de adjudicación abiertos",
     "0", "84.20", OM, "0", 2022, "80", C),
    ("OM-2-03", "Grado de desarrollo del marco regulatorio y procedimental para favorecer la apertura y "
     "transparencia en contrataciones publicas", "0", "100", OM, "0", 2022, "100", C),
    ("OM-2-04", "Porcentaje de gasto ejercido de forma consolidada",
     "0", "4.02", OM, "0", 2022, "10", C),
    ("OM-2-05", "Porcentaje de gasto ejercido en contratos marco",
     "0", "12.41", OM, "0", 2022, "10", C),
    ("OM-2-06", "Porcentaje de procedimientos de adjudicación abiertos",
     "26.6", "38.89", OM, "60", 2022, "70", C),
    ("OM-3-01", "Porcentaje de bienes inventariados",
     "0", "75", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-3-02", "Porcentaje de bienes inventariados registrados en el Sistema de Administración y Finanzas",
     "0", "100", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-3-03", "Porcentaje de bienes inventariados que cumplen con los criterios de valuación y reglas de "
     "valoración del patrimonio", "0", "12", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-3-04", "Grado de avance del diagnóstico del estado actual de los bienes patrimoniales de las "
     "Dependencias", "0", "25", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-3-05", "Cumplimiento de los Programas de Mantenimiento Preventivo de las Dependencias",
     "0", "50", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-3-06", "Cumplimiento de acciones de desincorporación de bienes patrimoniales del estado no "
     "prioritarios", "0", "0", "Oficialía Mayor", "0", 2022, "100", N),
    ("OM-4-01", "Proporción de asesorías archivísticas.",
     "0", "43", "Oficialía Mayor", None, 2022, "100", C),
    ("OM-5-01", "Porcentaje de trámites gubernamentales digitalizados",
     "11.79", "12", "Registro Estatal de Trámites y Servicios", "11.79", 2022, "80", C),
    ("OM-5-02", "Satisfacción general al realizar trámites, pagos y solicitudes de servicios",
     "89", None, ENCIG, "89", 2022, "95", N),
    ("OM-5-03", "Porcentaje de la población de 18 años y más con al menos una interacción con el gobierno "
     "a través de medios electrónicos", "50", None, ENCIG, "50", 2022, "65", N),
    ("OM-5-04", "Porcentaje de la población de 18 años y más que utilizó páginas de internet para realizar "
     "trámites, pagos o servicios por medio de Internet", "41.10", None, ENCIG, "41.1", 2022, "60", N),
    ("OM-5-05", "Porcentaje de trámites o solicitudes de servicios que se realizan a través de internet",
     "13.30", None, ENCIG, "13.3", 2022, "80", N),
    ("OM-5-06", "Grado de desarrollo del marco normativo en materia de gobierno digital",
     "0", "35", "Oficialía Mayor", "0", 2022, "100", C),
    ("OM-5-07", "Cumplimiento de la agenda digital",
     "0", "0", "Oficialía Mayor", "0", 2021, "90", N),
    ("OM-5-08", "Bases de datos publicadas por temática",
     "0", "0", "Oficialía Mayor", "0", 2021, "75", N),
]
EXPECTED = pd.DataFrame(EXPECTED_ROWS, columns=COLUMNS, dtype=object)  # object: keeps None as None

# Published "Resumen de resultados de indicadores" (section VI), per objective derived from EXPECTED.
PUBLISHED_TOTAL = [24, 15, 0, 0, 9]
SUMMARY_COLUMNS = ["objetivo_id", "indicadores", "con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica"]
EXPORT_COLUMNS = ["indicador_id", "objetivo_id", "estrategia_id", "nombre", "sentido", "unidad_medida",
                  "linea_base_anio", "linea_base_valor", "resultado_anio", "resultado_valor", "estado",
                  "meta_anio", "meta_valor", "semaforo", "avance_meta_pct", "avance_esperado_pct", "trayectoria",
                  "fuente", "nota", "meta_intermedia", "programa_id", "ped_eje"]


def number(text: str | None):
    return pd.NA if text is None else float(text)


def decimals(text: str | None):
    return pd.NA if text is None else (len(text.split(".")[1]) if "." in text else 0)


def floats(values) -> pd.Series:
    return pd.Series([number(v) for v in values], dtype="Float64")


def ints(values) -> pd.Series:
    return pd.Series([decimals(v) for v in values], dtype="Int64")


@pytest.fixture(scope="module")
def ds():
    return load(DATA)


@pytest.fixture(scope="module")
def table(ds):
    return motor.indicator_table(ds.indicadores, ds.resultados, YEAR, load_params(YEAR))


def test_expected_table_is_consistent_with_the_published_summary():
    counts = EXPECTED["semaforo"].value_counts()
    assert [len(EXPECTED), counts.get(C, 0), counts.get(S, 0), counts.get(I, 0), counts.get(N, 0)] \
        == PUBLISHED_TOTAL
    assert EXPECTED["indicador_id"].is_unique
    assert EXPECTED["resultado"].isna().sum() == 4  # the four ENCIG "N/D"


def test_names_as_published(ds):
    actual = ds.indicadores[["indicador_id", "nombre"]].astype(object).reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, EXPECTED[["indicador_id", "nombre"]])


def text(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Text columns as plain objects, missing as "" (pandas 3 infers its own string dtype)."""
    return frame.astype({c: object for c in columns}).fillna({c: "" for c in columns}).astype(
        {c: object for c in columns})


def test_results_as_published(ds):
    res = ds.resultados
    base = res[res["anio"] == 2022].set_index("indicador_id")
    year = res[res["anio"] == YEAR].set_index("indicador_id")
    ids = list(EXPECTED["indicador_id"])
    assert list(year.index) == ids and list(base.index) == ids
    actual = pd.DataFrame({
        "indicador_id": ids,
        "base_tabla": base["valor"].reset_index(drop=True),
        "base_tabla_decimales": base["valor_decimales"].reset_index(drop=True),
        "resultado": year["valor"].reset_index(drop=True),
        "resultado_decimales": year["valor_decimales"].reset_index(drop=True),
        "estado": year["estado"].reset_index(drop=True),
        "fuente_tabla": year["fuente"].reset_index(drop=True),
    })
    expected = pd.DataFrame({
        "indicador_id": ids,
        "base_tabla": floats(EXPECTED["base_tabla"]),
        "base_tabla_decimales": ints(EXPECTED["base_tabla"]),
        "resultado": floats(EXPECTED["resultado"]),
        "resultado_decimales": ints(EXPECTED["resultado"]),
        "estado": ["" if r is not None else "ND" for r in EXPECTED["resultado"]],
        "fuente_tabla": EXPECTED["fuente_tabla"],
    })
    columns = ("indicador_id", "estado", "fuente_tabla")
    pd.testing.assert_frame_equal(text(actual, *columns), text(expected, *columns))
    assert sorted(res["anio"].unique()) == [2022, 2023]
    assert len(res) == 48


def test_cards_as_published(ds):
    ind = ds.indicadores.reset_index(drop=True)
    actual = pd.DataFrame({
        "indicador_id": ind["indicador_id"].astype(object),
        "base_cedula": ind["linea_base_valor"],
        "base_cedula_decimales": ind["linea_base_valor_decimales"],
        "anio_base_cedula": ind["linea_base_anio"],
        "meta": ind["meta_valor"],
        "meta_anio": ind["meta_anio"],
        "sentido": ind["sentido"].astype(object),
        "unidad_medida": ind["unidad_medida"].astype(object),
    })
    expected = pd.DataFrame({
        "indicador_id": EXPECTED["indicador_id"],
        "base_cedula": floats(EXPECTED["base_cedula"]),
        "base_cedula_decimales": ints(EXPECTED["base_cedula"]),
        "anio_base_cedula": EXPECTED["anio_base_cedula"].astype("int64"),
        "meta": floats(EXPECTED["meta"]),
        "meta_anio": pd.Series([2027] * 24, dtype="Int64"),  # nullable: contract v3 allows no target
        "sentido": pd.Series(["ascendente"] * 24, dtype=object),
        "unidad_medida": pd.Series(["porcentaje"] * 24, dtype=object),
    })
    pd.testing.assert_frame_equal(actual, expected)


def test_objectives_as_published(ds):
    assert list(ds.objetivos["objetivo_id"]) == [1, 2, 3, 4, 5]
    assert list(ds.estrategias["estrategia_id"]) == ["1.1", "2.1", "2.2", "3.1", "3.2", "4.1", "5.1", "5.2",
                                                     "5.3"]
    per_objective = ds.indicadores.groupby("objetivo_id").size().to_dict()
    assert per_objective == {1: 3, 2: 6, 3: 6, 4: 1, 5: 8}
    assert [iid.split("-")[1] for iid in EXPECTED["indicador_id"]] == \
        [str(o) for o in ds.indicadores["objetivo_id"]]


def test_semaforo_as_published(table):
    actual = table[["indicador_id", "semaforo", "linea_base_valor", "resultado_valor"]].copy()
    actual = actual.astype({"indicador_id": object, "semaforo": object})
    expected = pd.DataFrame({
        "indicador_id": EXPECTED["indicador_id"],
        "semaforo": EXPECTED["semaforo"],
        # the reference equals the table's "Línea base 2022" for all 24 (OM-5-07/08 via the card's 0)
        "linea_base_valor": floats(EXPECTED["base_tabla"]),
        "resultado_valor": floats(EXPECTED["resultado"]),
    })
    pd.testing.assert_frame_equal(actual.reset_index(drop=True), expected)


def test_fuente_shown_in_the_table(table):
    assert list(table["fuente"]) == list(EXPECTED["fuente_tabla"])


def test_summary_as_published(ds, table):
    got = motor.summary(table, list(ds.objetivos["objetivo_id"]))
    expected = pd.DataFrame([
        ["1", 3, 1, 0, 0, 2, 0],
        ["2", 6, 6, 0, 0, 0, 0],
        ["3", 6, 5, 0, 0, 1, 0],
        ["4", 1, 1, 0, 0, 0, 0],
        ["5", 8, 2, 0, 0, 6, 0],
        ["total", *PUBLISHED_TOTAL, 0],  # no indicator without a direction: «No aplica» 0 (not printed)
    ], columns=SUMMARY_COLUMNS)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert got.iloc[-1].tolist() == ["total", 24, 15, 0, 0, 9, 0]


# ---------------------------------------------------------------- informe export

def read_csv_text(path):
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("salida")
    code = cli.main(["export", "--year", str(YEAR), "--out", str(out)])
    assert code == 0
    return out


def test_export_writes_the_open_data_files(exported):
    files = sorted(p.relative_to(exported).as_posix() for p in exported.rglob("*") if p.is_file())
    assert files == ["datos/datapackage.json", "datos/indicadores_2023.csv", "datos/indicadores_2023.xlsx",
                     "datos/resumen_2023.csv"]


def test_export_indicators(exported):
    header, rows = read_csv_text(exported / "datos" / "indicadores_2023.csv")
    assert header == EXPORT_COLUMNS
    assert [r["indicador_id"] for r in rows] == list(EXPECTED["indicador_id"])
    assert [r["semaforo"] for r in rows] == list(EXPECTED["semaforo"])
    by_id = {r["indicador_id"]: r for r in rows}
    # missing numbers are empty cells
    for iid in ("OM-5-02", "OM-5-03", "OM-5-04", "OM-5-05"):
        assert by_id[iid]["resultado_valor"] == ""
        assert by_id[iid]["avance_meta_pct"] == ""
        assert by_id[iid]["estado"] == "ND"
    assert all(r["estrategia_id"] == "" for r in rows)  # the report links no indicator to a strategy
    assert all(r["estado"] == "" for r in rows if r["resultado_valor"])
    # the reference the semáforo used, and the year
    assert by_id["OM-1-01"]["linea_base_valor"] == "12.5"
    assert by_id["OM-2-06"]["linea_base_valor"] == "26.6"
    assert by_id["OM-5-07"]["linea_base_anio"] == "2021"
    assert all(r["resultado_anio"] == "2023" and r["meta_anio"] == "2027" for r in rows)
    # the figures as published, with their decimals (84.20 stays "84.20", 100 stays "100")
    for expected in EXPECTED.to_dict("records"):
        r = by_id[expected["indicador_id"]]
        base = expected["base_tabla"] if expected["anio_base_cedula"] == 2022 else expected["base_cedula"]
        assert r["linea_base_valor"] == base, expected["indicador_id"]
        assert r["resultado_valor"] == (expected["resultado"] or ""), expected["indicador_id"]
        assert r["meta_valor"] == expected["meta"], expected["indicador_id"]
        assert r["fuente"] == expected["fuente_tabla"], expected["indicador_id"]
    assert by_id["OM-2-02"]["resultado_valor"] == "84.20"
    assert by_id["OM-5-04"]["linea_base_valor"] == "41.10"
    # progress toward the target, rounded to 2 decimals
    assert by_id["OM-1-01"]["avance_meta_pct"] == "14.29"    # (25 − 12.5) / (100 − 12.5)
    assert by_id["OM-2-02"]["avance_meta_pct"] == "105.25"   # 84.20 / 80
    assert by_id["OM-2-04"]["avance_meta_pct"] == "40.2"     # 4.02 / 10
    assert by_id["OM-2-06"]["avance_meta_pct"] == "28.32"    # (38.89 − 26.6) / (70 − 26.6)
    assert by_id["OM-5-01"]["avance_meta_pct"] == "0.31"     # (12 − 11.79) / (80 − 11.79)
    assert by_id["OM-1-02"]["avance_meta_pct"] == ""         # sin información: undefined
    for r in rows:
        if r["avance_meta_pct"]:
            assert len(r["avance_meta_pct"].partition(".")[2]) <= 2
        for col in ("linea_base_valor", "resultado_valor", "meta_valor", "avance_meta_pct"):
            assert r[col] == "" or float(r[col]) == float(r[col])  # plain numbers, no "%", no comma


def test_export_summary(exported):
    header, rows = read_csv_text(exported / "datos" / "resumen_2023.csv")
    assert header == SUMMARY_COLUMNS
    assert [r["objetivo_id"] for r in rows] == ["1", "2", "3", "4", "5", "total"]
    total = rows[-1]
    assert [total[c] for c in SUMMARY_COLUMNS[1:]] == ["24", "15", "0", "0", "9", "0"]


def test_export_year_without_results(tmp_path, capsys):
    code = cli.main(["export", "--year", "2030", "--out", str(tmp_path / "salida")])
    out, err = capsys.readouterr()
    assert code != 0
    assert "No hay resultados para el año 2030" in err
    assert "2022, 2023" in err
    assert "Traceback" not in out + err
    assert list(tmp_path.rglob("*")) == []


def test_export_minimal_fixture(tmp_path, capsys):
    out = tmp_path / "salida"
    code = cli.main(["export", "--year", str(YEAR), "--data", str(MINIMAL), "--out", str(out)])
    assert code == 0
    assert "Escrito" in capsys.readouterr().out
    header, rows = read_csv_text(out / "datos" / "indicadores_2023.csv")
    assert header == EXPORT_COLUMNS
    by_id = {r["indicador_id"]: r for r in rows}
    assert list(by_id) == ["AC-1-01", "AC-1-02", "AC-2-01"]
    assert by_id["AC-1-01"]["resultado_valor"] == "50"       # 45 / 90 × 100, no published precision
    assert by_id["AC-1-01"]["linea_base_valor"] == "40"
    assert by_id["AC-2-01"]["linea_base_valor"] == "70.5"
    assert by_id["AC-2-01"]["nota"] == "La encuesta 2023 aún no se publica"
    assert by_id["AC-1-01"]["avance_meta_pct"] == "20"       # (50 − 40) / (90 − 40)
    assert by_id["AC-1-02"]["semaforo"] == "con_avance"       # descendente 15 → 12
    assert by_id["AC-1-02"]["avance_meta_pct"] == "42.86"    # (12 − 15) / (8 − 15)
    assert by_id["AC-1-02"]["unidad_medida"] == "numero"
    assert by_id["AC-2-01"]["semaforo"] == "sin_informacion"
    assert by_id["AC-2-01"]["resultado_valor"] == ""
    header, rows = read_csv_text(out / "datos" / "resumen_2023.csv")
    assert header == SUMMARY_COLUMNS
    assert [[r[c] for c in SUMMARY_COLUMNS] for r in rows] == [
        ["1", "2", "2", "0", "0", "0", "0"], ["2", "1", "0", "0", "0", "1", "0"],
        ["total", "3", "2", "0", "0", "1", "0"]]


def test_export_bad_data_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "datos"
    bad.mkdir()
    for name in ("dependencia.yaml", "objetivos.csv", "estrategias.csv", "indicadores.csv"):
        (bad / name).write_bytes((MINIMAL / name).read_bytes())
    code = cli.main(["export", "--year", str(YEAR), "--data", str(bad), "--out", str(tmp_path / "salida")])
    _, err = capsys.readouterr()
    assert code == 2
    assert "resultados.csv" in err
    assert not (tmp_path / "salida").exists()
