"""The indicator engine (informe.calculo.motor) and the year's parameters (informe.datos.parametros).

Tiny tables are built as text, exactly as a CSV would be read, and converted
with :func:`informe.datos.entradas.typed`, so the engine sees the same typed columns as
with real data.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from informe.calculo import motor
from informe.datos.entradas import typed
from informe.datos.lectura import LINE
from informe.datos.parametros import DEFAULTS, HEADERS, SECTION_TITLES, load_params
from informe.problemas import InformeError

YEAR = 2023

CARD = {
    "indicador_id": "X-1", "objetivo_id": "1", "estrategia_id": "", "nombre": "Indicador de prueba",
    "sentido": "ascendente", "frecuencia": "anual", "unidad_medida": "porcentaje", "fuente": "Registro interno",
    "linea_base_anio": "2022", "linea_base_valor": "", "meta_anio": "2027", "meta_valor": "100",
}
ROW = {"indicador_id": "X-1", "anio": "2023", "valor": "", "numerador": "", "denominador": "", "estado": "",
       "nota": ""}


def _raw(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype="object")
    frame = frame.where(frame != "", None)
    frame[LINE] = range(2, len(frame) + 2)
    return frame


def tables(cards: list[dict], rows: list[dict], objetivos=(1,)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicadores, resultados) typed as informe.datos.entradas.typed produces them."""
    cards = [{**CARD, **c} for c in cards]
    rows = [{**ROW, **r} for r in rows]
    frames = typed({
        "objetivos.csv": _raw([{"objetivo_id": str(o), "nombre": f"Objetivo {o}"} for o in objetivos],
                              ["objetivo_id", "nombre"]),
        "estrategias.csv": _raw([], ["estrategia_id", "objetivo_id", "nombre"]),
        "indicadores.csv": _raw(cards, list(CARD)),
        "resultados.csv": _raw(rows, list(ROW)),
    })
    return frames["indicadores"], frames["resultados"]


def one(card: dict | None = None, rows: list[dict] | None = None, params: dict | None = None) -> dict:
    """The indicator-table row of a single indicator for YEAR."""
    ind, res = tables([card or {}], rows or [])
    table = motor.indicator_table(ind, res, YEAR, params)
    assert len(table) == 1
    return table.iloc[0].to_dict()


def measured(ref: str, result: str, sentido: str = "ascendente", **card) -> dict:
    """Reference in the baseline-year row, result in the year's row."""
    return one({"sentido": sentido, **card},
               [{"anio": "2022", "valor": ref}, {"anio": "2023", "valor": result}])


def is_na(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


# ---------------------------------------------------------------- semáforo boundaries (tolerance 0.01)

BOUNDARIES = [
    # sentido, reference, result, expected
    ("ascendente", "10", "10.01", "igual"),
    ("ascendente", "10", "10.02", "con_avance"),
    ("ascendente", "10", "9.99", "igual"),
    ("ascendente", "10", "9.98", "sin_avance"),
    ("ascendente", "10", "10", "igual"),
    ("ascendente", "0", "0.01", "igual"),
    ("ascendente", "0", "0.02", "con_avance"),
    ("ascendente", "11.79", "12", "con_avance"),
    ("ascendente", "84.20", "84.21", "igual"),
    ("ascendente", "-5", "-4.98", "con_avance"),
    ("descendente", "10", "10.01", "igual"),
    ("descendente", "10", "10.02", "sin_avance"),
    ("descendente", "10", "9.99", "igual"),
    ("descendente", "10", "9.98", "con_avance"),
    ("descendente", "10", "10", "igual"),
    ("descendente", "15", "12", "con_avance"),
    ("descendente", "12", "15", "sin_avance"),
]


@pytest.mark.parametrize("sentido, ref, result, expected", BOUNDARIES)
def test_semaforo_boundaries(sentido, ref, result, expected):
    row = measured(ref, result, sentido)
    assert row["semaforo"] == expected
    assert row["linea_base_valor"] == pytest.approx(float(ref))
    assert row["resultado_valor"] == pytest.approx(float(result))
    assert row["referencia_origen"] == "resultados"


@pytest.mark.parametrize("sentido, ref, result, expected", BOUNDARIES)
def test_semaforo_function_agrees(sentido, ref, result, expected):
    assert motor.semaforo(float(ref), float(result), sentido) == expected


# ---------------------------------------------------------------- sin información

SIN_INFORMACION = [
    ("estado-ND", CARD, [{"anio": "2022", "valor": "10"}, {"estado": "ND"}], "ND"),
    ("estado-pendiente", CARD, [{"anio": "2022", "valor": "10"}, {"estado": "pendiente"}], "pendiente"),
    ("estado-ND-con-valor", CARD, [{"anio": "2022", "valor": "10"}, {"estado": "ND", "valor": "50"}], "ND"),
    ("sin-fila-del-anio", CARD, [{"anio": "2022", "valor": "10"}], None),
    ("fila-sin-valor-ni-estado", CARD, [{"anio": "2022", "valor": "10"}, {}], None),
    ("sin-referencia", {"linea_base_valor": ""}, [{"valor": "50"}], None),
    ("sin-referencia-fila-base-ND", {"linea_base_valor": ""},
     [{"anio": "2022", "estado": "ND"}, {"valor": "50"}], None),
]


@pytest.mark.parametrize("card, rows, estado", [pytest.param(*c[1:], id=c[0]) for c in SIN_INFORMACION])
def test_sin_informacion(card, rows, estado):
    row = one(card, rows)
    assert row["semaforo"] == "sin_informacion"
    assert is_na(row["avance_meta_pct"])
    assert (is_na(row["estado"]) if estado is None else row["estado"] == estado)
    if estado is not None:
        assert is_na(row["resultado_valor"])  # a value next to ND/pendiente is not used


def test_no_reference_leaves_reference_empty():
    row = one({"linea_base_valor": ""}, [{"valor": "50"}])
    assert is_na(row["linea_base_valor"])
    assert is_na(row["referencia_origen"])
    assert row["resultado_valor"] == 50


# ---------------------------------------------------------------- where the reference comes from

def test_reference_from_baseline_year_row_wins_over_card():
    row = one({"linea_base_valor": "5"}, [{"anio": "2022", "valor": "8"}, {"valor": "7"}])
    assert row["linea_base_valor"] == 8
    assert row["referencia_origen"] == "resultados"
    assert row["semaforo"] == "sin_avance"


def test_reference_from_card_when_baseline_row_absent():
    row = one({"linea_base_valor": "5"}, [{"valor": "7"}])
    assert row["linea_base_valor"] == 5
    assert row["referencia_origen"] == "cedula"
    assert row["semaforo"] == "con_avance"


def test_reference_from_card_when_baseline_year_differs_from_rows():
    # the OM-5-07 situation: card baseline year 2021, rows for 2022 and 2023 only
    row = one({"linea_base_anio": "2021", "linea_base_valor": "5"},
              [{"anio": "2022", "valor": "8"}, {"valor": "7"}])
    assert row["linea_base_valor"] == 5
    assert row["referencia_origen"] == "cedula"
    assert row["linea_base_anio"] == 2021


def test_reference_from_card_when_baseline_row_is_nd():
    row = one({"linea_base_valor": "5"}, [{"anio": "2022", "estado": "ND"}, {"valor": "7"}])
    assert row["linea_base_valor"] == 5
    assert row["referencia_origen"] == "cedula"


def test_reference_keeps_published_decimals():
    row = one({"linea_base_valor": "41.1"}, [{"anio": "2022", "valor": "41.10"}, {"valor": "84.20"}])
    assert row["referencia_decimales"] == 2
    assert row["resultado_decimales"] == 2
    card_only = one({"linea_base_valor": "41.1"}, [{"valor": "84.20"}])
    assert card_only["referencia_decimales"] == 1


# ---------------------------------------------------------------- zero-zero

@pytest.mark.parametrize("switch, expected", [(True, "sin_informacion"), (False, "igual")])
def test_cero_cero(switch, expected):
    rows = [{"anio": "2022", "valor": "0"}, {"valor": "0"}]
    assert one({}, rows, {"cero_cero_sin_informacion": switch})["semaforo"] == expected


def test_cero_cero_default_is_sin_informacion():
    assert one({}, [{"anio": "2022", "valor": "0"}, {"valor": "0"}])["semaforo"] == "sin_informacion"


def test_zero_reference_with_a_result_is_measured():
    assert one({}, [{"anio": "2022", "valor": "0"}, {"valor": "43"}])["semaforo"] == "con_avance"


# ---------------------------------------------------------------- numerador / denominador

@pytest.mark.parametrize("unit, expected", [("porcentaje", 50.0), ("numero", 0.5), ("indice", 0.5),
                                            (" porcentaje ", 50.0)])
def test_ratio_by_unit(unit, expected):
    row = one({"unidad_medida": unit}, [{"numerador": "45", "denominador": "90"}])
    assert row["resultado_valor"] == pytest.approx(expected)
    assert is_na(row["resultado_decimales"])  # computed, not typed by hand


def test_ratio_wins_over_valor():
    row = one({}, [{"valor": "50.004", "numerador": "45", "denominador": "90"}])
    assert row["resultado_valor"] == pytest.approx(50.0)


def test_ratio_in_baseline_row():
    row = one({"unidad_medida": "numero"}, [{"anio": "2022", "numerador": "30", "denominador": "2"},
                                            {"valor": "14"}])
    assert row["linea_base_valor"] == pytest.approx(15.0)
    assert row["semaforo"] == "sin_avance"


# ---------------------------------------------------------------- progress toward the target

AVANCE = [
    # sentido, unit, reference, result, meta, expected avance_meta_pct, expected semáforo
    ("ascendente", "porcentaje", "10", "15", "20", 50.0, "con_avance"),
    ("descendente", "porcentaje", "20", "15", "10", 50.0, "con_avance"),
    ("descendente", "porcentaje", "20", "25", "10", -50.0, "sin_avance"),
    ("ascendente", "porcentaje", "0", "84.20", "80", 105.25, "con_avance"),
    ("ascendente", "numero", "100", "150", "200", 50.0, "con_avance"),
    ("descendente", "numero", "15", "12", "8", 300 / 7, "con_avance"),
    ("ascendente", "porcentaje", "40", "50", "40", None, "con_avance"),  # meta = reference
    ("ascendente", "porcentaje", "40", "40", "40", None, "igual"),
]


@pytest.mark.parametrize("sentido, unit, ref, result, meta, avance, status", AVANCE)
def test_avance_meta(sentido, unit, ref, result, meta, avance, status):
    row = measured(ref, result, sentido, unidad_medida=unit, meta_valor=meta)
    assert row["semaforo"] == status
    assert row["unidad_medida"] == unit
    if avance is None:
        assert is_na(row["avance_meta_pct"])
    else:
        assert row["avance_meta_pct"] == pytest.approx(avance)


def test_avance_meta_function():
    assert motor.avance_meta(20, 15, 10) == pytest.approx(50.0)
    assert motor.avance_meta(10, 15, 20) == pytest.approx(50.0)
    assert motor.avance_meta(10, 15, 10) is None
    assert motor.avance_meta(None, 15, 10) is None


# ---------------------------------------------------------------- tolerance from params

@pytest.mark.parametrize("result, expected", [("10.4", "igual"), ("10.5", "igual"), ("10.6", "con_avance"),
                                              ("9.6", "igual"), ("9.4", "sin_avance")])
def test_custom_tolerance(result, expected):
    rows = [{"anio": "2022", "valor": "10"}, {"valor": result}]
    assert one({}, rows, {"tolerancia_igual": 0.5})["semaforo"] == expected


def test_custom_tolerance_from_params_file(tmp_path):
    path = tmp_path / "2023.yaml"
    path.write_text("anio: 2023\ntolerancia_igual: 0.5\n", encoding="utf-8")
    params = load_params(2023, path)
    rows = [{"anio": "2022", "valor": "10"}, {"valor": "10.4"}]
    assert one({}, rows, params)["semaforo"] == "igual"
    assert one({}, rows)["semaforo"] == "con_avance"


def test_zero_tolerance():
    rows = [{"anio": "2022", "valor": "10"}, {"valor": "10.01"}]
    assert one({}, rows, {"tolerancia_igual": 0})["semaforo"] == "con_avance"


# ---------------------------------------------------------------- property: direction symmetry

SWAP = {"con_avance": "sin_avance", "sin_avance": "con_avance", "igual": "igual",
        "sin_informacion": "sin_informacion"}
reasonable = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=500, deadline=None)
@given(ref=reasonable | st.sampled_from([0.0, 10.0]), result=reasonable | st.sampled_from([0.0, 10.01, 9.99]),
       tolerance=st.sampled_from([0.0, 0.01, 0.5]), zero=st.booleans())
def test_swapping_direction_swaps_status(ref, result, tolerance, zero):
    options = {"tolerancia_igual": tolerance, "cero_cero_sin_informacion": zero}
    up = motor.semaforo(ref, result, "ascendente", **options)
    down = motor.semaforo(ref, result, "descendente", **options)
    assert up in motor.STATUSES
    assert down == SWAP[up]


@settings(max_examples=40, deadline=None)
@given(ref=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
       result=st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_swapping_direction_in_indicator_table(ref, result):
    rows = [{"indicador_id": iid, "anio": anio, "valor": str(v)}
            for iid in ("UP", "DOWN") for anio, v in (("2022", ref), ("2023", result))]
    ind, res = tables([{"indicador_id": "UP", "sentido": "ascendente"},
                       {"indicador_id": "DOWN", "sentido": "descendente"}], rows)
    table = motor.indicator_table(ind, res, YEAR).set_index("indicador_id")
    assert table.loc["DOWN", "semaforo"] == SWAP[table.loc["UP", "semaforo"]]


# ---------------------------------------------------------------- indicator table shape

def test_indicator_table_columns_and_order():
    ind, res = tables([{"indicador_id": "B-1"}, {"indicador_id": "A-1", "objetivo_id": "2"}],
                      [{"indicador_id": "A-1", "valor": "3"}, {"indicador_id": "B-1", "valor": "4"}],
                      objetivos=(1, 2))
    table = motor.indicator_table(ind, res, YEAR)
    assert list(table.columns[: len(motor.EXPORT_COLUMNS)]) == motor.EXPORT_COLUMNS
    assert list(table["indicador_id"]) == ["B-1", "A-1"]  # card order, not sorted
    assert list(table["resultado_anio"]) == [YEAR, YEAR]
    assert str(table["avance_meta_pct"].dtype) == "Float64"


# ---------------------------------------------------------------- summary

SUMMARY_COLUMNS = ["objetivo_id", "indicadores", "con_avance", "sin_avance", "igual", "sin_informacion", "no_aplica"]


def test_summary_per_objective_and_total():
    cards = [{"indicador_id": "A", "objetivo_id": "1"}, {"indicador_id": "B", "objetivo_id": "1"},
             {"indicador_id": "C", "objetivo_id": "2", "sentido": "descendente"},
             {"indicador_id": "D", "objetivo_id": "2"}, {"indicador_id": "E", "objetivo_id": "4"}]
    rows = []
    for iid, ref, result in [("A", "10", "20"), ("B", "10", "5"), ("C", "10", "20"), ("D", "10", "10"),
                             ("E", "0", "0")]:
        rows += [{"indicador_id": iid, "anio": "2022", "valor": ref},
                 {"indicador_id": iid, "anio": "2023", "valor": result}]
    ind, res = tables(cards, rows, objetivos=(1, 2, 3, 4))
    table = motor.indicator_table(ind, res, YEAR)
    got = motor.summary(table, [1, 2, 3, 4])
    expected = pd.DataFrame(
        [["1", 2, 1, 1, 0, 0, 0], ["2", 2, 0, 1, 1, 0, 0], ["3", 0, 0, 0, 0, 0, 0], ["4", 1, 0, 0, 0, 1, 0],
         ["total", 5, 1, 2, 1, 1, 0]], columns=SUMMARY_COLUMNS)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert list(got.columns) == SUMMARY_COLUMNS
    assert list(motor.SUMMARY_COLUMNS) == SUMMARY_COLUMNS


def test_summary_without_objective_list_uses_the_table():
    ind, res = tables([{"objetivo_id": "2"}], [{"anio": "2022", "valor": "1"}, {"valor": "2"}], objetivos=(2,))
    got = motor.summary(motor.indicator_table(ind, res, YEAR))
    assert list(got["objetivo_id"]) == ["2", "total"]
    assert got.iloc[-1][SUMMARY_COLUMNS[1:]].tolist() == [1, 1, 0, 0, 0, 0]


# ---------------------------------------------------------------- series

def test_series_every_year_in_order():
    cards = [{"indicador_id": "B", "nombre": "Bravo"}, {"indicador_id": "A", "nombre": "Alfa",
                                                        "unidad_medida": "numero"}]
    rows = [{"indicador_id": "A", "anio": "2023", "estado": "ND"},
            {"indicador_id": "B", "anio": "2023", "valor": "30"},
            {"indicador_id": "A", "anio": "2021", "numerador": "10", "denominador": "4"},
            {"indicador_id": "B", "anio": "2021", "valor": "10"},
            {"indicador_id": "A", "anio": "2022", "valor": "3"},
            {"indicador_id": "B", "anio": "2022", "numerador": "1", "denominador": "5"}]
    ind, res = tables(cards, rows)
    got = motor.series(ind, res)
    assert list(got.columns) == ["indicador_id", "objetivo_id", "nombre", "anio", "valor", "estado", "nota"]
    assert list(zip(got["indicador_id"], got["anio"])) == [
        ("B", 2021), ("B", 2022), ("B", 2023), ("A", 2021), ("A", 2022), ("A", 2023)]
    assert got["valor"].tolist()[:5] == pytest.approx([10.0, 20.0, 30.0, 2.5, 3.0])
    assert got["valor"].isna().tolist() == [False] * 5 + [True]
    assert got["estado"].tolist()[5] == "ND"
    assert got["nombre"].tolist()[0] == "Bravo"
    wide = motor.series_wide(got)
    assert list(wide.index) == ["B", "A"]
    assert list(wide.columns) == [2021, 2022, 2023]


# ---------------------------------------------------------------- params

def write(tmp_path, text: str, name: str = "2030.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_params_defaults(tmp_path):
    params = load_params(2030, write(tmp_path, "anio: 2030\n"))
    assert params == {"anio": 2030, "titulo": "Informe Anual de Resultados 2030", "tolerancia_igual": 0.01,
                      "cero_cero_sin_informacion": True, "fecha_publicacion": None,
                      "secciones": SECTION_TITLES, "encabezados": HEADERS, "incluir_calidad": False,
                      "umbral_en_trayectoria": 0.95, "umbral_avance_moderado": 0.5}
    assert set(params) == set(DEFAULTS) | {"anio"}


def test_params_running_headers(tmp_path):
    """One short line per section at the top of the printed page, whatever the section's title; «encabezados»
    replaces any; too long, several lines or an unknown section is a problem."""
    params = load_params(2030, write(tmp_path, 'anio: 2030\nsecciones:\n  6: "Síntesis de un título muy largo"\n'
                                                'encabezados:\n  7: "VII. Resultados"\n'))
    assert params["encabezados"][6] == HEADERS[6] and params["encabezados"][7] == "VII. Resultados"
    assert params["encabezados"][1] == params["encabezados"][5] == HEADERS[1]
    for text, fragment in [('encabezados:\n  11: "XI"\n', "«encabezados» tiene la clave «11»"),
                           ('encabezados:\n  7: "' + "x" * 61 + '"\n', "tiene 61 caracteres; el máximo es 60"),
                           ('encabezados:\n  7: "uno\\ndos"\n', "de una línea")]:
        with pytest.raises(InformeError, match=fragment):
            load_params(2030, write(tmp_path, "anio: 2030\n" + text))


def test_params_section_titles_replace_the_defaults_they_name(tmp_path):
    params = load_params(2030, write(tmp_path, 'anio: 2030\nsecciones:\n  4: "Alineación con el PED"\n'))
    assert params["secciones"][4] == "Alineación con el PED"
    assert params["secciones"][5] == SECTION_TITLES[5]
    published = load_params(2023)["secciones"]
    assert published[4].startswith("Alineación de los Programa de Mediano Plazo")


@pytest.mark.parametrize("text", ['secciones:\n  11: "Otra"\n', 'secciones:\n  4: ""\n', "secciones: 4\n",
                                  "incluir_calidad: si\n"])
def test_params_bad_section_titles_are_rejected(tmp_path, text):
    with pytest.raises(InformeError):
        load_params(2030, write(tmp_path, "anio: 2030\n" + text))


def test_params_reference_year():
    params = load_params(2023)
    assert params["anio"] == 2023
    assert params["tolerancia_igual"] == 0.01
    assert params["cero_cero_sin_informacion"] is True
    assert params["titulo"] == "Informe Anual de Resultados 2023"


def test_params_missing_file_not_required(tmp_path):
    params = load_params(2030, tmp_path / "no-existe.yaml", required=False)
    assert params["anio"] == 2030
    assert params["tolerancia_igual"] == DEFAULTS["tolerancia_igual"]


@pytest.mark.parametrize("text, year, fragment", [
    ("anio: 2030\ncolor: rojo\n", 2030, "claves desconocidas: color"),
    ("anio: 2030\ntolerancia_igual: mucho\n", 2030, "«tolerancia_igual» tiene el valor «mucho» de tipo inválido"),
    ("anio: 2030\ntolerancia_igual: true\n", 2030, "tipo inválido"),
    ("anio: 2030\ncero_cero_sin_informacion: 1\n", 2030, "«cero_cero_sin_informacion»"),
    ("anio: 2030\ntitulo: 7\n", 2030, "«titulo»"),
    ("anio: 2030\ntolerancia_igual: -0.1\n", 2030, "no puede ser negativa"),
    ("anio: 2030\n", 2031, "dice «anio: 2030» pero se pidió el año 2031"),
    ("anio: dos mil treinta\n", 2030, "falta «anio:»"),
    ("titulo: Informe\n", 2030, "falta «anio:»"),
    ("anio: 2030\n  tolerancia_igual: [\n", 2030, "YAML mal formado"),
    # the title's placeholders: only {anio} (these were a KeyError, an IndexError and a ValueError)
    ('anio: 2030\ntitulo: "Informe {año}"\n', 2030, "«titulo» usa «{año}»"),
    ('anio: 2030\ntitulo: "Informe {0}"\n', 2030, "«titulo» usa «{0}»"),
    ('anio: 2030\ntitulo: "Informe {}"\n', 2030, "«titulo» usa «{}»"),
    # a publication date that is not one: the build used to fail on it after validate passed
    ('anio: 2030\nfecha_publicacion: "mañana"\n', 2030, "«fecha_publicacion» vale «mañana», que no es una fecha"),
    ('anio: 2030\nfecha_publicacion: "2031-02-30"\n', 2030, "que no es una fecha"),
    # an unquoted date that does not exist: datetime's ValueError escaped the YAML reader
    ("anio: 2030\nfecha_publicacion: 2031-13-45\n", 2030, "«2031-13-45» parece una fecha pero no existe (el mes va"),
    ("anio: 2030\nfecha_publicacion: 2031-02-30\n", 2030, "ese mes no tiene ese día"),
])
def test_params_errors(tmp_path, text, year, fragment):
    path = write(tmp_path, text)
    with pytest.raises(InformeError) as info:
        load_params(year, path)
    message = str(info.value)
    assert fragment in message
    assert str(path) in message


def test_params_title_braces_other_than_a_placeholder_are_text(tmp_path):
    path = write(tmp_path, 'anio: 2030\ntitulo: "Informe { {anio} }"\n')
    assert load_params(2030, path)["titulo"] == "Informe { 2030 }"


def test_params_a_date_is_kept_as_iso_text(tmp_path):
    path = write(tmp_path, "anio: 2030\nfecha_publicacion: 2031-02-20\n")
    assert load_params(2030, path)["fecha_publicacion"] == "2031-02-20"


def test_params_year_must_be_a_number_not_a_boolean(tmp_path):
    path = write(tmp_path, "anio: true\n")
    with pytest.raises(InformeError, match="falta «anio:»"):
        load_params(path=path)


def test_params_missing_file(tmp_path):
    path = tmp_path / "2030.yaml"
    with pytest.raises(InformeError) as info:
        load_params(2030, path)
    message = str(info.value)
    assert str(path) in message
    assert "No existe el archivo de parámetros" in message
    assert "anio: 2030" in message


# ---------------------------------------------------------------- contract v3: frequencies less than yearly


BIENNIAL = {"frecuencia": "bienal", "linea_base_anio": "2019", "meta_anio": "2025", "meta_valor": "80"}


def test_a_biennial_indicator_without_a_result_this_year_shows_its_latest_measurement():
    row = one(BIENNIAL, [{"anio": "2019", "valor": "20"}, {"anio": "2021", "valor": "50"}])
    assert (row["resultado_anio"], row["resultado_valor"], row["semaforo"]) == (2021, 50.0, "con_avance")
    assert row["avance_meta_pct"] == pytest.approx(50.0)  # (50 - 20) / (80 - 20)
    assert row["avance_esperado_pct"] == pytest.approx(100 * 2 / 6), "expected progress in 2021, not 2023"
    assert row["trayectoria"] == "en_trayectoria"


@pytest.mark.parametrize("frecuencia", ["bienal", "trienal", "quinquenal", "sexenal", "irregular"])
def test_an_nd_row_of_the_year_gives_way_to_the_latest_measurement(frecuencia):
    row = one({**BIENNIAL, "frecuencia": frecuencia},
              [{"anio": "2019", "valor": "20"}, {"anio": "2021", "valor": "50"}, {"anio": "2023", "estado": "ND"}])
    assert (row["resultado_anio"], row["estado"]) == (2021, None)


def test_the_result_of_the_year_wins_and_nothing_after_it_counts():
    rows = [{"anio": "2019", "valor": "20"}, {"anio": "2021", "valor": "50"}, {"anio": "2023", "valor": "60"},
            {"anio": "2024", "valor": "70"}]
    assert (one(BIENNIAL, rows)["resultado_anio"], one(BIENNIAL, rows)["resultado_valor"]) == (2023, 60.0)
    assert one(BIENNIAL, rows[:2] + rows[3:])["resultado_anio"] == 2021, "2024 is after the report's year"


def test_a_measurement_of_the_baseline_year_is_not_a_result():
    row = one(BIENNIAL, [{"anio": "2019", "valor": "20"}])
    assert (row["resultado_anio"], row["semaforo"]) == (YEAR, "sin_informacion")
    assert row["resultado_valor"] is pd.NA or pd.isna(row["resultado_valor"])


def test_annual_and_more_frequent_indicators_never_carry_a_result():
    for frecuencia in ("anual", "semestral", "trimestral", "mensual"):
        row = one({**BIENNIAL, "frecuencia": frecuencia}, [{"anio": "2019", "valor": "20"}, {"anio": "2021", "valor": "50"}])
        assert (row["resultado_anio"], row["semaforo"]) == (YEAR, "sin_informacion"), frecuencia


# ---------------------------------------------------------------- contract v3: no direction, interim targets

def test_no_direction_is_no_aplica_once_there_is_a_result_and_a_reference():
    row = measured("40", "55", "no_aplica")
    assert (row["semaforo"], row["trayectoria"]) == ("no_aplica", "no_aplica")
    assert row["avance_meta_pct"] == pytest.approx(25.0)  # (55 - 40) / (100 - 40): progress is still computed
    assert measured("40", "40", "no_aplica")["semaforo"] == "no_aplica"  # not «igual»: there is no better side
    # the sin_informacion rules come first: no result, no reference, or both 0
    assert one({"sentido": "no_aplica"}, [{"anio": "2022", "valor": "40"}, {"estado": "ND"}])["semaforo"] \
        == "sin_informacion"
    assert one({"sentido": "no_aplica"}, [{"valor": "40"}])["semaforo"] == "sin_informacion"
    assert measured("0", "0", "no_aplica")["semaforo"] == "sin_informacion"
    assert one({"sentido": "no_aplica"}, [{"anio": "2022", "valor": "40"}, {"estado": "ND"}])["trayectoria"] \
        == "no_aplica"


def test_no_target_and_no_direction_together():
    row = measured("40", "55", "no_aplica", meta_anio="", meta_valor="")
    assert (row["semaforo"], row["trayectoria"]) == ("no_aplica", "sin_meta")
    assert is_na(row["avance_meta_pct"]) and is_na(row["avance_esperado_pct"]) and is_na(row["meta_intermedia"])


def test_summaries_count_no_aplica():
    ind, res = tables([{"indicador_id": "A"}, {"indicador_id": "B", "sentido": "no_aplica"}],
                      [{"indicador_id": i, "anio": a, "valor": v} for i in "AB" for a, v in (("2022", "10"), ("2023", "20"))])
    table = motor.indicator_table(ind, res, YEAR)
    assert motor.summary(table).iloc[-1][["con_avance", "no_aplica"]].tolist() == [1, 1]
    trajectories = motor.trajectory_summary(table)
    assert "no_aplica" in trajectories and trajectories.iloc[-1]["no_aplica"] == 1 and "sin_meta" not in trajectories
    assert "no_aplica" not in motor.trajectory_summary(table[table["indicador_id"] == "A"])


def interim(card: dict, rows: list[dict], metas: list[tuple[str, str]], year: int = YEAR) -> dict:
    """The indicator-table row of X-1 with interim targets ``metas`` [(anio, meta_valor)] in metas.csv."""
    frames = typed({
        "objetivos.csv": _raw([{"objetivo_id": "1", "nombre": "Objetivo 1"}], ["objetivo_id", "nombre"]),
        "estrategias.csv": _raw([], ["estrategia_id", "objetivo_id", "nombre"]),
        "indicadores.csv": _raw([{**CARD, **card}], list(CARD)),
        "resultados.csv": _raw([{**ROW, **r} for r in rows], list(ROW)),
        "metas.csv": _raw([{"indicador_id": "X-1", "anio": a, "meta_valor": v} for a, v in metas],
                          ["indicador_id", "anio", "meta_valor"]),
    })
    table = motor.indicator_table(frames["indicadores"], frames["resultados"], year, metas=frames["metas"])
    return table.iloc[0].to_dict()


TARGET = {"linea_base_anio": "2022", "meta_anio": "2027", "meta_valor": "70"}
MEASURED = [{"anio": "2022", "valor": "20"}, {"anio": "2023", "valor": "26"}]


def test_an_interim_target_of_the_result_year_replaces_the_straight_line():
    row = interim(TARGET, MEASURED, [("2023", "25"), ("2024", "35"), ("2027", "70")])
    assert row["meta_intermedia"] == 25.0
    assert row["avance_esperado_pct"] == pytest.approx(10.0)  # (25 - 20) / (70 - 20), not 20 (one year of five)
    assert row["avance_meta_pct"] == pytest.approx(12.0) and row["trayectoria"] == "en_trayectoria"  # 12 / 10
    straight = interim(TARGET, MEASURED, [("2024", "35")])  # no interim target for 2023: the straight line
    assert is_na(straight["meta_intermedia"]) and straight["avance_esperado_pct"] == pytest.approx(20.0)
    assert straight["trayectoria"] == "avance_moderado"  # 12 / 20 = 0.6


def test_an_interim_target_equal_to_the_reference_expects_no_progress():
    row = interim(TARGET, MEASURED, [("2023", "20")])
    assert row["avance_esperado_pct"] == pytest.approx(0.0)
    assert row["trayectoria"] == "sin_informacion"  # the thresholds do not change: no expected progress to compare


def test_an_interim_target_is_capped_at_100_and_works_downwards():
    assert interim(TARGET, MEASURED, [("2023", "75")])["avance_esperado_pct"] == pytest.approx(100.0)
    down = interim({**TARGET, "sentido": "descendente", "meta_valor": "10"},
                   [{"anio": "2022", "valor": "20"}, {"anio": "2023", "valor": "17"}], [("2023", "16")])
    assert down["avance_esperado_pct"] == pytest.approx(40.0)  # (16 - 20) / (10 - 20)
    assert down["avance_meta_pct"] == pytest.approx(30.0) and down["trayectoria"] == "avance_moderado"  # 0.75


def test_a_carried_result_is_judged_against_the_interim_target_of_its_own_year():
    card = {**TARGET, "frecuencia": "bienal"}
    row = interim(card, [{"anio": "2022", "valor": "20"}, {"anio": "2023", "valor": "26"}],
                  [("2023", "25"), ("2024", "35")], year=2024)
    assert (row["resultado_anio"], row["meta_intermedia"]) == (2023, 25.0)
    assert row["avance_esperado_pct"] == pytest.approx(10.0)


# ---------------------------------------------------------------- contract v3: several programmes

def programmes(assignments: dict[str, str], order: list[str]):
    """(objetivos, programas) typed: objective id → programa_id, programmes in ``order``."""
    frames = typed({
        "objetivos.csv": _raw([{"objetivo_id": o, "nombre": f"Objetivo {o}", "programa_id": p}
                               for o, p in assignments.items()], ["objetivo_id", "nombre", "programa_id"]),
        "estrategias.csv": _raw([], ["estrategia_id", "objetivo_id", "nombre"]),
        "indicadores.csv": _raw([], list(CARD)),
        "resultados.csv": _raw([], list(ROW)),
        "programas.csv": _raw([{"programa_id": p, "nombre": f"Programa {p}", "tipo": "sectorial"} for p in order],
                              ["programa_id", "nombre", "tipo"]),
    })
    return frames["objetivos"], frames["programas"]


def test_objectives_are_grouped_by_programme_in_the_programmes_order():
    objetivos, _ = programmes({"1": "PE", "2": "PS", "3": "PE", "4": "PS"}, ["PS", "PE"])
    assert objetivos["objetivo_id"].tolist() == [2, 4, 1, 3]


def test_subtotals_per_programme_before_the_total():
    objetivos, programas = programmes({"1": "PS", "2": "PE", "3": "PS"}, ["PS", "PE"])
    cards = [{"indicador_id": i, "objetivo_id": o} for i, o in (("A", "1"), ("B", "2"), ("C", "3"), ("D", "3"))]
    rows = [{"indicador_id": i, "anio": a, "valor": v} for i in "ABCD" for a, v in (("2022", "10"), ("2023", "20"))]
    rows[-1]["valor"] = "5"  # D falls
    ind, res = tables(cards, rows, objetivos=(1, 2, 3))
    counts = motor.with_subtotals(motor.summary(motor.indicator_table(ind, res, YEAR), [2, 1, 3]), objetivos,
                                  programas)
    got = counts[["objetivo_id", "indicadores", "con_avance", "sin_avance"]].values.tolist()
    assert got == [["1", 1, 1, 0], ["3", 2, 1, 1], ["subtotal:PS", 3, 2, 1], ["2", 1, 1, 0],
                   ["subtotal:PE", 1, 1, 0], ["total", 4, 3, 1]]
    single = programas.iloc[:1]
    assert motor.with_subtotals(motor.summary(motor.indicator_table(ind, res, YEAR)), objetivos, single).equals(
        motor.summary(motor.indicator_table(ind, res, YEAR)))
