"""The output folder: a build writes only where it may, replaces only what it wrote, and an I/O failure is
a clear message (the path and the cause, exit code 1), never a traceback or a notebook's fault.

Refusals happen before anything runs (no notebook, no cluster). The real builds here use the small fixture
agency (``--format html``); the full-disk and read-only cases mount a tiny tmpfs (skipped, with the reason,
where ``mount`` is not permitted).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from edits import MINIMAL

from informe import cli, config
from informe.construccion import lote, salida
from informe.problemas import InformeError

YEAR = "2023"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def agency(tmp_path):
    """A copy of the minimal agency in ``tmp_path/datos`` and its parameters in ``tmp_path/p.yaml``."""
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    params = tmp_path / "p.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    return data, params


def build(data: Path, params: Path, out: Path | str, *extra: str) -> int:
    return cli.main(["build", "--year", YEAR, "--data", str(data), "--params", str(params), "--out", str(out),
                     "--format", "html", *extra])


# --------------------------------------------------------------------------- refusals, before anything runs


def test_a_folder_of_the_users_own_files_is_refused_and_left_as_it_was(agency, tmp_path, capsys):
    data, params = agency
    out = tmp_path / "mis-documentos"
    for name in ("datos/mis_cifras.csv", "notebooks/analisis.ipynb", "fallidos/borrador.ipynb", "notas.txt"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"mío: {name}\n", encoding="utf-8")
    before = _snapshot(out)
    assert build(data, params, out) == 2
    err = capsys.readouterr().err
    assert f"--out {out}" in err and "nueva o vacía" in err and "Traceback" not in err
    assert _snapshot(out) == before and sorted(p.name for p in out.iterdir()) == [
        "datos", "fallidos", "notas.txt", "notebooks"]
    assert not [p for p in tmp_path.iterdir() if ".construyendo-" in p.name or p.name.endswith(".lock")]


def test_out_is_never_the_data_a_folder_around_it_or_inside_it_nor_root_or_home(agency, tmp_path, monkeypatch,
                                                                                 capsys):
    data, params = agency
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "casa"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # empty: refused all the same
    (tmp_path / "enlace").symlink_to(data)  # a symbolic link to the data folder is the data folder
    before = _snapshot(tmp_path)
    for out, says in [(".", "contiene la carpeta de datos"), ("datos", "es la carpeta de datos"),
                      ("enlace", "es la carpeta de datos"), ("datos/salida", "está dentro de la carpeta de datos"),
                      ("datos/narrativa", "está dentro de la carpeta de datos"), ("/", "raíz"),
                      (str(home), "carpeta personal")]:
        assert cli.main(["build", "--year", YEAR, "--data", "datos", "--params", "p.yaml", "--out", out,
                         "--format", "html"]) == 2, out
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, (out, err)
        assert _snapshot(tmp_path) == before, f"--out {out} changed a file"
        assert not (data / "salida").exists() and not any(home.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".construyendo-" in p.name]

    # Beside a workbook: not its folder (or one around it), nor the narrative read with it; a new subfolder is fine.
    books = tmp_path / "libros"
    books.mkdir()
    book = books / "libro.xlsx"
    book.write_bytes(b"no se lee: la salida se revisa antes")
    for out in (books, tmp_path, books / "narrativa" / "x", books / "params"):
        with pytest.raises(InformeError):
            salida.claim_output(out, [book])
    salida.claim_output(books / "salida", [book])
    salida.claim_output(tmp_path / "otra", [data])


def test_lote_refuses_a_folder_not_its_own_before_any_cluster(agency, tmp_path, capsys):
    data, _ = agency
    mine = tmp_path / "mis-documentos"
    mine.mkdir()
    (mine / "notas.txt").write_text("mío\n", encoding="utf-8")
    for out, says in [(mine, "ya existe y tiene archivos"), (data, "es la carpeta de datos"),
                      (tmp_path, "contiene la carpeta de datos")]:
        assert cli.main(["lote", "--year", YEAR, "--out", str(out), str(data)]) == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err, err
    assert (mine / "notas.txt").read_text(encoding="utf-8") == "mío\n" and len(list(mine.iterdir())) == 1
    # the output folder of an earlier run is ours: its consolidated table, or a report of an agency
    previous = tmp_path / "lote"
    (previous / "a").mkdir(parents=True)
    (previous / "a" / ".informe-construccion.json").write_text("{}", encoding="utf-8")
    lote_marked = tmp_path / "lote2"
    lote_marked.mkdir()
    (lote_marked / f"consolidado_{YEAR}.csv").write_text("dependencia\n", encoding="utf-8")
    for out in (previous, lote_marked):
        salida.claim_lote_output(out, [data])


def test_the_open_data_of_informe_export_is_ours_and_export_follows_the_same_rules(agency, tmp_path, capsys):
    data, params = agency
    out = tmp_path / "salida"
    assert cli.main(["export", "--year", YEAR, "--data", str(data), "--params", str(params), "--out", str(out)]) == 0
    salida.claim_output(out, [data])  # informe build may follow into the same folder
    (out / "datos" / "mis_cifras.csv").write_text("mío", encoding="utf-8")
    with pytest.raises(InformeError, match="ya existe y tiene archivos"):
        salida.claim_output(out, [data])
    assert cli.main(["export", "--year", YEAR, "--data", str(data), "--out", str(data)]) == 2
    assert "es la carpeta de datos" in capsys.readouterr().err
    assert not (data / "datos").exists()


# --------------------------------------------------------------------------- the swap replaces what we wrote


def _record(out: Path, names: list[str]) -> None:
    (out / ".informe-construccion.json").write_text(json.dumps({"huella": out.name, "archivos": dict.fromkeys(names, "")}),
                                                    encoding="utf-8")


def test_swap_replaces_and_removes_only_the_files_the_previous_build_recorded(tmp_path):
    out, stage = tmp_path / "salida", tmp_path / "nueva"
    for name in ("informe_2023.html", "notebooks/07_objetivo_1.ipynb", "notebooks/07_objetivo_9.ipynb",
                 "datos/viejo.csv", "notas.txt", "notebooks/mis_notas.txt", "fallidos/mio.ipynb"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(f"antes {name}", encoding="utf-8")
    _record(out, ["informe_2023.html", "notebooks/07_objetivo_1.ipynb", "notebooks/07_objetivo_9.ipynb",
                  "datos/viejo.csv", "../fuera.txt"])
    (tmp_path / "fuera.txt").write_text("fuera", encoding="utf-8")  # a record cannot point outside the folder
    for name in ("informe_2023.html", "notebooks/07_objetivo_1.ipynb", "datos/indicadores_2023.csv"):
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(f"nuevo {name}", encoding="utf-8")
    _record(stage, ["informe_2023.html", "notebooks/07_objetivo_1.ipynb", "datos/indicadores_2023.csv"])
    new_record = (stage / ".informe-construccion.json").read_bytes()

    salida.swap_in(stage, out)

    assert _snapshot(out) == {
        ".informe-construccion.json": new_record,
        "informe_2023.html": b"nuevo informe_2023.html",
        "notebooks/07_objetivo_1.ipynb": b"nuevo notebooks/07_objetivo_1.ipynb",
        "datos/indicadores_2023.csv": b"nuevo datos/indicadores_2023.csv",
        # never written by a build: kept as they were
        "notas.txt": b"antes notas.txt", "notebooks/mis_notas.txt": b"antes notebooks/mis_notas.txt",
        "fallidos/mio.ipynb": b"antes fallidos/mio.ipynb"}
    assert (tmp_path / "fuera.txt").exists()

    # A file of the user's where the build writes a folder: an error naming it, the user's file intact.
    stage = tmp_path / "otra"
    (stage / "notas.txt").mkdir(parents=True)
    (stage / "notas.txt" / "a").write_text("nuevo", encoding="utf-8")
    with pytest.raises(salida.OutputError, match="notas.txt"):
        salida.swap_in(stage, out)
    assert (out / "notas.txt").read_text(encoding="utf-8") == "antes notas.txt"


def test_failed_notebooks_are_kept_and_cleared_without_touching_the_users_files(agency, tmp_path, monkeypatch,
                                                                              capsys):
    """A first build that fails (a real notebook error) in a new folder, then one that succeeds, then a
    rebuild: the user's files in the output folder, even inside notebooks/ and fallidos/, survive all three;
    what the builds wrote is replaced or removed."""
    data, params = agency
    out = tmp_path / "salida"
    notebooks = tmp_path / "cuadernos"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    source = (notebooks / "07_objetivo.ipynb").read_text(encoding="utf-8")
    (notebooks / "07_objetivo.ipynb").write_text(
        source.replace("secciones.objetivo(ctx, objetivo_id)", "secciones.objetivo(ctx, objetivo_id + 100)"),
        encoding="utf-8")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    assert build(data, params, out, "--workers", "1") == 1
    assert "Falló el cuaderno" in capsys.readouterr().err
    kept = [p.name for p in (out / "fallidos").glob("*.ipynb")]
    assert len(kept) == 1 and kept[0].startswith("07_objetivo_")
    monkeypatch.undo()  # the project's notebooks again

    # the user's own files, beside and inside the folders the builds write
    mine = {"notas.txt": "mío", "fallidos/mi_cuaderno.ipynb": "mío", "notebooks/mis_notas.txt": "mío",
            "datos/mis_cifras.csv": "mío"}
    for name, text in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    assert build(data, params, out) == 0, capsys.readouterr().err  # the folder holds a failure of ours
    assert (out / "informe_2023.html").is_file() and not (out / "fallidos" / kept[0]).exists()
    assert not (out / "fallidos" / ".informe-fallidos.json").exists()
    assert {name: (out / name).read_text(encoding="utf-8") for name in mine} == mine

    # A rebuild after an earlier build that had a ninth objective: its notebook goes, the user's files stay.
    record = json.loads((out / ".informe-construccion.json").read_text(encoding="utf-8"))
    record["archivos"]["notebooks/07_objetivo_9.ipynb"] = "0"
    (out / ".informe-construccion.json").write_text(json.dumps(record), encoding="utf-8")
    (out / "notebooks" / "07_objetivo_9.ipynb").write_text("{}", encoding="utf-8")
    (out / f"calidad_{YEAR}.html").unlink()
    assert build(data, params, out) == 0
    assert (out / f"calidad_{YEAR}.html").is_file() and not (out / "notebooks" / "07_objetivo_9.ipynb").exists()
    assert {name: (out / name).read_text(encoding="utf-8") for name in mine} == mine
    assert not [p for p in tmp_path.iterdir() if ".construyendo-" in p.name]


def test_a_failed_notebook_never_replaces_a_users_file_and_only_ours_are_cleared(tmp_path):
    out = tmp_path / "salida"
    (out / "fallidos").mkdir(parents=True)
    (out / "fallidos" / "07_objetivo_1.ipynb").write_text("mío", encoding="utf-8")
    failed = tmp_path / "07_objetivo_1.ipynb"
    failed.write_text("con error", encoding="utf-8")
    kept = salida.keep_failed(failed, out)
    assert kept != out / "fallidos" / "07_objetivo_1.ipynb" and kept.read_text(encoding="utf-8") == "con error"
    assert (out / "fallidos" / "07_objetivo_1.ipynb").read_text(encoding="utf-8") == "mío"
    salida.clear_failed(out)
    assert sorted(p.name for p in (out / "fallidos").iterdir()) == ["07_objetivo_1.ipynb"]


# --------------------------------------------------------------------------- I/O failures: exit 1, path and cause


def test_out_on_a_file_is_an_io_error_naming_it(agency, tmp_path, capsys):
    data, params = agency
    a_file = tmp_path / "informe.pdf"
    a_file.write_bytes(b"%PDF propio")
    for out in (a_file, a_file / "sub"):
        assert build(data, params, out) == 1
        err = capsys.readouterr().err
        assert str(a_file) in err and "es un archivo, no una carpeta" in err and "Traceback" not in err
    assert a_file.read_bytes() == b"%PDF propio"
    assert cli.main(["export", "--year", YEAR, "--data", str(data), "--out", str(a_file)]) == 1
    assert "es un archivo" in capsys.readouterr().err


@contextlib.contextmanager
def tmpfs(folder: Path, size: str, read_only: bool = False):
    """A small tmpfs mounted on ``folder`` (the test is skipped where mounting is not permitted)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"no se puede montar un tmpfs en esta máquina: {mounted.stderr.strip() or 'mount falló'}")
    try:
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_read_only_file_system_is_an_io_error_before_anything_runs(agency, tmp_path, capsys):
    data, params = agency
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as disk:
        assert build(data, params, disk / "salida") == 1
        err = capsys.readouterr().err
        assert str(disk) in err and "solo lectura" in err and "Traceback" not in err
        assert cli.main(["lote", "--year", YEAR, "--out", str(disk / "lote"), str(data)]) == 1
        assert "solo lectura" in capsys.readouterr().err


def test_a_full_disk_is_an_io_error_naming_the_output_not_a_notebook(agency, tmp_path, capsys):
    """The open data and the quality review fit; the first executed notebook does not."""
    data, params = agency
    with tmpfs(tmp_path / "lleno", "100k") as disk:
        out = disk / "salida"
        assert build(data, params, out, "--force") == 1
        err = capsys.readouterr().err
        assert "no queda espacio en el disco" in err and f"{out}/notebooks/" in err, err
        assert "Falló el cuaderno" not in err and ".construyendo-" not in err and "Traceback" not in err
        assert not (out / "fallidos").exists(), "no notebook failed"
        assert not [p for p in disk.iterdir() if ".construyendo-" in p.name], "the staging directory is removed"


def test_lote_agency_folder_of_the_users_files_is_not_built(agency, tmp_path, capsys):
    """Each agency's folder in the output follows the rules of --out: one holding the user's files fails alone
    (the consolidated report says why) and is left as it was. A real LocalCluster; no notebook runs."""
    data, _ = agency
    out = tmp_path / "lote"
    (out / "datos").mkdir(parents=True)
    (out / "datos" / "notas.txt").write_text("mío", encoding="utf-8")
    (out / f"consolidado_{YEAR}.csv").write_text("dependencia\n", encoding="utf-8")  # an earlier run of ours
    outcomes = lote.lote(int(YEAR), [data], out_dir=out, workers=1, formats=["html"], progress=lambda line: None)
    assert not outcomes[0].ok and "ya existe y tiene archivos" in outcomes[0].error[0]
    assert sorted(p.name for p in (out / "datos").iterdir()) == ["notas.txt"]
    assert "ya existe y tiene archivos" in (out / f"consolidado_{YEAR}.csv").read_text(encoding="utf-8")
