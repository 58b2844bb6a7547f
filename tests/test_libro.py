"""The workbook route: ``informe plantilla`` writes the contract as an Excel workbook, and every
``--data`` accepts that workbook (``informe.datos.libro``).

Fast: no notebook is executed. The workbooks are written by the program (``write_template``) or
by hand with openpyxl, as Excel or LibreOffice would save them (numbers as floats, number
formats, dates, formatted empty rows, formulas with their cached value).

Rows of the sheets written from ``tests/fixtures/minimal`` are the rows of its CSV files (see the
docstring of ``tests/test_validate.py``): resultados 2 AC-1-01 2022, 3 AC-1-01 2023
(numerador/denominador), 4 AC-1-02 2022, 5 AC-1-02 2023, 6 AC-2-01 2022, 7 AC-2-01 2023 (ND).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from edits import MINIMAL

from informe import cli, config
from informe.construccion import huella
from informe.datos import entradas, lectura, libro, narrativa, plantilla
from informe.datos.contrato import COLUMNS
from informe.datos.entradas import year_inputs
from informe.problemas import DataError, Problem

DATA = config.ROOT / "data"
TABLES = ("programas", "objetivos", "estrategias", "indicadores", "resultados", "metas")


@pytest.fixture(scope="module")
def book_of_data(tmp_path_factory) -> Path:
    """``informe plantilla --data data``, written once."""
    book = tmp_path_factory.mktemp("libro") / "libro.xlsx"
    assert cli.main(["plantilla", "--out", str(book), "--data", str(DATA)]) == 0
    return book


@pytest.fixture(scope="module")
def minimal_book(tmp_path_factory) -> Path:
    book = tmp_path_factory.mktemp("minimo") / "minimo.xlsx"
    assert plantilla.write_template(book, MINIMAL) == []
    return book


@pytest.fixture
def book(minimal_book, tmp_path) -> Path:
    """A copy of the workbook of the minimal fixture, to break."""
    target = tmp_path / "libro.xlsx"
    shutil.copy(minimal_book, target)
    return target


def edit(book: Path, cells: dict[tuple[str, str], object], formats: dict[tuple[str, str], str] | None = None) -> None:
    """Set cells ({(sheet, "C5"): value}) as a person would in a spreadsheet, and save."""
    workbook = openpyxl.load_workbook(book)
    for (sheet, coordinate), value in cells.items():
        workbook[sheet][coordinate] = value
    for (sheet, coordinate), number_format in (formats or {}).items():
        workbook[sheet][coordinate].number_format = number_format
    workbook.save(book)


def messages(book: Path) -> list[str]:
    return [str(p) for p in year_inputs(book, None, None, params_required=False).problems]


# ---------------------------------------------------------------- (a, b) the template of data/ is data/

def test_template_of_data_reads_back_to_the_same_tables(book_of_data):
    from_book, from_folder = entradas.load(book_of_data), entradas.load(DATA)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_folder, name))
    assert from_book.dependencia == from_folder.dependencia
    # the published precision survives: 84.20 is a number shown with two decimals
    assert from_folder.resultados["valor_decimales"].max() == 2
    raw_book, raw_folder = from_book.raw["resultados.csv"], from_folder.raw["resultados.csv"]
    assert raw_book[lectura.LINE].tolist() == raw_folder[lectura.LINE].tolist()  # same rows as the CSV


def test_the_example_agency_round_trips_with_its_programmes_and_interim_targets(tmp_path):
    """Contract v3's sheets: the workbook of the example agency (two programmes, interim targets, a published
    semáforo, no target, no direction) reads back to the same tables and the same computed indicators."""
    example = config.ROOT / "ejemplos" / "instituto-ejemplo"
    book = tmp_path / "ejemplo.xlsx"
    assert plantilla.write_template(book, example) == []
    workbook = openpyxl.load_workbook(book)
    assert [workbook["programas"].cell(1, k).value for k in (1, 2, 3)] == ["programa_id", "nombre", "tipo"]
    assert workbook["metas"].max_row == 10 and workbook["metas"]["C2"].number_format == "0"
    assert workbook["metas"]["C6"].value == 25.0 and workbook["metas"]["C6"].number_format == "0.0"
    from_book, from_folder = entradas.load(book), entradas.load(example)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(from_book, name), getattr(from_folder, name))
    assert len(from_book.programas) == 2 and len(from_book.metas) == 9
    from informe.calculo import motor
    for year in (2023, 2024, 2025):
        pd.testing.assert_frame_equal(motor.year_table(from_book, year), motor.year_table(from_folder, year))


def test_problems_of_the_new_sheets_name_the_sheet(tmp_path):
    example = config.ROOT / "ejemplos" / "instituto-ejemplo"
    book = tmp_path / "libro.xlsx"
    plantilla.write_template(book, example)
    edit(book, {("metas", "B2"): 2022, ("programas", "C3"): "federal", ("objetivos", "C2"): "PX"})
    found = messages(book)
    assert any(m.startswith("libro.xlsx, hoja «metas», fila 2, columna «anio»: valor «2022»: el año de una meta "
                            "intermedia de IEE-1-04 debe ser posterior a su línea base (2022)") for m in found), found
    assert any(m.startswith("libro.xlsx, hoja «programas», fila 3, columna «tipo»: valor «federal»") for m in found)
    assert any(m.startswith("libro.xlsx, hoja «objetivos», fila 2, columna «programa_id»: valor «PX»: no existe en "
                            "la hoja «programas»") for m in found), found


def test_empty_optional_sheets_are_as_if_absent(minimal_book):
    """The empty template has the sheets «programas» and «metas» (headers only): a workbook filled in without
    them is read as one agency with one programme and no interim targets."""
    dataset = entradas.load(minimal_book)
    assert dataset.programas.empty and dataset.metas.empty
    assert dataset.objetivos["programa_id"].isna().all()


def test_template_cells_are_numbers_with_the_published_decimals(book_of_data):
    ws = openpyxl.load_workbook(book_of_data)["resultados"]
    values = {(c.value, c.number_format) for row in ws.iter_rows(min_row=2, min_col=3, max_col=3) for c in row}
    assert (84.2, "0.00") in values and (25, "0") in values and (12.5, "0.0") in values
    assert ws["B2"].value == 2022 and ws["A2"].number_format == "@"


def test_validate_accepts_the_template_of_data(book_of_data, capsys):
    assert cli.main(["validate", "--data", str(book_of_data)]) == 0
    out = capsys.readouterr().out
    assert f"Datos válidos: {book_of_data}" in out and "Indicadores: 24" in out
    # data-quality warnings on the tables are named by sheet and row, not by CSV file and line
    assert f"AVISO {book_of_data.name}, hoja «indicadores», fila 2: " in out
    assert "AVISO indicadores.csv" not in out and "AVISO resultados.csv" not in out
    assert "pero la hoja «resultados» publica 12.5 para 2022" in out and "resultados.csv publica" not in out


def test_export_from_the_workbook_equals_the_export_from_data(book_of_data, tmp_path):
    for name, data in (("libro", book_of_data), ("carpeta", DATA)):
        assert cli.main(["export", "--year", "2023", "--data", str(data), "--out", str(tmp_path / name)]) == 0
    for file in ("indicadores_2023.csv", "resumen_2023.csv"):
        assert (tmp_path / "libro" / "datos" / file).read_bytes() == (tmp_path / "carpeta" / "datos" / file).read_bytes()


# ---------------------------------------------------------------- (c) one bad cell per rule

def test_bad_cells_name_the_workbook_sheet_row_and_column(book):
    edit(book, {("resultados", "C2"): "doce",            # valor not a number
                ("resultados", "A4"): "AC-9-99",         # unknown indicador_id
                ("indicadores", "J3"): "subiendo",       # sentido not in the list
                ("resultados", "A7"): "AC-2-01",         # (AC-2-01, 2022) twice: rows 6 and 7
                ("resultados", "B7"): 2022,
                ("resultados", "E3"): 0})                # denominador 0
    found = messages(book)
    assert found == [
        "libro.xlsx, hoja «indicadores», fila 3, columna «sentido»: valor «subiendo»: se esperaba uno de: "
        "ascendente, descendente, no_aplica.",
        "libro.xlsx, hoja «resultados», fila 2, columna «valor»: valor «doce»: se esperaba un número escrito con "
        "las cifras 0-9, con punto decimal y sin separador de miles (p. ej. 38.89).",
        "libro.xlsx, hoja «resultados», fila 4, columna «indicador_id»: valor «AC-9-99»: no existe en la hoja "
        "«indicadores» (columna indicador_id); corrija el identificador o agregue la fila que falta.",
        "libro.xlsx, hoja «resultados», fila 6, columna «anio»: valor «AC-2-01, 2022»: la combinación (indicador_id, "
        "anio) está repetida; debe haber una sola fila por indicador y año (también en la fila 7).",
        "libro.xlsx, hoja «resultados», fila 7, columna «anio»: valor «AC-2-01, 2022»: la combinación (indicador_id, "
        "anio) está repetida; debe haber una sola fila por indicador y año (también en la fila 6).",
        "libro.xlsx, hoja «resultados», fila 3, columna «denominador»: valor «0»: el denominador es 0; no se puede "
        "calcular el valor. Corrija el dato o deje vacíos numerador y denominador.",
    ]


def test_validate_prints_the_sheet_problems_and_exits_2(book, capsys):
    edit(book, {("resultados", "C2"): "doce"})
    assert cli.main(["validate", "--data", str(book)]) == 2
    out = capsys.readouterr().out
    assert ("ERROR libro.xlsx, hoja «resultados», fila 2, columna «valor»: valor «doce»: se esperaba un número escrito "
            "con las cifras 0-9, con punto decimal y sin separador de miles (p. ej. 38.89).") in out.splitlines()


def test_misspelled_and_missing_headers(book):
    edit(book, {("objetivos", "B1"): "nombres", ("resultados", "B1"): None})
    found = messages(book)
    assert ("libro.xlsx, hoja «objetivos», fila 1, columna «nombre»: valor «nombres»: falta la columna obligatoria "
            "«nombre»: el encabezado tiene «nombres», que parece ser esa columna mal escrita; cambie «nombres» por "
            "«nombre».") in found
    missing = [m for m in found if "hoja «resultados», fila 1, columna «anio»: falta la columna obligatoria «anio» "
               "en el encabezado" in m]
    assert len(missing) == 1
    # a value under a column without a name is not silently dropped
    assert any(m.startswith("libro.xlsx, hoja «resultados», fila 2: valor «2022»: hay un valor en la columna B, que "
                            "no tiene nombre en el encabezado") for m in found)


def test_missing_and_misspelled_sheets(book):
    workbook = openpyxl.load_workbook(book)
    workbook["resultados"].title = "Resultado"
    del workbook["estrategias"]
    workbook.save(book)
    found = messages(book)
    assert ("libro.xlsx, hoja «resultados»: falta la hoja obligatoria; el libro tiene la hoja «Resultado», que parece "
            "ser esa hoja con otro nombre; cámbiele el nombre a «resultados».") in found
    assert any(m.startswith("libro.xlsx, hoja «estrategias»: falta la hoja obligatoria; agregue una hoja llamada "
                            "exactamente «estrategias»") for m in found)


def test_dependencia_sheet_problems(book):
    edit(book, {("dependencia", "A3"): "gobiern", ("dependencia", "B2"): None, ("directorio", "A2"): "Lic. Ana"})
    found = messages(book)
    assert found[:4] == [
        "libro.xlsx, hoja «dependencia», fila 3, columna «clave»: valor «gobiern»: clave desconocida; ¿quiso decir "
        "«gobierno»? las claves válidas son: nombre, gobierno, siglas, lema, mision, vision.",
        "libro.xlsx, hoja «dependencia», fila 2, columna «valor»: la celda está vacía y la clave «nombre» es "
        "obligatoria (p. ej. «Oficialía Mayor»).",
        "libro.xlsx, hoja «dependencia», columna «clave»: falta la fila de la clave obligatoria «gobierno» con su "
        "valor (p. ej. «Gobierno del Estado de Sonora»).",
        "libro.xlsx, hoja «directorio», fila 2, columna «cargo»: la celda está vacía; cada persona lleva nombre y "
        "cargo.",
    ]


def test_an_emptied_optional_sheet_is_as_if_absent(book):
    workbook = openpyxl.load_workbook(book)
    workbook["enlaces"].delete_rows(1)
    workbook.save(book)
    assert messages(book) == [] and "enlaces" not in entradas.load(book).dependencia


def test_formula_errors_and_formulas_without_a_cached_value(book):
    edit(book, {("resultados", "C4"): "#DIV/0!", ("resultados", "C5"): "=10+2"})
    found = messages(book)
    assert ("libro.xlsx, hoja «resultados», fila 4, columna «valor»: valor «#DIV/0!»: la celda muestra el error "
            "#DIV/0! de una fórmula; corrija la fórmula o escriba el valor.") in found
    assert ("libro.xlsx, hoja «resultados», fila 5, columna «valor»: la celda tiene la fórmula «=10+2» sin valor "
            "calculado guardado; ábrala en Excel o LibreOffice y guarde el libro (así se guarda el valor), o escriba "
            "el valor en lugar de la fórmula.") in found
    assert len(found) == 2  # the cell is not reported again by the validator


def test_formula_with_a_cached_value_reads_the_value(book):
    edit(book, {("resultados", "C5"): "=10+2.5"}, {("resultados", "C5"): "0.00"})
    _cache_value(book, "C5", "12.5")  # what Excel and LibreOffice store beside the formula
    raw = entradas.load(book).raw["resultados.csv"]
    assert raw.loc[raw[lectura.LINE] == 5, "valor"].tolist() == ["12.50"]


def _cache_value(book: Path, coordinate: str, value: str) -> None:
    """Write the cached value of a formula into the sheet XML, as a spreadsheet program saves it."""
    data = io.BytesIO(book.read_bytes())
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                # openpyxl writes an empty value as <v/>, or as <v></v> when lxml is installed
                content = re.sub(rf'(<c r="{coordinate}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)'.encode(),
                                 rb"\g<1><v>" + value.encode() + b"</v>", content)
            out.writestr(item, content)


def _rewrite_results_xml(book: Path, pattern: str, replacement: str) -> None:
    """Change the XML of the «resultados» sheet as a damaged file would have it (the template's sheets are written
    in order: dependencia, directorio, enlaces, then the tables)."""
    number = 4 + list(libro.SHEETS.values()).index("resultados")
    data = io.BytesIO(book.read_bytes())
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{number}.xml":
                content, count = re.subn(pattern.encode(), replacement.encode(), content, count=1)
                assert count == 1, pattern
            out.writestr(item, content)


# openpyxl stopped with an IndexError or a ValueError on the first four, and moved or dropped the cell
# of the next ones without a word: each is now a problem naming the workbook, sheet, row and cell
DAMAGED = [
    ("texto-compartido", r'<c r="A2"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>', r'<c r="A2"\1 t="s"><v>99</v></c>',
     "fila 2: la celda «A2» apunta al texto compartido n.º 99, que no existe"),
    ("formato", r'<c r="B2" s="\d+"', '<c r="B2" s="999"', "fila 2: la celda «B2» usa el formato n.º 999, que no existe"),
    ("nan", r'(<c r="C2"[^>]*>)<v>40</v>', r"\1<v>NaN</v>", "fila 2: la celda «C2» guarda «NaN» como número"),
    ("texto-como-numero", r'(<c r="C2"[^>]*>)<v>40</v>', r"\1<v>cuarenta</v>",
     "fila 2: la celda «C2» guarda «cuarenta» como número, que no es un número"),
    ("referencia-al-reves", '<c r="B2"', '<c r="2B"', "fila 2: la celda «2B» tiene una referencia que no es válida"),
    ("fila-cero", '<c r="B2"', '<c r="B0"', "fila 2: la celda «B0» tiene una referencia que no es válida"),
    ("mas-alla-de-xfd", '<c r="B2"', '<c r="XFE2"', "fila 2: la celda «XFE2» tiene una referencia que no es válida"),
    ("en-otra-fila", '<c r="B2"', '<c r="B3"', "fila 2: la celda «B3» está guardada dentro de la fila 2"),
    ("numero-de-fila", '<row r="2"', '<row r="0"', "fila 1: la hoja tiene, después de la fila 1, una fila numerada «0», que no es válida"),
]


@pytest.mark.parametrize("pattern, replacement, fragment", [pytest.param(*case[1:], id=case[0]) for case in DAMAGED])
def test_damaged_cells_are_problems_naming_sheet_row_and_cell(book, pattern, replacement, fragment):
    _rewrite_results_xml(book, pattern, replacement)
    found = messages(book)
    assert [m for m in found if m.startswith(f"libro.xlsx, hoja «resultados», {fragment}")], found
    assert all("Excel" in m for m in found if "«resultados»" in m)  # each says how to repair it
    assert len([m for m in found if "«resultados»" in m]) == 1  # the sheet is not read: nothing else from it


def test_merged_cells_are_a_problem_naming_the_range(book):
    workbook = openpyxl.load_workbook(book)
    workbook["resultados"].merge_cells("G2:G4")
    workbook["directorio"].merge_cells("A2:B2")
    workbook.save(book)
    found = messages(book)
    assert ("libro.xlsx, hoja «resultados», fila 2: las celdas G2:G4 están combinadas: solo la primera guarda el "
            "valor y las demás filas quedarían vacías. Sepárelas (en Excel, Inicio › Combinar y centrar › Separar "
            "celdas) y escriba el valor en cada fila.") in found
    assert [m for m in found if m.startswith("libro.xlsx, hoja «directorio», fila 2: las celdas A2:B2 están combinadas")]


# ---------------------------------------------------------------- (d) cells as Excel and LibreOffice save them

def test_cells_as_a_spreadsheet_program_saves_them(book):
    edit(book, {("resultados", "B2"): 2022.0,                     # a year typed as a number
                ("resultados", "B4"): dt.datetime(2022, 1, 1),    # a year typed as a date
                ("resultados", "C4"): 0.15,                       # 15.00 shown as a percent
                ("resultados", "C6"): 70.5,                       # «General»: the shortest text
                ("resultados", "G2"): "   ",                      # only spaces: empty
                ("resultados", "G4"): dt.date(2023, 6, 13),       # a date elsewhere: ISO text
                ("resultados", "G6"): True,
                ("resultados", "A12"): None, ("resultados", "C30"): None},  # formatted empty rows below
         {("resultados", "C4"): "0.00%", ("resultados", "C6"): "General", ("resultados", "A12"): "@",
          ("resultados", "C30"): "0.00", ("resultados", "B4"): "dd/mm/yyyy"})
    raw = entradas.load(book).raw["resultados.csv"]
    rows = raw.set_index(lectura.LINE)
    assert list(raw[lectura.LINE]) == [2, 3, 4, 5, 6, 7]  # the formatted empty rows are not records
    assert rows.loc[2, "anio"] == "2022" and rows.loc[4, "anio"] == "2022"
    assert rows.loc[4, "valor"] == "15.00" and rows.loc[6, "valor"] == "70.5"
    assert rows.loc[2, "nota"] is None
    assert rows.loc[4, "nota"] == "2023-06-13" and rows.loc[6, "nota"] == "VERDADERO"


@pytest.mark.parametrize("value, number_format, text", [
    (2023.0, "General", "2023"), (2023, "General", "2023"), (84.2, "0.00", "84.20"), (84.2, "General", "84.2"),
    (0.842, "0.00%", "84.20"), (0.5, "0%", "50"), (0.1 + 0.2, "General", "0.3"), (84.205, "0.00", "84.21"),
    (1234567.891, "#,##0.00", "1234567.89"), (1.5, "0.0#;[Red]-0.0#", "1.5"), (1.25, "0.0#", "1.25"),
    (7, "0.00", "7.00"), (-0.001, "0.00", "0.00"), (-0.0, "General", "0"), (1e-05, "General", "0.00001"),
    (33.333333333333336, "General", "33.3333333333333"), (12.5, '0.00" km"', "12.50"), (3.0, "0.00E+00", "3"),
])
def test_number_text_is_what_the_sheet_shows(value, number_format, text):
    assert libro.number_text(value, number_format) == text


def test_dates_in_year_columns_are_years():
    assert libro.cell_text(dt.datetime(2023, 1, 1), "d", "dd/mm/yyyy", year=True) == "2023"
    assert libro.cell_text(dt.datetime(2023, 6, 13), "d", "dd/mm/yyyy") == "2023-06-13"
    assert libro.cell_text(dt.datetime(2023, 6, 13, 9, 30), "d", "dd/mm/yyyy h:mm") == "2023-06-13 09:30:00"
    assert libro.cell_text(False, "b") == "FALSO" and libro.cell_text(" \t ", "s") is None


# ---------------------------------------------------------------- (e, f) the empty template

def test_empty_template_has_headers_notes_lists_and_text_formats(tmp_path, capsys):
    out = tmp_path / "plantilla.xlsx"
    assert cli.main(["plantilla", "--out", str(out)]) == 0
    assert "Escrito" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["dependencia", "directorio", "enlaces", *TABLES]
    for sheet in TABLES:
        ws = workbook[sheet]
        header = [c.value for c in ws[1]]
        assert header == COLUMNS[f"{sheet}.csv"]
        for cell in ws[1]:
            assert cell.comment is not None and cell.comment.text == libro.note(sheet, cell.value)
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1
    assert workbook["indicadores"]["A1"].comment.text.startswith("Obligatoria. Clave del indicador")
    assert workbook["indicadores"]["C1"].comment.text.startswith("Opcional. Estrategia del indicador")
    assert [c.value for c in workbook["dependencia"]["A"]] == ["clave", "nombre", "gobierno", "siglas", "lema",
                                                               "mision", "vision"]

    def lists(sheet: str) -> dict[str, str]:
        return {str(v.sqref): v.formula1 for v in workbook[sheet].data_validations.dataValidation}

    assert lists("indicadores") == {"B2:B1048576": "objetivos!$A$2:$A$1048576",
                                    "C2:C1048576": "estrategias!$A$2:$A$1048576",
                                    "J2:J1048576": '"ascendente,descendente,no_aplica"',
                                    "K2:K1048576": '"anual,semestral,trimestral,mensual,bienal,trienal,quinquenal,sexenal,irregular"'}
    assert lists("estrategias") == {"B2:B1048576": "objetivos!$A$2:$A$1048576"}
    assert lists("objetivos") == {"C2:C1048576": "programas!$A$2:$A$1048576"}
    assert lists("programas") == {"C2:C1048576": '"sectorial,institucional,especial,regional"'}
    assert lists("metas") == {"A2:A1048576": "indicadores!$A$2:$A$1048576"}
    assert lists("resultados") == {"A2:A1048576": "indicadores!$A$2:$A$1048576", "F2:F1048576": '"ND,pendiente"',
                                   "I2:I1048576": '"con_avance,sin_avance,igual,sin_informacion,no_aplica"'}
    estrategias = workbook["estrategias"]
    assert estrategias.column_dimensions["A"].number_format == "@"  # «1.10» typed later stays text


def test_template_is_written_atomically_with_mode_0644(tmp_path):
    out = tmp_path / "libro.xlsx"
    plantilla.write_template(out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["libro.xlsx"]  # no temporary file left


def test_plantilla_does_not_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "libro.xlsx"
    out.write_bytes(b"trabajo de alguien")
    assert cli.main(["plantilla", "--out", str(out)]) == 2
    assert "ya existe" in capsys.readouterr().err and out.read_bytes() == b"trabajo de alguien"
    assert cli.main(["plantilla", "--out", str(out), "--force"]) == 0
    assert cli.main(["plantilla", "--out", str(tmp_path / "libro.csv")]) == 2


def test_template_of_invalid_data_keeps_the_data_and_lists_the_problems(tmp_path, capsys):
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    text = (data / "estrategias.csv").read_text(encoding="utf-8").replace("1.1,1,", "1.10,7,")
    (data / "estrategias.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "libro.xlsx"
    assert cli.main(["plantilla", "--out", str(out), "--data", str(data)]) == 0
    printed = capsys.readouterr().out
    assert "AVISO estrategias.csv, línea 2, columna «objetivo_id»: valor «7»" in printed
    assert openpyxl.load_workbook(out)["estrategias"]["A2"].value == "1.10"
    assert any("hoja «estrategias», fila 2, columna «objetivo_id»: valor «7»" in m for m in messages(out))


# ---------------------------------------------------------------- the workbook's folder

def test_narrative_params_and_outputs_go_by_the_workbook_folder(tmp_path):
    book = tmp_path / "sonora.xlsx"
    plantilla.write_template(book, DATA)
    shutil.copytree(DATA / "narrativa", tmp_path / "narrativa")
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "2023.yaml").write_text("anio: 2023\n", encoding="utf-8")
    assert config.data_folder(book) == tmp_path and config.data_folder(DATA) == DATA
    assert config.params_file(2023, book) == tmp_path / "params" / "2023.yaml"
    assert config.output_dir(2023, None, book) == config.OUTPUTS_DIR / "sonora" / "2023"
    assert narrativa.introduccion(book, 2023) == narrativa.introduccion(DATA, 2023)
    assert year_inputs(book, 2023, None).problems == []


def test_fingerprint_follows_the_workbook_and_the_narrative_beside_it(tmp_path):
    book = tmp_path / "libro.xlsx"
    plantilla.write_template(book, MINIMAL)
    (tmp_path / "otro.txt").write_text("no es parte de los datos", encoding="utf-8")
    before = huella.notebook_inputs(book, None, 2023)
    (tmp_path / "otro.txt").write_text("cambió", encoding="utf-8")
    assert huella.notebook_inputs(book, None, 2023) == before  # the rest of the folder is not data
    core = huella.build_inputs(before, book, 2023, ["html"])
    (tmp_path / "narrativa" / "2023").mkdir(parents=True)
    (tmp_path / "narrativa" / "2023" / "introduccion.md").write_text("Texto.\n", encoding="utf-8")
    assert huella.build_inputs(before, book, 2023, ["html"]) != core
    edit(book, {("resultados", "C2"): 41})
    assert huella.notebook_inputs(book, None, 2023) != before


# ---------------------------------------------------------------- what is not a workbook

def test_problem_says_fila_on_a_sheet_and_linea_in_a_csv():
    assert str(Problem("resultados.csv", "m.", line=5, column="valor")) == "resultados.csv, línea 5, columna «valor»: m."
    assert (str(Problem("libro.xlsx", "m.", line=5, column="valor", value="doce", sheet="resultados"))
            == "libro.xlsx, hoja «resultados», fila 5, columna «valor»: valor «doce»: m.")


def test_files_that_are_not_workbooks(tmp_path):
    fake = tmp_path / "libro.xlsx"
    fake.write_text("no es un zip", encoding="utf-8")
    assert [str(p) for p in entradas.check(fake)[1]] == [
        "libro.xlsx: no se puede abrir como libro de Excel (BadZipFile); ábralo en Excel o LibreOffice y guárdelo "
        "como «Libro de Excel (.xlsx)»."]
    with pytest.raises(DataError, match="el libro de datos no existe"):
        entradas.load(tmp_path / "falta.xlsx")
    old = tmp_path / "libro.xls"
    old.write_bytes(b"\xd0\xcf")
    with pytest.raises(DataError, match="no es una carpeta ni un libro de Excel .* Un libro .xls u .ods"):
        entradas.load(old)


def test_a_year_without_results_is_named_by_the_sheet(book_of_data, tmp_path, capsys):
    assert cli.main(["validate", "--data", str(book_of_data), "--year", "2026"]) == 2
    printed = capsys.readouterr()
    assert (f"{book_of_data.name}, hoja «resultados», columna «anio»: valor «2026»: no hay resultados"
            in printed.out + printed.err)
    params = tmp_path / "2026.yaml"
    params.write_text("anio: 2026\n", encoding="utf-8")
    assert cli.main(["export", "--data", str(book_of_data), "--year", "2026", "--params", str(params),
                     "--out", str(tmp_path / "o")]) == 2
    assert f"No hay resultados para el año 2026 en {book_of_data}, hoja «resultados»" in capsys.readouterr().err
