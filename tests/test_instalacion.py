"""``pip install .`` (not editable) builds the report: the notebooks and templates travel inside the package,
and the installed command, run from any folder, writes the same bytes as the project's own build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from informe import config

COMPARED = ("informe_2023.html", "informe_2023.pdf", "calidad_2023.html", "datos/indicadores_2023.csv",
            "datos/resumen_2023.csv", "datos/indicadores_2023.xlsx", "datos/datapackage.json")


@pytest.mark.slow
def test_an_installed_package_builds_the_same_report_from_another_folder(tmp_path, report_2023):
    source = tmp_path / "fuente"  # the project's files as a clone has them (building writes into the tree)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=config.ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        path = config.ROOT / name
        if path.is_file() and not path.is_symlink():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    target = tmp_path / "instalado"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(source)], check=True, capture_output=True)
    assert (target / "informe" / "cuadernos" / "07_objetivo.ipynb").is_file(), "the notebooks are package data"
    assert not (target / "data").exists()

    elsewhere = tmp_path / "otra-carpeta"
    elsewhere.mkdir()
    out = elsewhere / "salida"
    env = {**os.environ, "PYTHONPATH": str(target), "INFORME_CACHE": str(tmp_path / "cache")}  # nothing cached
    run = subprocess.run(
        [sys.executable, "-m", "informe", "construir", "--year", "2023", "--data", str(config.DATA_DIR),
         "--params", str(config.params_file(2023)), "--out", str(out)],
        cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr

    for name in COMPARED:
        assert (out / name).read_bytes() == (report_2023 / name).read_bytes(), name
    nb = json.loads((out / "notebooks" / "00_portada.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["input_path"] == str(target / "informe" / "cuadernos" / "00_portada.ipynb")
    assert not (elsewhere / "outputs").exists() or not any((elsewhere / "outputs").iterdir())
