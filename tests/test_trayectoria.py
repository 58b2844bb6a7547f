"""Trajectory toward the target (motor.avance_esperado, motor.trayectoria): boundary cases typed by
hand, through the indicator table as a CSV would give them, and the example agency's statuses
(``ejemplos/instituto-ejemplo``) against a table computed by hand from its data."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from test_engine import is_na, one

from informe import config
from informe.calculo import motor
from informe.datos.parametros import load_params
from informe.reporte import secciones

EJEMPLO = config.ROOT / "ejemplos" / "instituto-ejemplo"
EXPECTED = Path(__file__).parent / "fixtures" / "ejemplo_trayectoria.csv"

STATUS = [
    # avance_meta_pct, avance_esperado_pct, status (default thresholds 0.95 and 0.5)
    (19.0, 20.0, "en_trayectoria"),       # ratio exactly 0.95
    (18.99, 20.0, "avance_moderado"),     # just below
    (10.0, 20.0, "avance_moderado"),      # ratio exactly 0.5
    (9.99, 20.0, "avance_limitado"),      # just below
    (0.0, 20.0, "avance_limitado"),       # no movement is not a regression
    (-0.01, 20.0, "retroceso"),
    (100.0, 20.0, "meta_alcanzada"),      # target reached exactly
    (100.0, 100.0, "meta_alcanzada"),
    (99.99, 100.0, "en_trayectoria"),
    (140.0, 20.0, "meta_alcanzada"),      # beyond the target
    (30.0, 20.0, "en_trayectoria"),       # ahead of the path
    (None, 20.0, "sin_informacion"),      # no result (ND, pendiente, meta = reference)
    (10.0, None, "sin_informacion"),      # target year not after the baseline year
    (10.0, 0.0, "sin_informacion"),       # report of the baseline year itself
    (-5.0, None, "sin_informacion"),
]


@pytest.mark.parametrize("avance, esperado, status", STATUS)
def test_status_boundaries(avance, esperado, status):
    assert motor.trayectoria(avance, esperado) == status


def test_thresholds_are_parameters():
    assert motor.trayectoria(16.0, 20.0) == "avance_moderado"  # ratio 0.8
    assert motor.trayectoria(16.0, 20.0, umbral_en_trayectoria=0.8, umbral_avance_moderado=0.4) == "en_trayectoria"
    assert motor.trayectoria(7.0, 20.0, umbral_en_trayectoria=0.8, umbral_avance_moderado=0.4) == "avance_limitado"


EXPECTED_PROGRESS = [
    # year, linea_base_anio, meta_anio, avance_esperado_pct
    (2023, 2022, 2027, 20.0),
    (2025, 2022, 2027, 60.0),
    (2023, 2021, 2027, 100 / 3),
    (2027, 2022, 2027, 100.0),
    (2030, 2022, 2027, 100.0),   # after the target year: capped
    (2022, 2022, 2027, 0.0),
    (2023, 2023, 2023, None),    # target year = baseline year
    (2023, 2024, 2022, None),
]


@pytest.mark.parametrize("year, base, meta, expected", EXPECTED_PROGRESS)
def test_expected_progress(year, base, meta, expected):
    value = motor.avance_esperado(year, base, meta)
    assert value is None if expected is None else value == pytest.approx(expected)


TABLE = [
    # card fields, rows (anio, valor, estado), avance_meta_pct, avance_esperado_pct, trayectoria
    ({"meta_valor": "90"}, [("2022", "40", ""), ("2023", "49.5", "")], 19.0, 20.0, "en_trayectoria"),  # 0.95 from data
    ({"meta_valor": "90"}, [("2022", "40", ""), ("2023", "45", "")], 10.0, 20.0, "avance_moderado"),   # 0.5 from data
    ({"meta_valor": "90"}, [("2022", "40", ""), ("2023", "90", "")], 100.0, 20.0, "meta_alcanzada"),
    ({"sentido": "descendente", "meta_valor": "10"}, [("2022", "20", ""), ("2023", "18", "")], 20.0, 20.0,
     "en_trayectoria"),
    ({"sentido": "descendente", "meta_valor": "10"}, [("2022", "20", ""), ("2023", "21", "")], -10.0, 20.0,
     "retroceso"),
    ({"sentido": "descendente", "meta_valor": "10"}, [("2022", "20", ""), ("2023", "10", "")], 100.0, 20.0,
     "meta_alcanzada"),
    ({"meta_valor": "40"}, [("2022", "40", ""), ("2023", "45", "")], None, 20.0, "sin_informacion"),  # meta = base
    ({"meta_anio": "2022", "meta_valor": "90"}, [("2022", "40", ""), ("2023", "45", "")], 10.0, None,
     "sin_informacion"),                                                                       # meta year = base year
    ({"meta_valor": "90"}, [("2022", "40", ""), ("2023", "", "ND")], None, 20.0, "sin_informacion"),
    ({"meta_valor": "90"}, [("2022", "40", "")], None, 20.0, "sin_informacion"),                 # no row for the year
]


@pytest.mark.parametrize("card, rows, avance, esperado, status", TABLE)
def test_indicator_table_columns(card, rows, avance, esperado, status):
    row = one(card, [{"anio": a, "valor": v, "estado": e} for a, v, e in rows])
    assert row["trayectoria"] == status
    for column, value in (("avance_meta_pct", avance), ("avance_esperado_pct", esperado)):
        assert is_na(row[column]) if value is None else row[column] == pytest.approx(value), column


def test_thresholds_from_the_year_parameters():
    row = one({"meta_valor": "90"}, [{"anio": "2022", "valor": "40"}, {"anio": "2023", "valor": "48"}],
              params={"umbral_en_trayectoria": 0.8, "umbral_avance_moderado": 0.4})
    assert row["avance_meta_pct"] == pytest.approx(16.0) and row["trayectoria"] == "en_trayectoria"


@pytest.mark.parametrize("text, message", [
    ("umbral_en_trayectoria: 0.4\n", "0 < umbral_avance_moderado < umbral_en_trayectoria ≤ 1"),
    ("umbral_avance_moderado: 0\n", "0 < umbral_avance_moderado < umbral_en_trayectoria ≤ 1"),
    ("umbral_en_trayectoria: 1.5\n", "0 < umbral_avance_moderado < umbral_en_trayectoria ≤ 1"),
    ("umbral_en_trayectoria: alto\n", "«umbral_en_trayectoria» tiene el valor «alto» de tipo inválido"),
])
def test_bad_thresholds_are_rejected(tmp_path, text, message):
    path = tmp_path / "2030.yaml"
    path.write_text("anio: 2030\n" + text, encoding="utf-8")
    with pytest.raises(Exception, match=message):
        load_params(2030, path)


# ---------------------------------------------------------------- the example agency, typed by hand

def _expected() -> pd.DataFrame:
    with open(EXPECTED, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows)
    for column in ("avance_meta_pct", "avance_esperado_pct"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Float64")
    frame["anio"] = frame["anio"].astype("int64")
    return frame


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_example_agency_backtest(year):
    ctx = secciones.open(year, EJEMPLO, EJEMPLO / "params" / f"{year}.yaml")
    got = ctx.table[["indicador_id", "avance_meta_pct", "avance_esperado_pct", "trayectoria"]].copy()
    got.insert(1, "anio", year)
    got["trayectoria"] = got["trayectoria"].astype(object)
    got["indicador_id"] = got["indicador_id"].astype(object)
    expected = _expected()
    expected = expected[expected["anio"] == year].reset_index(drop=True).astype({"indicador_id": object,
                                                                                 "trayectoria": object})
    got[["avance_meta_pct", "avance_esperado_pct"]] = got[["avance_meta_pct", "avance_esperado_pct"]].round(4)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=False, atol=1e-4)


def test_example_agency_covers_every_status():
    seen = set(_expected()["trayectoria"])
    assert seen == set(motor.TRAJECTORIES)
