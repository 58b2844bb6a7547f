"""The command line speaks Spanish: argparse's own words (usage, errors, choices) and the command names;
the former English names keep working."""

from __future__ import annotations

import pytest
from edits import MINIMAL

from informe import cli

ENGLISH = ("usage:", "error: the following", "invalid choice", "choose from", "unrecognized arguments",
           "show this help", "positional arguments", "options:\n", "expected one argument", "invalid int value")


def run(capsys, *argv) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        cli.main(list(argv))
    captured = capsys.readouterr()
    return stop.value.code, captured.out + captured.err


@pytest.mark.parametrize("argv, says", [
    (["construir"], "informe construir: error: faltan argumentos obligatorios: --year"),
    (["nada"], "«nada» no es una opción válida; las opciones son: validar, exportar, construir, lote, vista, plantilla."),
    (["buil"], "¿Quiso decir «construir»?"),  # the closest is a former name: its Spanish one is suggested
    (["valdiar"], "¿Quiso decir «validar»?"),
    (["build"], "informe construir: error: faltan argumentos obligatorios: --year"),  # the alias answers in Spanish
    (["validar", "--formato", "x"], "argumentos no reconocidos: --formato x"),
    (["construir", "--year"], "a la opción --year le falta al menos un valor"),
    (["exportar", "--year", "2023", "--data"], "a la opción --data le falta su valor"),
    (["construir", "--year", "2023", "--workers", "dos"], "«dos» no es un número de procesos válido"),
    (["lote", "--year", "2023"], "faltan argumentos obligatorios: DIR"),
])
def test_errors_in_spanish_with_the_way_to_help(capsys, argv, says):
    code, text = run(capsys, *argv)
    assert code == 2
    assert says in text, text
    assert text.startswith("uso: informe") and "--help» para las opciones y ejemplos." in text
    assert not [word for word in ENGLISH if word in text], text


@pytest.mark.parametrize("argv", [["--help"], ["validar", "--help"], ["construir", "-h"], ["lote", "--help"],
                                  ["build", "--help"]])
def test_help_in_spanish(capsys, argv):
    code, text = run(capsys, *argv)
    assert code == 0
    assert text.startswith("uso: informe") and "muestra esta ayuda y termina" in text
    assert not [word for word in ENGLISH if word in text], text


def test_no_suggestion_when_nothing_is_close(capsys):
    _, text = run(capsys, "nada")
    assert "¿Quiso decir" not in text


def test_version(capsys):
    code, text = run(capsys, "--version")
    assert code == 0 and text.startswith("informe ")


def test_the_commands_are_spanish_and_the_english_names_still_work(capsys):
    _, text = run(capsys, "--help")
    assert "{validar,exportar,construir,lote,vista,plantilla}" in text and "validar (validate)" in text
    for name in ("validar", "validate"):
        assert cli.main([name, "--data", str(MINIMAL)]) == 0


def test_validate_params_help_says_one_thing(capsys):
    _, text = run(capsys, "validar", "--help")
    help_text = " ".join(text.split())
    assert "Con --year o --params el archivo debe existir" in help_text
    assert "obligatorio si se da --year" not in help_text


def test_exportar_and_export_write_the_same_files(tmp_path, capsys):
    written = {}
    for name in ("exportar", "export"):
        out = tmp_path / name
        assert cli.main([name, "--year", "2023", "--data", str(MINIMAL), "--out", str(out)]) == 0
        written[name] = {p.name: p.read_bytes() for p in (out / "datos").glob("*.csv")}
    assert written["exportar"] and written["exportar"] == written["export"]
