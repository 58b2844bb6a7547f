"""Malformed inputs found by testers: each is one clear Spanish line (file, row, column, fix), exit 2.

Every case copies ``tests/fixtures/minimal`` (layout and row numbers: see the docstring of
``tests/test_validate.py``), breaks it the way a tester did, and checks

* the problem: file, row as a spreadsheet shows it (header = row 1), column, message;
* ``informe validate --data DIR`` prints it as an ``ERROR`` line and exits 2, without a traceback.

Rows are spreadsheet rows: a record whose cell holds a line break is still one row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from edits import MINIMAL, add_column, cell, read_rows, write_rows

from informe import cli, config
from informe.calculo import calidad
from informe.datos import entradas, lectura, narrativa
from informe.datos.entradas import check_year_inputs, year_inputs
from informe.problemas import DataError, Problem


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "datos"
    shutil.copytree(MINIMAL, target)
    return target


def problems_of(data: Path, year: int | None = None, params: Path | None = None) -> list[Problem]:
    """What ``informe validate --data DATA [--year YEAR] [--params PARAMS]`` reports."""
    return year_inputs(data, year, params, params_required=year is not None or params is not None).problems


def run_validate(capsys, data: Path, *extra: str) -> tuple[int, str]:
    code = cli.main(["validate", "--data", str(data), *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def expect(capsys, data: Path, file: str, line: int | None, column: str | None, fragment: str,
           *extra: str) -> Problem:
    """The one problem at (file, line, column) whose message has ``fragment``; validate exits 2 and prints it."""
    year = int(extra[extra.index("--year") + 1]) if "--year" in extra else None
    problems = problems_of(data, year)
    found = [p for p in problems if (p.file, p.line, p.column) == (file, line, column) and fragment in p.message]
    assert len(found) == 1, "expected ({}, {}, {}) with «{}»; got:\n{}".format(
        file, line, column, fragment, "\n".join(map(str, problems)))
    code, out = run_validate(capsys, data, *extra)
    assert code == 2
    assert f"ERROR {found[0]}" in out.splitlines()
    return found[0]


def of_file(problems: list[Problem], file: str) -> list[Problem]:
    return [p for p in problems if p.file == file]


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def raw_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- 1. «;» as separator: one problem, alone

def test_semicolon_separator_is_reported_first_and_alone(data_dir, capsys):
    # a spreadsheet in a Spanish locale: «;» between cells, and a comma inside a text cell
    rows = read_rows(data_dir / "estrategias.csv")
    rows[1][2] = "Ampliar, ordenar y medir los canales de atención"
    (data_dir / "estrategias.csv").write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    problem = expect(capsys, data_dir, "estrategias.csv", 1, None, "«;» (punto y coma) como separador")
    assert "CSV UTF-8 (delimitado por comas)" in problem.message
    assert of_file(problems_of(data_dir), "estrategias.csv") == [problem]


def test_tab_separator_is_reported_alone(data_dir, capsys):
    rows = read_rows(data_dir / "resultados.csv")
    (data_dir / "resultados.csv").write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    problem = expect(capsys, data_dir, "resultados.csv", 1, None, "tabuladores")
    assert of_file(problems_of(data_dir), "resultados.csv") == [problem]


# ---------------------------------------------------------------- 2. headers: missing and unknown columns

def rename_header(file: str, old: str, new: str):
    def edit(d: Path) -> None:
        rows = read_rows(d / file)
        rows[0][rows[0].index(old)] = new
        write_rows(d / file, rows)
    return edit


def test_misspelled_header_names_the_expected_column(data_dir, capsys):
    rename_header("indicadores.csv", "indicador_id", "indicador id")(data_dir)
    problem = expect(capsys, data_dir, "indicadores.csv", 1, "indicador_id", "falta la columna obligatoria")
    assert problem.value == "indicador id"
    assert "cambie «indicador id» por «indicador_id»" in problem.message
    problems = problems_of(data_dir)
    # no cascade: nothing about the rows of indicadores.csv, nor about resultados.csv ids
    assert problems == [problem]


def test_unknown_and_missing_columns_are_each_reported_with_the_expected_ones(data_dir, capsys):
    rename_header("resultados.csv", "anio", "año del dato")(data_dir)
    problems = of_file(problems_of(data_dir), "resultados.csv")
    assert [(p.line, p.column) for p in problems] == [(1, "anio"), (1, "año del dato")]
    missing, unknown = problems
    assert "falta la columna obligatoria «anio»" in missing.message
    assert "Columnas esperadas: indicador_id, anio, valor (opcional)" in missing.message
    assert "columna desconocida «año del dato»" in unknown.message
    assert "Columnas esperadas:" in unknown.message
    expect(capsys, data_dir, "resultados.csv", 1, "año del dato", "columna desconocida")


def test_unknown_column_suggests_the_closest_expected_name(data_dir, capsys):
    rename_header("indicadores.csv", "sentido", "sentdo")(data_dir)
    rename_header("indicadores.csv", "meta_valor", "valor meta")(data_dir)
    problems = of_file(problems_of(data_dir), "indicadores.csv")
    assert {(p.column, p.value) for p in problems} >= {("sentido", "sentdo")}
    assert all(p.line == 1 for p in problems)
    expect(capsys, data_dir, "indicadores.csv", 1, "sentido", "«sentdo»")


def test_misspelled_optional_column_is_not_silently_ignored(data_dir, capsys):
    add_column("indicadores.csv", "nombre cedula", ["A", "B", "C"])(data_dir)
    problem = expect(capsys, data_dir, "indicadores.csv", 1, "nombre cedula", "¿quiso decir «nombre_cedula»?")
    assert "columna desconocida" in problem.message


def test_extra_column_is_still_allowed(data_dir):
    add_column("resultados.csv", "responsable", ["a", "b", "c", "d", "e", "f"])(data_dir)
    assert problems_of(data_dir) == []


def test_misspelled_header_of_an_institutional_csv(data_dir, capsys):
    (data_dir / "institucional").mkdir()
    (data_dir / "institucional" / "glosario.csv").write_text("término,definicion\nPND,Plan Nacional\n",
                                                             encoding="utf-8")
    problem = expect(capsys, data_dir, "institucional/glosario.csv", 1, "termino", "falta la columna obligatoria",
                     "--year", "2023")
    assert problem.value == "término"


# ---------------------------------------------------------------- 3. unclosed quote

def test_unclosed_quote_running_to_the_end_of_the_file(data_dir, capsys):
    lines = raw_lines(data_dir / "resultados.csv")
    lines[3] = 'AC-1-02,2022,15,,,,"La información'  # row 4: the quote never closes
    write_lines(data_dir / "resultados.csv", lines)
    problem = expect(capsys, data_dir, "resultados.csv", 4, "nota", "no se cierra")
    assert problem.value == "La información"
    assert of_file(problems_of(data_dir), "resultados.csv") == [problem]


def test_unclosed_quote_closed_by_a_later_cell(data_dir, capsys):
    lines = raw_lines(data_dir / "resultados.csv")
    lines[3] = 'AC-1-02,2022,15,,,,"La información'
    lines[6] = 'AC-2-01,2023,,,,ND,"La encuesta, 2023"'  # its quote closes row 4's
    write_lines(data_dir / "resultados.csv", lines)
    problem = expect(capsys, data_dir, "resultados.csv", 4, "nota", "se extiende sobre las filas siguientes")
    assert of_file(problems_of(data_dir), "resultados.csv") == [problem]


def test_unclosed_quote_that_swallows_whole_rows(data_dir, capsys):
    # the later quote opens a cell that starts with a line break: the strict parser accepts it,
    # but the cell of row 4 then holds three whole rows
    lines = raw_lines(data_dir / "resultados.csv")
    lines[3] = 'AC-1-02,2022,15,,,,"La información'
    lines[6] = 'AC-2-01,2023,,,,ND,"'
    lines.append('La encuesta 2023"')
    write_lines(data_dir / "resultados.csv", lines)
    problem = expect(capsys, data_dir, "resultados.csv", 4, "nota", "falta cerrar una comilla")
    assert of_file(problems_of(data_dir), "resultados.csv") == [problem]


def test_unclosed_quote_in_the_header(data_dir, capsys):
    lines = raw_lines(data_dir / "objetivos.csv")
    lines[0] = 'objetivo_id,"nombre'
    write_lines(data_dir / "objetivos.csv", lines)
    problem = expect(capsys, data_dir, "objetivos.csv", 1, None, "no se cierra")
    assert "celda 2 del encabezado" in problem.message


def test_text_after_a_closing_quote(data_dir, capsys):
    lines = raw_lines(data_dir / "objetivos.csv")
    lines[2] = '2,"Conocer" la satisfacción'
    write_lines(data_dir / "objetivos.csv", lines)
    expect(capsys, data_dir, "objetivos.csv", 3, "nombre", "después de la comilla de cierre")


def test_quoted_cells_with_line_breaks_are_still_accepted(data_dir):
    cell("resultados.csv", 7, "nota", "Primera línea, con coma\nSegunda línea")(data_dir)
    cell("indicadores.csv", 3, "descripcion", "Párrafo uno.\nPárrafo dos, con coma.")(data_dir)
    assert problems_of(data_dir) == []


# ---------------------------------------------------------------- 4. rows as a spreadsheet shows them

def test_row_after_a_cell_with_line_breaks_is_the_spreadsheet_row(data_dir, capsys):
    cell("resultados.csv", 2, "nota", "Nota de\ntres\nrenglones")(data_dir)  # text lines 2-4, one row
    cell("resultados.csv", 5, "valor", "abc")(data_dir)
    expect(capsys, data_dir, "resultados.csv", 5, "valor", "punto decimal")


def test_row_count_problem_after_a_multiline_cell(data_dir, capsys):
    cell("resultados.csv", 2, "nota", "Nota de\ndos renglones")(data_dir)
    lines = raw_lines(data_dir / "resultados.csv")
    lines[4] = "AC-1-02,2022,1,5,,,,"  # row 4 (text line 5): 8 cells
    write_lines(data_dir / "resultados.csv", lines)
    expect(capsys, data_dir, "resultados.csv", 4, None, "la fila tiene 8 celdas")


def test_quality_findings_use_spreadsheet_rows(data_dir):
    cell("indicadores.csv", 2, "descripcion", "Párrafo uno.\nPárrafo dos.")(data_dir)
    cell("indicadores.csv", 4, "linea_base_valor", "")(data_dir)  # row 4 (text lines 5): N/A with a result
    (finding,) = calidad.findings(entradas.load(data_dir), 2023)
    assert (finding.rule, finding.file, finding.line) == ("linea_base_na_con_dato", "indicadores.csv", 4)


def test_duplicate_names_the_other_spreadsheet_row(data_dir):
    cell("indicadores.csv", 2, "descripcion", "Uno.\nDos.\nTres.")(data_dir)
    cell("indicadores.csv", 4, "indicador_id", "AC-1-02")(data_dir)
    problems = problems_of(data_dir)
    assert any(p.line == 4 and p.column == "indicador_id" and "también en la línea 3" in p.message
               for p in problems), "\n".join(map(str, problems))


def test_non_utf8_row_after_a_multiline_cell(data_dir, capsys):
    cell("objetivos.csv", 2, "nombre", "Mejorar la atencion\na la ciudadania")(data_dir)
    path = data_dir / "objetivos.csv"
    path.write_bytes(path.read_bytes().replace("Fortalecer".encode(), "Fortalecer la Oficialía".encode("latin-1"))
                     .replace("Conocer".encode(), "Conocer la Oficialía".encode("latin-1")))
    expect(capsys, data_dir, "objetivos.csv", 3, None, "no está en UTF-8")


def test_blank_line_counts_as_a_row(data_dir, capsys):
    lines = raw_lines(data_dir / "resultados.csv")
    lines.insert(2, "")  # a spreadsheet shows an empty row 3
    write_lines(data_dir / "resultados.csv", lines)
    assert lines[4].startswith("AC-1-02,2022,15,")  # was row 4, now row 5
    lines[4] = lines[4].replace(",15,", ",abc,")
    write_lines(data_dir / "resultados.csv", lines)
    expect(capsys, data_dir, "resultados.csv", 5, "valor", "punto decimal")


# ---------------------------------------------------------------- 5. files that are not what they seem

def test_directory_where_a_file_is_expected(data_dir, capsys):
    (data_dir / "objetivos.csv").unlink()
    (data_dir / "objetivos.csv").mkdir()
    expect(capsys, data_dir, "objetivos.csv", None, None, "es una carpeta")


def test_unreadable_file(data_dir, capsys, monkeypatch):
    """Tests run as root, where permission bits do not block reads: the denial is simulated."""
    real_open = lectura.open_file

    def denied(path):
        if Path(path).name == "indicadores.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(lectura, "open_file", denied)
    problem = expect(capsys, data_dir, "indicadores.csv", None, None, "permiso denegado")
    assert "chmod" in problem.message


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads a file with mode 000; test_unreadable_file simulates the denial")
def test_unreadable_file_chmod_000(data_dir, capsys):
    (data_dir / "indicadores.csv").chmod(0)
    expect(capsys, data_dir, "indicadores.csv", None, None, "permiso denegado")


def test_symlink_to_a_device_is_refused_without_reading(data_dir, capsys):
    (data_dir / "resultados.csv").unlink()
    (data_dir / "resultados.csv").symlink_to("/dev/zero")
    expect(capsys, data_dir, "resultados.csv", None, None, "no es un archivo normal")


def test_fifo_is_refused_without_blocking(data_dir, capsys):
    (data_dir / "estrategias.csv").unlink()
    os.mkfifo(data_dir / "estrategias.csv")
    expect(capsys, data_dir, "estrategias.csv", None, None, "no es un archivo normal")


def test_symlink_outside_the_data_folder_is_refused(data_dir, tmp_path, capsys):
    secret = tmp_path / "secreto.md"
    secret.write_text("CONTENIDO-PRIVADO\n", encoding="utf-8")
    (data_dir / "narrativa" / "2023").mkdir(parents=True)
    (data_dir / "narrativa" / "2023" / "introduccion.md").symlink_to(secret)
    expect(capsys, data_dir, "narrativa/2023/introduccion.md", None, None, "fuera de la carpeta de datos",
           "--year", "2023")
    # the report's own reader refuses it too: nothing outside the folder reaches the report
    with pytest.raises(DataError) as info:
        narrativa.introduccion(data_dir, 2023)
    assert "fuera de la carpeta de datos" in str(info.value)
    assert "CONTENIDO-PRIVADO" not in str(info.value)


def test_symlinked_folder_outside_the_data_folder_is_refused(data_dir, tmp_path, capsys):
    outside = tmp_path / "fuera"
    outside.mkdir()
    shutil.copy(data_dir / "indicadores.csv", outside / "indicadores.csv")
    (data_dir / "indicadores.csv").unlink()
    (data_dir / "indicadores.csv").symlink_to(outside / "indicadores.csv")
    expect(capsys, data_dir, "indicadores.csv", None, None, "fuera de la carpeta de datos")


def test_symlink_inside_the_data_folder_is_accepted(data_dir):
    (data_dir / "originales").mkdir()
    shutil.move(data_dir / "resultados.csv", data_dir / "originales" / "resultados.csv")
    (data_dir / "resultados.csv").symlink_to(Path("originales") / "resultados.csv")
    assert problems_of(data_dir) == []


def test_broken_symlink(data_dir, capsys):
    (data_dir / "objetivos.csv").unlink()
    (data_dir / "objetivos.csv").symlink_to(data_dir / "no-existe.csv")
    expect(capsys, data_dir, "objetivos.csv", None, None, "enlace simbólico roto")


def test_file_larger_than_the_cap(data_dir, capsys):
    with open(data_dir / "resultados.csv", "r+b") as handle:  # sparse: costs no disk
        handle.truncate(lectura.MAX_BYTES + 1)
    problem = expect(capsys, data_dir, "resultados.csv", None, None, "el máximo es 20.0 MB por archivo")
    assert "pesa 20.0 MB" in problem.message


def test_data_path_that_is_a_file(tmp_path, capsys):
    path = tmp_path / "datos.csv"
    path.write_text("x\n", encoding="utf-8")
    code, out = run_validate(capsys, path)
    assert code == 2 and "no es una carpeta" in out


# ---------------------------------------------------------------- 6. YAML: aliases and shapes

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_yaml_alias_bomb_is_rejected_quickly(data_dir, capsys):
    (data_dir / "narrativa" / "2023").mkdir(parents=True)
    (data_dir / "narrativa" / "2023" / "proyectos.yaml").write_text(BOMB, encoding="utf-8")
    started = time.perf_counter()
    code, out = run_validate(capsys, data_dir, "--year", "2023")
    assert time.perf_counter() - started < 2
    assert code == 2
    assert "ERROR narrativa/2023/proyectos.yaml, línea 1: usa anclas o alias de YAML" in out


def test_yaml_anchor_in_dependencia(data_dir, capsys):
    (data_dir / "dependencia.yaml").write_text(
        "nombre: &n Instituto\ngobierno: Gobierno\nsiglas: *n\n", encoding="utf-8")
    expect(capsys, data_dir, "dependencia.yaml", 1, None, "anclas o alias")


def dependencia(extra: str):
    def edit(d: Path) -> None:
        (d / "dependencia.yaml").write_text(
            "nombre: Instituto de Atención Ciudadana\ngobierno: Gobierno del Estado de Sonora\n" + extra,
            encoding="utf-8")
    return edit


@pytest.mark.parametrize("extra, line, column, fragment", [
    pytest.param("directorio: Lic. Fulano, Director\n", 3, "directorio",
                 "«directorio» debe ser una lista y es un texto", id="directorio-texto"),
    pytest.param("enlaces:\n  - nombre: A\n    cargo: B\n  - nombre: C\n", 6, "enlaces",
                 "al elemento 2 de «enlaces» le falta «cargo:»", id="enlace-sin-cargo"),
    pytest.param("directorio:\n  - Lic. Fulano\n", 4, "directorio",
                 "el elemento 1 de «directorio» es un texto", id="persona-texto"),
    pytest.param("directorio:\n  - nombre: [A, B]\n    cargo: C\n", 4, "nombre",
                 "debe ser un texto y es una lista", id="nombre-lista"),
    pytest.param("siglas: 2024\n", 3, "siglas", "«siglas» debe ser un texto y es un número", id="siglas-numero"),
    pytest.param("mision:\n  - uno\n", 4, "mision", "«mision» debe ser un texto y es una lista", id="mision-lista"),
    pytest.param("mison: Planear\n", 3, "mison", "¿quiso decir «mision»?", id="clave-mal-escrita"),
])
def test_dependencia_shape(data_dir, capsys, extra, line, column, fragment):
    dependencia(extra)(data_dir)
    expect(capsys, data_dir, "dependencia.yaml", line, column, fragment)


PROJECTS = "narrativa/2023/proyectos.yaml"


@pytest.mark.parametrize("text, line, column, fragment", [
    pytest.param('- proyecto: "Uno"\n  acciones: "una sola"\n', 2, "acciones",
                 "debe ser una lista de textos", id="acciones-texto"),
    pytest.param('- proyecto: "Uno"\n  acciones:\n    - "a"\n    - 7\n', 4, "acciones",
                 "la acción 2 del proyecto 1 debe ser un texto y es un número", id="accion-numero"),
    pytest.param('- proyecto: "Uno"\n  avance_fisico_financiero: 50\n', 2, "avance_fisico_financiero",
                 "debe ser un texto (o vacío) y es un número", id="avance-numero"),
    pytest.param('- proyecto: "Uno"\n  accion:\n    - "a"\n', 3, "accion", "¿quiso decir «acciones»?",
                 id="clave-mal-escrita"),
    pytest.param('- acciones:\n    - "a"\n', 1, "proyecto", "le falta «proyecto:»", id="sin-proyecto"),
    pytest.param('- "Uno"\n', 1, None, "el proyecto 1 es un texto", id="proyecto-texto"),
    pytest.param('proyecto: "Uno"\n', 1, None, "debe ser una lista de proyectos", id="no-es-lista"),
])
def test_proyectos_shape(data_dir, capsys, text, line, column, fragment):
    (data_dir / "narrativa" / "2023").mkdir(parents=True)
    (data_dir / "narrativa" / "2023" / "proyectos.yaml").write_text(text, encoding="utf-8")
    expect(capsys, data_dir, PROJECTS, line, column, fragment, "--year", "2023")


def test_reference_yaml_has_the_contract_shape():
    assert problems_of(config.DATA_DIR, 2023) == []
    assert narrativa.proyectos(config.DATA_DIR, 2023)[0]["acciones"]


# ---------------------------------------------------------------- 7. denominador must be greater than 0

@pytest.mark.parametrize("value, fragment", [("-90", "el denominador es negativo"), ("0", "el denominador es 0")])
def test_denominador_not_positive_is_rejected(data_dir, capsys, value, fragment):
    cell("resultados.csv", 3, "denominador", value)(data_dir)
    problem = expect(capsys, data_dir, "resultados.csv", 3, "denominador", fragment)
    assert problem.value == value


def test_numerador_zero_is_accepted(data_dir):
    cell("resultados.csv", 3, "numerador", "0")(data_dir)
    cell("resultados.csv", 3, "valor", "")(data_dir)
    assert problems_of(data_dir) == []


# ---------------------------------------------------------------- 8. validate fails where build would

def build_would_fail(data: Path, year: int, params: Path | None) -> bool:
    """The checks ``informe build`` makes before running any notebook (informe/build.py)."""
    from informe.calculo.datos_abiertos import check_year
    from informe.datos.parametros import load_params
    from informe.problemas import InformeError

    try:
        load_params(year, params or config.params_file(year), required=True)
        dataset = entradas.load(data)
        check_year(dataset, year)
        return bool(narrativa.check(data, year))
    except InformeError:
        return True


def test_validate_year_without_results_exits_2(capsys):
    code, out = run_validate(capsys, MINIMAL, "--year", "2031")
    assert code == 2
    assert "ERROR resultados.csv, columna «anio»: valor «2031»: no hay resultados para el año 2031" in out
    assert "2031.yaml: no existe el archivo de parámetros" in out  # and the missing parameters, at once


def test_check_year_inputs_lists_every_blocker_at_once(data_dir, tmp_path):
    cell("resultados.csv", 5, "valor", "abc")(data_dir)
    (data_dir / "narrativa" / "2024").mkdir(parents=True)
    (data_dir / "narrativa" / "2024" / "proyectos.yaml").write_text("- proyecto: [\n", encoding="utf-8")
    params = tmp_path / "2024.yaml"
    params.write_text("anio: 2024\ncolor: rojo\n", encoding="utf-8")
    problems = check_year_inputs(data_dir, 2024, params)
    assert [(p.file, p.line, p.column) for p in problems] == [
        ("resultados.csv", 5, "valor"),                # data
        ("resultados.csv", None, "anio"),              # no results for 2024
        ("narrativa/2024/proyectos.yaml", 2, None),    # narrative
        (str(params), None, None),                     # parameters
    ], "\n".join(map(str, problems))
    assert "claves desconocidas: color" in problems[-1].message
    assert check_year_inputs(MINIMAL, 2023) == []


@pytest.mark.parametrize("case", ["valido", "sin-resultados", "sin-parametros", "parametros-invalidos",
                                  "narrativa-invalida", "datos-invalidos"])
def test_validate_agrees_with_build(data_dir, tmp_path, capsys, case):
    year, params = 2023, tmp_path / "2023.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    if case == "sin-resultados":
        year, params = 2031, tmp_path / "2031.yaml"
        params.write_text("anio: 2031\n", encoding="utf-8")
    elif case == "sin-parametros":
        params.unlink()
    elif case == "parametros-invalidos":
        params.write_text("anio: 2023\ntolerancia_igual: mucho\n", encoding="utf-8")
    elif case == "narrativa-invalida":
        (data_dir / "narrativa" / "2023").mkdir(parents=True)
        (data_dir / "narrativa" / "2023" / "proyectos.yaml").write_text("- acciones: []\n", encoding="utf-8")
    elif case == "datos-invalidos":
        cell("indicadores.csv", 2, "sentido", "creciente")(data_dir)
    code, _ = run_validate(capsys, data_dir, "--year", str(year), "--params", str(params))
    assert (code == 2) == build_would_fail(data_dir, year, params) == (case != "valido")


def test_validate_without_year_keeps_parameters_optional(capsys):
    code, out = run_validate(capsys, MINIMAL)
    assert code == 0 and "Datos válidos" in out


# ---------------------------------------------------------------- 9. a closed pipe

def test_validate_into_a_closed_pipe_exits_quietly():
    command = f"'{sys.executable}' -m informe validate | head -1"
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, cwd=config.ROOT, timeout=120)
    assert done.stdout.startswith("Datos válidos")
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr


def test_main_returns_141_on_a_broken_pipe(monkeypatch):
    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")
    monkeypatch.setattr(cli, "cmd_validate", broken)
    assert cli.main(["validate"]) == 141


# ---------------------------------------------------------------- 10. the row index used by the quality rules

def test_lines_by_agrees_with_line_of(data_dir):
    cell("resultados.csv", 2, "nota", "dos\nrenglones")(data_dir)
    ds = entradas.load(data_dir)
    raw = ds.raw["resultados.csv"]
    index = ds.lines_by("resultados.csv", "indicador_id", "anio")
    for iid, anio in zip(raw["indicador_id"], raw["anio"]):
        assert index[(iid, anio)] == ds.line_of("resultados.csv", (raw["indicador_id"] == iid) & (raw["anio"] == anio))
    assert index[("AC-2-01", "2023")] == 7
