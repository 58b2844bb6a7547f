"""The validator: every rule of the data contract rejects bad data with file, line and column.

The valid fixture is ``tests/fixtures/minimal`` (a small agency without narrative).
Each bad-data case copies it to ``tmp_path`` and applies one small edit, as a
person editing the files by hand or in a spreadsheet would. Line numbers are
the ones a spreadsheet shows (the header is line 1).

Layout of the fixture (line numbers used below)::

    objetivos.csv      1 header, 2 objetivo 1, 3 objetivo 2
    estrategias.csv    1 header, 2 estrategia 1.1, 3 estrategia 2.1
    indicadores.csv    1 header, 2 AC-1-01 (porcentaje), 3 AC-1-02 (descendente, numero),
                       4 AC-2-01 (porcentaje)
    resultados.csv     1 header, 2 AC-1-01 2022, 3 AC-1-01 2023 (numerador/denominador),
                       4 AC-1-02 2022, 5 AC-1-02 2023, 6 AC-2-01 2022, 7 AC-2-01 2023 (ND)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from edits import MINIMAL, add_column, cell, drop_column

from informe import cli, config
from informe.datos.entradas import check

METAS = "indicador_id,anio,meta_valor\n"
PROGRAMAS = "programa_id,nombre,tipo\n"
DOS_PROGRAMAS = f"{PROGRAMAS}PS,Programa Sectorial,sectorial\nPE,Programa Especial,especial\n"

# ---------------------------------------------------------------- edit helpers

def delete_file(file: str):
    def edit(d: Path) -> None:
        (d / file).unlink()
    return edit


def write_text(file: str, text: str, encoding: str = "utf-8"):
    def edit(d: Path) -> None:
        (d / file).write_bytes(text.encode(encoding))
    return edit


def replace_line(file: str, line: int, text: str, encoding: str = "utf-8"):
    """Edit: replace one raw text line, then write the whole file in ``encoding``."""
    def edit(d: Path) -> None:
        lines = (d / file).read_text(encoding="utf-8").splitlines()
        lines[line - 1] = text
        (d / file).write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return edit


def add_bom(file: str):
    def edit(d: Path) -> None:
        (d / file).write_bytes(b"\xef\xbb\xbf" + (d / file).read_bytes())
    return edit


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh, editable copy of the minimal valid fixture."""
    target = tmp_path / "datos"
    shutil.copytree(MINIMAL, target)
    return target


def matching(problems, file, line, column, fragment):
    return [p for p in problems
            if p.file == file and p.line == line and p.column == column and fragment in p.message]


# ---------------------------------------------------------------- the valid fixture

def test_minimal_fixture_is_valid():
    dataset, problems = check(MINIMAL)
    assert problems == []
    assert dataset is not None
    assert dataset.dependencia["nombre"] == "Instituto de Atención Ciudadana"
    assert len(dataset.objetivos) == 2
    assert len(dataset.estrategias) == 2
    assert len(dataset.indicadores) == 3
    assert dataset.years == [2022, 2023]
    assert set(dataset.indicadores["sentido"]) == {"ascendente", "descendente"}
    assert "numero" in set(dataset.indicadores["unidad_medida"])
    assert dataset.resultados["numerador"].notna().sum() == 1
    assert list(dataset.resultados["estado"].dropna()) == ["ND"]
    assert not (MINIMAL / "narrativa").exists()
    assert not (MINIMAL / "institucional").exists()


def test_reference_data_is_valid():
    dataset, problems = check(config.ROOT / "data")
    assert problems == []
    assert dataset is not None


# ---------------------------------------------------------------- one case per rejected condition

MISSING_FILE = "falta el archivo obligatorio"
NOT_EXISTS = "no existe en"
NUMBER = "punto decimal"

REJECTED = [
    # (id, edit(s), file, line, column, message fragment)
    ("falta-dependencia", delete_file("dependencia.yaml"), "dependencia.yaml", None, None, MISSING_FILE),
    ("falta-objetivos", delete_file("objetivos.csv"), "objetivos.csv", None, None, MISSING_FILE),
    ("falta-estrategias", delete_file("estrategias.csv"), "estrategias.csv", None, None, MISSING_FILE),
    ("falta-indicadores", delete_file("indicadores.csv"), "indicadores.csv", None, None, MISSING_FILE),
    ("falta-resultados", delete_file("resultados.csv"), "resultados.csv", None, None, MISSING_FILE),
    ("falta-columna-sentido", drop_column("indicadores.csv", "sentido"),
     "indicadores.csv", 1, "sentido", "falta la columna obligatoria «sentido»"),
    ("falta-columna-anio", drop_column("resultados.csv", "anio"),
     "resultados.csv", 1, "anio", "falta la columna obligatoria «anio»"),
    ("falta-columna-nombre-objetivo", drop_column("objetivos.csv", "nombre"),
     "objetivos.csv", 1, "nombre", "falta la columna obligatoria «nombre»"),
    ("falta-columna-meta", drop_column("indicadores.csv", "meta_valor"),  # a target year without its target
     "indicadores.csv", 2, "meta_valor", "meta_anio y meta_valor van los dos o ninguno"),
    ("indicador-repetido", cell("indicadores.csv", 4, "indicador_id", "AC-1-02"),
     "indicadores.csv", 4, "indicador_id", "está repetido"),
    ("indicador-anio-repetido", cell("resultados.csv", 3, "anio", "2022"),
     "resultados.csv", 3, "anio", "(indicador_id, anio) está repetida"),
    ("objetivo-desconocido-en-estrategias", cell("estrategias.csv", 3, "objetivo_id", "9"),
     "estrategias.csv", 3, "objetivo_id", NOT_EXISTS + " objetivos.csv"),
    ("objetivo-desconocido-en-indicadores", cell("indicadores.csv", 4, "objetivo_id", "7"),
     "indicadores.csv", 4, "objetivo_id", NOT_EXISTS + " objetivos.csv"),
    ("estrategia-desconocida-en-indicadores", cell("indicadores.csv", 2, "estrategia_id", "3.1"),
     "indicadores.csv", 2, "estrategia_id", NOT_EXISTS + " estrategias.csv"),
    ("indicador-desconocido-en-resultados", cell("resultados.csv", 5, "indicador_id", "AC-9-99"),
     "resultados.csv", 5, "indicador_id", NOT_EXISTS + " indicadores.csv"),
    ("sentido-fuera-de-lista", cell("indicadores.csv", 3, "sentido", "Descendente."),
     "indicadores.csv", 3, "sentido", "se esperaba uno de: ascendente, descendente, no_aplica"),
    ("frecuencia-fuera-de-lista", cell("indicadores.csv", 2, "frecuencia", "quincenal"),
     "indicadores.csv", 2, "frecuencia", "se esperaba uno de: anual, semestral"),
    ("estado-fuera-de-lista", cell("resultados.csv", 7, "estado", "N/D"),
     "resultados.csv", 7, "estado", "ND (no disponible aún) o pendiente"),
    ("semaforo-publicado-fuera-de-lista", add_column("resultados.csv", "semaforo_publicado", ["", "", "", "verde"]),
     "resultados.csv", 5, "semaforo_publicado", "el semáforo que se publicó: con_avance, sin_avance, igual"),
    ("valor-con-coma-decimal", cell("resultados.csv", 4, "valor", "1,5"),
     "resultados.csv", 4, "valor", NUMBER),
    ("valor-texto", cell("resultados.csv", 6, "valor", "abc"),
     "resultados.csv", 6, "valor", NUMBER),
    ("valor-con-porcentaje", cell("resultados.csv", 5, "valor", "12%"),
     "resultados.csv", 5, "valor", NUMBER),
    ("meta-con-coma-decimal", cell("indicadores.csv", 3, "meta_valor", "8,5"),
     "indicadores.csv", 3, "meta_valor", NUMBER),
    ("meta-texto", cell("indicadores.csv", 2, "meta_valor", "abc"),
     "indicadores.csv", 2, "meta_valor", NUMBER),
    ("meta-vacia", cell("indicadores.csv", 2, "meta_valor", ""),
     "indicadores.csv", 2, "meta_valor", "meta_anio y meta_valor van los dos o ninguno"),
    ("anio-de-meta-vacio", cell("indicadores.csv", 3, "meta_anio", ""),
     "indicadores.csv", 3, "meta_anio", "meta_anio y meta_valor van los dos o ninguno"),
    ("linea-base-con-coma-decimal", cell("indicadores.csv", 4, "linea_base_valor", "70,5"),
     "indicadores.csv", 4, "linea_base_valor", NUMBER),
    ("linea-base-texto", cell("indicadores.csv", 2, "linea_base_valor", "abc"),
     "indicadores.csv", 2, "linea_base_valor", NUMBER),
    ("numerador-sin-denominador", cell("resultados.csv", 3, "denominador", ""),
     "resultados.csv", 3, "denominador", "falta el denominador"),
    ("denominador-sin-numerador", cell("resultados.csv", 3, "numerador", ""),
     "resultados.csv", 3, "numerador", "falta el numerador"),
    ("denominador-cero", cell("resultados.csv", 3, "denominador", "0"),
     "resultados.csv", 3, "denominador", "el denominador es 0"),
    # numbers: only the digits 0-9, and only what a double holds (these used to vanish or become inf)
    ("valor-ancho-completo", cell("resultados.csv", 2, "valor", "２５"),
     "resultados.csv", 2, "valor", "cifras 0-9"),
    ("valor-arabigo-indico", cell("resultados.csv", 4, "valor", "٢٥"),
     "resultados.csv", 4, "valor", "cifras 0-9"),
    ("meta-ancho-completo", cell("indicadores.csv", 2, "meta_valor", "１００"),
     "indicadores.csv", 2, "meta_valor", "cifras 0-9"),
    ("anio-ancho-completo", cell("resultados.csv", 2, "anio", "２０２２"),
     "resultados.csv", 2, "anio", "cifras 0-9"),
    ("objetivo-id-ancho-completo", cell("objetivos.csv", 2, "objetivo_id", "１"),
     "objetivos.csv", 2, "objetivo_id", "cifras 0-9"),
    ("valor-infinito", cell("resultados.csv", 2, "valor", "1" + "0" * 400),
     "resultados.csv", 2, "valor", "demasiado grande"),
    ("linea-base-infinita", cell("indicadores.csv", 3, "linea_base_valor", "-" + "9" * 320),
     "indicadores.csv", 3, "linea_base_valor", "demasiado grande"),
    ("denominador-que-vale-cero", cell("resultados.csv", 3, "denominador", "0." + "0" * 330 + "1"),
     "resultados.csv", 3, "denominador", "vale 0"),
    ("cociente-infinito", cell("resultados.csv", 3, "denominador", "0." + "0" * 319 + "1"),  # 1e-320
     "resultados.csv", 3, "denominador", "numerador/denominador da un número demasiado grande"),
    ("valor-distinto-de-la-razon", cell("resultados.csv", 3, "valor", "50.02"),
     "resultados.csv", 3, "valor", "no coincide con numerador/denominador"),
    # unidad «numero»: 12 / 100 is 0.12 (no × 100), so valor 12 disagrees
    ("valor-distinto-de-la-razon-numero", [cell("resultados.csv", 5, "numerador", "12"),
                                           cell("resultados.csv", 5, "denominador", "100")],
     "resultados.csv", 5, "valor", "no coincide con numerador/denominador"),
    ("objetivos-latin1", replace_line("objetivos.csv", 3, "2,Fortalecer la Oficialía de partes", "latin-1"),
     "objetivos.csv", 2, None, "no está en UTF-8"),
    ("dependencia-latin1", write_text("dependencia.yaml", "nombre: Oficialía Mayor\ngobierno: Gobierno\n",
                                      "latin-1"),
     "dependencia.yaml", 1, None, "no está en UTF-8"),
    ("dependencia-fecha-imposible", write_text("dependencia.yaml", "nombre: Instituto\ngobierno: Gobierno\n"
                                               "lema: 2024-13-45\n"),
     "dependencia.yaml", 3, None, "«2024-13-45» parece una fecha pero no existe"),
    ("dependencia-sin-gobierno", write_text("dependencia.yaml", "nombre: Instituto de Atención Ciudadana\n"),
     "dependencia.yaml", None, "gobierno", "falta la clave obligatoria «gobierno:»"),
    ("dependencia-sin-nombre", write_text("dependencia.yaml", "gobierno: Gobierno del Estado de Sonora\n"),
     "dependencia.yaml", None, "nombre", "falta la clave obligatoria «nombre:»"),
    ("dependencia-vacia", write_text("dependencia.yaml", "# sin claves\n"),
     "dependencia.yaml", None, None, "está vacío"),
    ("dependencia-llaves-vacias", write_text("dependencia.yaml", "{}\n"),
     "dependencia.yaml", None, None, "está vacío"),
    ("objetivo-id-cero", cell("objetivos.csv", 2, "objetivo_id", "0"),
     "objetivos.csv", 2, "objetivo_id", "mayor o igual que 1"),
    ("anio-no-entero", cell("resultados.csv", 2, "anio", "22"),
     "resultados.csv", 2, "anio", "año de cuatro cifras"),
    ("nombre-indicador-vacio", cell("indicadores.csv", 3, "nombre", ""),
     "indicadores.csv", 3, "nombre", "la celda está vacía"),
    # typed by hand without quotes: 1,5 splits the row into one cell too many
    ("coma-decimal-sin-comillas", replace_line("resultados.csv", 4, "AC-1-02,2022,1,5,,,,"),
     "resultados.csv", 4, None, "la fila tiene 8 celdas y el encabezado 7"),
    # a spreadsheet in a Spanish locale saves with «;»: one problem for the whole file, at its header
    # (it used to be reported as a missing «estrategia_id» column; see tests/test_inputs.py)
    ("separador-punto-y-coma", lambda d: (d / "estrategias.csv").write_text(
        (d / "estrategias.csv").read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8"),
     "estrategias.csv", 1, None, "guarde el archivo como «CSV UTF-8 (delimitado por comas)»"),
    # contract v3: interim targets (metas.csv), after the baseline year (2022) and not after the target's (2027)
    ("meta-intermedia-en-el-anio-de-la-linea-base", write_text("metas.csv", f"{METAS}AC-1-01,2022,45\n"),
     "metas.csv", 2, "anio", "posterior a su línea base (2022) y no posterior a su meta (2027)"),
    ("meta-intermedia-despues-de-la-meta", write_text("metas.csv", f"{METAS}AC-1-01,2024,60\nAC-1-01,2028,95\n"),
     "metas.csv", 3, "anio", "posterior a su línea base (2022) y no posterior a su meta (2027)"),
    ("meta-intermedia-del-anio-de-la-meta-distinta", write_text("metas.csv", f"{METAS}AC-1-01,2027,85\n"),
     "metas.csv", 2, "meta_valor", "es la de su cédula (90 en indicadores.csv"),
    ("meta-intermedia-indicador-desconocido", write_text("metas.csv", f"{METAS}AC-9-99,2024,60\n"),
     "metas.csv", 2, "indicador_id", "no existe en indicadores.csv"),
    ("meta-intermedia-repetida", write_text("metas.csv", f"{METAS}AC-1-01,2024,60\nAC-1-01,2024,65\n"),
     "metas.csv", 3, "anio", "la combinación (indicador_id, anio) está repetida"),
    ("meta-intermedia-no-numero", write_text("metas.csv", f"{METAS}AC-1-01,2024,alta\n"),
     "metas.csv", 2, "meta_valor", NUMBER),
    ("meta-intermedia-vacia", write_text("metas.csv", f"{METAS}AC-1-01,2024,\n"),
     "metas.csv", 2, "meta_valor", "la celda está vacía"),
    ("meta-intermedia-sin-meta", [cell("indicadores.csv", 4, "meta_anio", ""), cell("indicadores.csv", 4, "meta_valor", ""),
                                  write_text("metas.csv", f"{METAS}AC-2-01,2024,75\n")],
     "metas.csv", 2, "indicador_id", "el indicador AC-2-01 no tiene meta"),
    # contract v3: several programmes (programas.csv; objetivos.csv names each objective's programme)
    ("programa-tipo", [write_text("programas.csv", f"{PROGRAMAS}PS,Programa Sectorial,federal\n"),
                       add_column("objetivos.csv", "programa_id", ["PS", "PS"])],
     "programas.csv", 2, "tipo", "se esperaba uno de: sectorial, institucional, especial, regional"),
    ("programa-repetido", [write_text("programas.csv", f"{PROGRAMAS}PS,Uno,sectorial\nPS,Otro,especial\n"),
                           add_column("objetivos.csv", "programa_id", ["PS", "PS"])],
     "programas.csv", 3, "programa_id", "está repetido"),
    ("programa-del-objetivo-vacio", [write_text("programas.csv", DOS_PROGRAMAS),
                                     add_column("objetivos.csv", "programa_id", ["PS", ""])],
     "objetivos.csv", 3, "programa_id", "cada objetivo debe decir a qué programa pertenece"),
    ("programa-del-objetivo-desconocido", [write_text("programas.csv", DOS_PROGRAMAS),
                                           add_column("objetivos.csv", "programa_id", ["PS", "PX"])],
     "objetivos.csv", 3, "programa_id", "no existe en programas.csv"),
    ("programas-sin-columna-en-objetivos", write_text("programas.csv", DOS_PROGRAMAS),
     "objetivos.csv", 1, "programa_id", "agregue la columna «programa_id»"),
    ("programa-sin-programas-csv", add_column("objetivos.csv", "programa_id", ["PS", "PS"]),
     "objetivos.csv", 2, "programa_id", "no hay programas.csv"),
]


@pytest.mark.parametrize("edits, file, line, column, fragment",
                         [pytest.param(*case[1:], id=case[0]) for case in REJECTED])
def test_rejected(data_dir, edits, file, line, column, fragment):
    for edit in edits if isinstance(edits, list) else [edits]:
        edit(data_dir)
    dataset, problems = check(data_dir)
    assert dataset is None
    assert problems, "the edit should have been rejected"
    found = matching(problems, file, line, column, fragment)
    assert found, "expected a problem at ({}, {}, {}) with «{}»; got:\n{}".format(
        file, line, column, fragment, "\n".join(str(p) for p in problems))


def test_duplicate_names_the_other_line(data_dir):
    cell("indicadores.csv", 4, "indicador_id", "AC-1-02")(data_dir)
    _, problems = check(data_dir)
    assert matching(problems, "indicadores.csv", 4, "indicador_id", "también en la línea 3")
    assert matching(problems, "indicadores.csv", 3, "indicador_id", "también en la línea 4")


def test_duplicate_pair_names_the_other_line(data_dir):
    cell("resultados.csv", 3, "anio", "2022")(data_dir)
    _, problems = check(data_dir)
    assert matching(problems, "resultados.csv", 3, "anio", "también en la línea 2")


def test_bad_value_is_reported_as_typed(data_dir):
    cell("resultados.csv", 4, "valor", "1,5")(data_dir)
    _, problems = check(data_dir)
    (problem,) = matching(problems, "resultados.csv", 4, "valor", NUMBER)
    assert problem.value == "1,5"
    assert str(problem).startswith("resultados.csv, línea 4, columna «valor»: valor «1,5»:")


def test_non_utf8_message_says_how_to_resave(data_dir):
    replace_line("objetivos.csv", 3, "2,Fortalecer la Oficialía de partes", "latin-1")(data_dir)
    _, problems = check(data_dir)
    (problem,) = [p for p in problems if p.file == "objetivos.csv"]
    assert "UTF-8" in problem.message
    assert "Guardar como" in problem.message
    assert "CSV UTF-8" in problem.message


def test_non_utf8_line_is_where_the_bad_byte_is(data_dir):
    # line 2 («atención») made ASCII, so the first non-UTF-8 byte is the «í» of line 3
    replace_line("objetivos.csv", 2, "1,Mejorar la atencion a la ciudadania")(data_dir)
    replace_line("objetivos.csv", 3, "2,Fortalecer la Oficialía de partes", "latin-1")(data_dir)
    _, problems = check(data_dir)
    assert matching(problems, "objetivos.csv", 3, None, "UTF-8")


# ---------------------------------------------------------------- accepted edits

ACCEPTED = [
    ("valor-dentro-de-0.01", cell("resultados.csv", 3, "valor", "50.01")),
    ("valor-igual-a-la-razon", cell("resultados.csv", 3, "valor", "50")),
    ("valor-dentro-de-0.01-por-debajo", cell("resultados.csv", 3, "valor", "49.99")),
    # unidad «numero»: 24 / 2 = 12 (no × 100) agrees with valor 12
    ("razon-numero-sin-x100", lambda d: [cell("resultados.csv", 5, "numerador", "24")(d),
                                         cell("resultados.csv", 5, "denominador", "2")(d)]),
    ("bom-indicadores", add_bom("indicadores.csv")),
    ("bom-resultados", add_bom("resultados.csv")),
    ("bom-dependencia", add_bom("dependencia.yaml")),
    ("estado-pendiente-sin-valor", cell("resultados.csv", 7, "estado", "pendiente")),
    ("estrategia-vacia", cell("indicadores.csv", 2, "estrategia_id", "")),
    ("linea-base-na", cell("indicadores.csv", 4, "linea_base_valor", "")),
    ("valor-negativo", cell("resultados.csv", 4, "valor", "-3.5")),
    ("columna-opcional-nueva", add_column("objetivos.csv", "siglas", ["AC", "SU"])),
    ("crlf", lambda d: (d / "resultados.csv").write_bytes(
        (d / "resultados.csv").read_bytes().replace(b"\n", b"\r\n"))),
    # contract v3: the year after the baseline's and the target's year (with the card's target) are interim years
    ("metas-intermedias", write_text("metas.csv", f"{METAS}AC-1-01,2023,50\nAC-1-01,2027,90.0\nAC-1-02,2025,11\n")),
    ("metas-sin-filas", write_text("metas.csv", METAS)),
    ("programas-sin-filas", write_text("programas.csv", PROGRAMAS)),
    ("dos-programas", [write_text("programas.csv", DOS_PROGRAMAS), add_column("objetivos.csv", "programa_id", ["PE", "PS"])]),
    ("sentido-no-aplica", cell("indicadores.csv", 3, "sentido", "no_aplica")),
    ("sin-meta-y-sin-sentido", [cell("indicadores.csv", 3, "sentido", "no_aplica"),
                                cell("indicadores.csv", 3, "meta_anio", ""), cell("indicadores.csv", 3, "meta_valor", "")]),
]


@pytest.mark.parametrize("edit", [pytest.param(e, id=i) for i, e in ACCEPTED])
def test_accepted(data_dir, edit):
    for one in edit if isinstance(edit, list) else [edit]:
        one(data_dir)
    dataset, problems = check(data_dir)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert dataset is not None
    assert len(dataset.indicadores) == 3


def test_bom_header_is_read_as_the_first_column(data_dir):
    add_bom("indicadores.csv")(data_dir)
    dataset, problems = check(data_dir)
    assert problems == []
    assert list(dataset.indicadores["indicador_id"]) == ["AC-1-01", "AC-1-02", "AC-2-01"]


# ---------------------------------------------------------------- every problem, not just the first

def test_every_problem_is_reported(data_dir):
    cell("estrategias.csv", 2, "nombre", "")(data_dir)
    cell("indicadores.csv", 3, "frecuencia", "quincenal")(data_dir)
    cell("resultados.csv", 6, "valor", "abc")(data_dir)
    dataset, problems = check(data_dir)
    assert dataset is None
    assert {(p.file, p.line, p.column) for p in problems} == {
        ("estrategias.csv", 2, "nombre"),
        ("indicadores.csv", 3, "frecuencia"),
        ("resultados.csv", 6, "valor"),
    }


def test_every_missing_file_is_reported(tmp_path):
    (tmp_path / "vacia").mkdir()
    _, problems = check(tmp_path / "vacia")
    assert sorted(p.file for p in problems) == sorted(
        ["dependencia.yaml", "objetivos.csv", "estrategias.csv", "indicadores.csv", "resultados.csv"])


# ---------------------------------------------------------------- the command line

def test_cli_validate_bad_data(data_dir, capsys):
    cell("indicadores.csv", 3, "sentido", "creciente")(data_dir)
    cell("resultados.csv", 3, "denominador", "0")(data_dir)
    delete_file("estrategias.csv")(data_dir)
    _, problems = check(data_dir)
    assert len(problems) >= 3

    code = cli.main(["validate", "--data", str(data_dir)])
    out, err = capsys.readouterr()
    assert code == 2
    for problem in problems:
        assert f"ERROR {problem}" in out
    error_lines = [line for line in out.splitlines() if line.startswith("ERROR ")]
    assert len(error_lines) == len(problems)
    assert "Traceback" not in out + err
    assert "línea 3" in out and "columna «sentido»" in out


def test_cli_validate_rejects_what_the_build_rejects_in_params(data_dir, tmp_path, capsys):
    params = tmp_path / "2023.yaml"
    params.write_text('anio: 2023\nfecha_publicacion: "mañana"\n', encoding="utf-8")
    assert cli.main(["validate", "--data", str(data_dir), "--year", "2023", "--params", str(params)]) == 2
    assert "«fecha_publicacion» vale «mañana», que no es una fecha" in capsys.readouterr().out


def test_cli_validate_missing_directory(tmp_path, capsys):
    code = cli.main(["validate", "--data", str(tmp_path / "no-existe")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "ERROR" in out + err
    assert "no existe" in out + err
    assert "Traceback" not in out + err


def test_cli_validate_reference_data(capsys):
    code = cli.main(["validate", "--data", str(config.ROOT / "data")])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Oficialía Mayor" in out
    assert "Objetivos: 5" in out
    assert "Estrategias: 9" in out
    assert "Indicadores: 24" in out
    assert "2022, 2023" in out
    assert "ERROR" not in out + err
    avisos = [line for line in out.splitlines() if line.startswith("AVISO ")]
    assert avisos
    assert any("OM-2-06" in line for line in avisos)
    assert any("4 objetivos" in line for line in avisos)


def test_cli_validate_minimal_has_no_warnings(capsys):
    code = cli.main(["validate", "--data", str(MINIMAL)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Instituto de Atención Ciudadana" in out
    assert "Objetivos: 2  Estrategias: 2  Indicadores: 3" in out
    assert "AVISO" not in out
