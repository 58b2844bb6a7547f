"""``informe lote``: several agencies in one run on Dask distributed, plus the consolidated report.

The end-to-end test starts a real LocalCluster (2 worker processes) and runs the real notebooks
of three small agencies and a fourth whose notebook fails; another starts a LocalCluster of one worker
for agencies with invalid data (no notebook runs); the other tests need no cluster. Both cluster tests
make every piece of an agency's work fail in the caller's process (the test's): it must all run in the
Dask workers.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from edits import MINIMAL, cell

from informe import cli, config
from informe.construccion import lote
from informe.problemas import InformeError

YEAR = 2023


def agency(parent: Path, folder: str, nombre: str) -> Path:
    """A copy of the minimal fixture named ``nombre`` (dependencia.yaml)."""
    path = parent / folder
    shutil.copytree(MINIMAL, path)
    yaml = path / "dependencia.yaml"
    text = yaml.read_text(encoding="utf-8").replace("nombre: Instituto de Atención Ciudadana", f"nombre: {nombre}")
    yaml.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


#: An agency's work: reading and validating its data, fingerprints, open data, quality review, the notebook
#: jobs and cache, provenance and the manifest. ``informe lote`` runs all of it in Dask tasks, on the workers.
AGENCY_WORK = ["informe.datos.entradas.year_inputs", "informe.datos.lectura.read_yaml", "informe.datos.entradas.check_tables",
               "informe.construccion.huella.notebook_inputs", "informe.construccion.huella.build_inputs", "informe.construccion.huella.unchanged",
               "informe.construccion.huella.manifest", "informe.calculo.datos_abiertos.export", "informe.reporte.revision.write_review",
               "informe.construccion.pasos.plan", "informe.construccion.pasos.record_provenance",
               "informe.datos.contexto.save", "informe.construccion.cache.NotebookCache.restore",
               "informe.construccion.cache.NotebookCache.store"]


def forbid_agency_work_here(monkeypatch) -> None:
    """From now on, each piece of an agency's work raises in this process, the caller of ``informe lote``.
    The Dask workers are other processes (spawned: they import ``informe`` afresh) and are not affected."""
    def tripwire(name):
        def ran_here(*args, **kwargs):
            raise AssertionError(f"{name} ran in the caller of informe lote, not in a Dask worker")
        return ran_here

    for name in AGENCY_WORK:
        monkeypatch.setattr(name, tripwire(name))


# --------------------------------------------------------------------------- without a cluster


def test_agencies_are_folders_or_folders_of_folders(tmp_path):
    parent = tmp_path / "dependencias"
    parent.mkdir()
    agency(parent, "b", "B")
    agency(parent, "a", "A")
    (parent / "notas").mkdir()  # not an agency: skipped
    single = agency(tmp_path, "sola", "Sola")
    found = lote.find_agencies([parent, single, parent / "a"])  # a repeated folder counts once
    assert [a.name for a in found] == ["a", "b", "sola"]
    with pytest.raises(InformeError, match="no es la carpeta de datos de una dependencia"):
        lote.find_agencies([parent / "notas"])
    other = tmp_path / "otra"
    other.mkdir()
    agency(other, "a", "Otra A")
    with pytest.raises(InformeError, match="misma carpeta «a»"):
        lote.find_agencies([parent, other])


def test_parameters_of_the_agency_then_of_the_project_then_defaults(tmp_path):
    path = agency(tmp_path, "a", "A")
    assert lote.params_for(path, YEAR) == config.params_file(YEAR)  # the project's params/2023.yaml
    assert lote.params_for(path, 2031) is None  # neither: defaults
    own = path / "params" / f"{YEAR}.yaml"
    own.parent.mkdir()
    own.write_text(f"anio: {YEAR}\n", encoding="utf-8")
    assert lote.params_for(path, YEAR) == own


def test_bad_arguments_exit_2_before_any_cluster(tmp_path, capsys):
    assert cli.main(["lote", "--year", "2023", "--out", str(tmp_path / "o"), str(tmp_path)]) == 2
    assert "no es la carpeta de datos de una dependencia" in capsys.readouterr().err
    code = cli.main(["lote", "--year", "2023", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2",
                     str(MINIMAL)])
    assert code == 2 and "--workers es para el clúster local" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["lote", "--year", "2023", "--scheduler", "127.0.0.1:8786", str(MINIMAL)])
    assert not (tmp_path / "o").exists()


def test_consolidated_report_escapes_names_and_is_deterministic(tmp_path):
    ok = lote.Outcome(lote.Agency(tmp_path / "x", "x"), "Instituto <script>alert(1)</script>", "Gobierno", ok=True,
                      counts={"indicadores": 4, "con_avance": 1, "sin_avance": 1, "igual": 1, "sin_informacion": 1,
                              "no_aplica": 0}, files={"html": "x/informe_2023.html"})
    bad = lote.Outcome(lote.Agency(tmp_path / "y", "y"), "Secretaría Y", "Gobierno",
                       error=["Datos inválidos: 1 problema(s).", "resultados.csv, línea 2: <b>mal</b>"], validation=True)
    html = lote.consolidated_html([ok, bad], YEAR)
    assert html == lote.consolidated_html([ok, bad], YEAR)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script") and "&lt;script&gt;" in html and "<b>mal</b>" not in html
    assert not soup.select("[style]"), "classes only, no inline styles"
    assert soup.select_one("table.lote tfoot").get_text(" ", strip=True).startswith("Total (1 informe)")
    assert soup.select_one("a[href='./x/informe_2023.html']") is not None
    rows = lote.consolidated_rows([ok, bad])
    assert rows[0]["con_avance_pct"] == 25.0 and rows[1]["indicadores"] is None
    assert lote.exit_code([ok]) == 0 and lote.exit_code([bad]) == 2 and lote.exit_code([ok, bad]) == 1
    # «No aplica» (contract v3) is a column of the consolidated report only when some indicator has it
    assert "No aplica" not in soup.select_one("table.lote thead").get_text()
    ok.counts = {**ok.counts, "indicadores": 5, "no_aplica": 1}
    soup = BeautifulSoup(lote.consolidated_html([ok, bad], YEAR), "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("table.lote thead th")]
    assert headers[5:7] == ["Sin información", "No aplica"]
    assert [td.get_text(strip=True) for td in soup.select("table.lote tfoot td")][:6] == ["5", "1", "1", "1", "1", "1"]
    assert soup.select_one("tr.lote-fallida td.lote-error")["colspan"] == "7"
    assert "no_aplica" in lote.CSV_COLUMNS


def test_priorities_go_agency_by_agency_heaviest_notebooks_first_and_finishing_tasks_above_all():
    weights = [1.0, 1.0, 5.0, 3.0, 1.0]  # portada, introducción, objetivo (4 indicadores), objetivo, glosario
    first, second = lote.notebook_priorities(0, weights), lote.notebook_priorities(1, weights)
    assert first[2] > first[3] > first[0] > first[1] > first[4], "heaviest first, then in report order"
    # agency 0's notebooks, then agency 1's preparation, then its notebooks; agency 2's preparation after those
    assert min(first) > lote.prepare_priority(1) > max(second) > min(second) > lote.prepare_priority(2)
    assert lote.prepare_priority(0) > max(first)
    assert lote.FINISH_PRIORITY - 1000 > lote.prepare_priority(0), "every finishing task before anything else"


# --------------------------------------------------------------------------- with a real LocalCluster


@pytest.mark.slow
def test_each_agency_is_validated_on_a_worker_and_its_problems_come_back_through_the_task(tmp_path, monkeypatch):
    """The caller reads no agency's data: each agency is read and validated by its preparation task in a
    worker, whose problems reach the progress line and the consolidated report as `informe validate` words
    them (no path of ours, no traceback); an unreadable dependencia.yaml names the agency after its folder."""
    from informe.datos.entradas import year_inputs

    parent = tmp_path / "dependencias"
    parent.mkdir()
    invalid = agency(parent, "c-datos", "Instituto C")
    cell("resultados.csv", 5, "valor", "doce")(invalid)
    cell("resultados.csv", 6, "valor", "trece")(invalid)
    unreadable = agency(parent, "e-yaml", "Instituto E")
    (unreadable / "dependencia.yaml").write_text("nombre: [sin cerrar\n", encoding="utf-8")
    expected = {folder.name: [str(p) for p in year_inputs(folder, YEAR, config.params_file(YEAR)).problems]
                for folder in (invalid, unreadable)}  # what `informe validate` says, computed here beforehand
    assert all(expected.values())
    forbid_agency_work_here(monkeypatch)

    out, printed = tmp_path / "out", []
    outcomes = lote.lote(YEAR, [parent], out_dir=out, workers=1, formats=["html"], progress=printed.append)

    assert lote.exit_code(outcomes) == 2
    c, e = outcomes
    assert (c.nombre, e.nombre) == ("Instituto C", "e-yaml"), "named from dependencia.yaml, else the folder"
    for outcome in (c, e):
        problems = expected[outcome.agency.name]
        assert outcome.validation and not outcome.ok
        assert outcome.error == [f"Datos inválidos: {len(problems)} problema(s).", *lote.first_lines(problems)]
        text = "\n".join(outcome.error)
        assert str(tmp_path) not in text and "Traceback" not in text and "Error:" not in text
    assert "resultados.csv, línea 5, columna «valor»: valor «doce»" in c.error[1]
    progress = [line for line in printed if line.startswith("[")]
    assert len(progress) == 2 and all(": ERROR — Datos inválidos" in line for line in progress), printed
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock")) == [
        f".estado_{YEAR}.json", f"consolidado_{YEAR}.csv", f"consolidado_{YEAR}.html", f"cuadernos_estado_{YEAR}",
        f"datos_estado_{YEAR}", f"estado_{YEAR}.html"], "no agency folder, no staging directory left (HTML only)"
    # the state's report lists both agencies with their errors, and its dataset has no indicator
    state = (out / f"estado_{YEAR}.html").read_text(encoding="utf-8")
    assert "Instituto C" in state and "valor «doce»" in state
    assert (out / f"datos_estado_{YEAR}" / f"estado_{YEAR}.csv").read_text(encoding="utf-8").count("\n") == 1


def _failing_portada(tmp_path: Path) -> Path:
    """A copy of notebooks/ whose portada fails for a data folder named ``*-roto`` (valid data)."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    path = notebooks / "00_portada.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if "secciones.open(" in "".join(c["source"]))
    code["source"] = "".join(code["source"]) + (
        '\nif str(data_dir).rstrip("/").endswith("-roto"):\n    raise ValueError("portada rota a propósito")\n')
    path.write_text(json.dumps(nb), encoding="utf-8")
    return notebooks


@pytest.mark.slow
def test_lote_builds_every_agency_and_lists_the_failures(tmp_path, monkeypatch, capsys):
    parent = tmp_path / "dependencias"
    parent.mkdir()
    agency(parent, "a-iac", "Instituto de Atención Ciudadana")
    b = agency(parent, "b-ise", "Instituto Sonorense B")
    (b / "params").mkdir()
    (b / "params" / f"{YEAR}.yaml").write_text(f'anio: {YEAR}\ntitulo: "Informe propio {{anio}}"\n', encoding="utf-8")
    cell("resultados.csv", 5, "valor", "doce")(agency(parent, "c-datos", "Instituto C"))  # invalid data
    agency(parent, "d-roto", "Instituto D")  # valid data, a notebook fails
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", _failing_portada(tmp_path))
    out = tmp_path / "out"
    previous = out / "d-roto" / f"informe_{YEAR}.html"  # a report of an earlier run is left as it was
    previous.parent.mkdir(parents=True)
    previous.write_text("anterior", encoding="utf-8")
    (previous.parent / ".informe-construccion.json").write_text(  # the record of that run: the folder is ours
        json.dumps({"huella": "", "archivos": {previous.name: ""}}), encoding="utf-8")
    forbid_agency_work_here(monkeypatch)  # every agency's work runs on the workers, in both runs below

    code = cli.main(["lote", "--year", str(YEAR), "--out", str(out), "--workers", "2", "--format", "html",
                     str(parent)])
    printed = capsys.readouterr().out
    assert code == 1

    # One progress line per agency, the failures named with their error.
    progress = [line for line in printed.splitlines() if line.startswith("[")]
    assert len(progress) == 4 and all("/4]" in line for line in progress), printed
    assert any("(c-datos): ERROR — Datos inválidos" in line and "resultados.csv" in line for line in progress)
    assert any("(d-roto): ERROR — Falló el cuaderno «Portada y directorio»" in line for line in progress)

    # Each built agency has the layout of `informe build --out`.
    for folder in ("a-iac", "b-ise"):
        for name in (f"informe_{YEAR}.html", f"calidad_{YEAR}.html", f"datos/indicadores_{YEAR}.csv",
                     f"datos/resumen_{YEAR}.csv", "notebooks/00_portada.ipynb", "notebooks/07_objetivo_2.ipynb"):
            assert (out / folder / name).stat().st_size > 0, f"{folder}/{name}"
        assert not (out / folder / f"informe_{YEAR}.pdf").exists(), "--format html writes no PDF"
    title = BeautifulSoup((out / "b-ise" / f"informe_{YEAR}.html").read_text(encoding="utf-8"), "html.parser").title
    assert title.get_text().startswith(f"Informe propio {YEAR}"), "the agency's own params/<Y>.yaml"
    assert not (out / "c-datos").exists()
    assert previous.read_text(encoding="utf-8") == "anterior"
    assert (out / "d-roto" / "fallidos" / "00_portada.ipynb").exists(), "the failing notebook is kept"
    assert not [p for p in out.rglob("*") if ".construyendo-" in p.name], "no staging directory left"

    # The consolidated CSV: every agency, counts equal to each report's resumen total row.
    rows = {row["carpeta"]: row for row in read_csv(out / f"consolidado_{YEAR}.csv")}
    assert list(rows) == ["a-iac", "b-ise", "c-datos", "d-roto"]
    for folder in ("a-iac", "b-ise"):
        total = next(r for r in read_csv(out / folder / "datos" / f"resumen_{YEAR}.csv") if r["objetivo_id"] == "total")
        row = rows[folder]
        assert row["estado"] == "construido" and not row["error"]
        assert {c: row[c] for c in lote.COUNTS} == {c: total[c] for c in lote.COUNTS}
        assert float(row["con_avance_pct"]) == pytest.approx(100 * int(total["con_avance"]) / int(total["indicadores"]),
                                                            abs=0.005)
        assert row["informe_html"] == f"{folder}/informe_{YEAR}.html" and row["informe_pdf"] == ""
    assert rows["c-datos"]["estado"] == "error" and rows["c-datos"]["indicadores"] == ""
    assert "resultados.csv, línea 5, columna «valor»: valor «doce»" in rows["c-datos"]["error"]
    assert "Portada y directorio" in rows["d-roto"]["error"] and "portada rota a propósito" in rows["d-roto"]["error"]
    portada = json.loads((config.NOTEBOOKS_DIR / "00_portada.ipynb").read_text(encoding="utf-8"))["cells"]
    failing = next(n for n, c in enumerate(portada, 1) if "secciones.open(" in "".join(c["source"]))
    assert f", celda {failing} (In [" in rows["d-roto"]["error"], "the failing cell, as informe construir names it"

    # The consolidated HTML: a row per agency with a working link, the failures with their error.
    soup = BeautifulSoup((out / f"consolidado_{YEAR}.html").read_text(encoding="utf-8"), "html.parser")
    names = [th.get_text(strip=True) for th in soup.select("table.lote tbody th")]
    assert names == ["Instituto de Atención Ciudadana", "Instituto Sonorense B", "Instituto C", "Instituto D"]
    for link in soup.select("table.lote a[href$='.html']"):
        assert (out / link["href"]).is_file(), link["href"]
    errors = soup.select_one("dl.lote-errores").get_text(" ", strip=True)
    assert "valor «doce»" in errors and "portada rota a propósito" in errors
    assert not soup.select("[style]")

    # Again, after correcting one result of a-iac: only a-iac is rebuilt (with the corrected value),
    # b-ise is left as it was (the same file, not rewritten), the failures are reported again.
    a_html, b_html = out / "a-iac" / f"informe_{YEAR}.html", out / "b-ise" / f"informe_{YEAR}.html"
    b_before = b_html.stat()
    assert ">13</td>" not in a_html.read_text(encoding="utf-8")
    cell("resultados.csv", 5, "valor", "13")(parent / "a-iac")
    code = cli.main(["lote", "--year", str(YEAR), "--out", str(out), "--workers", "2", "--format", "html",
                     str(parent)])
    printed = capsys.readouterr().out
    assert code == 1
    progress = {line.split("(")[1].split(")")[0]: line for line in printed.splitlines() if line.startswith("[")}
    assert ": listo en " in progress["a-iac"] and ": sin cambios — " in progress["b-ise"], printed
    assert "ERROR" in progress["c-datos"] and "ERROR" in progress["d-roto"]
    assert ">13</td>" in a_html.read_text(encoding="utf-8")
    b_after = b_html.stat()
    assert (b_after.st_ino, b_after.st_mtime_ns) == (b_before.st_ino, b_before.st_mtime_ns)
    rows = {row["carpeta"]: row for row in read_csv(out / f"consolidado_{YEAR}.csv")}
    assert rows["b-ise"]["estado"] == "construido" and rows["b-ise"]["informe_html"] == f"b-ise/informe_{YEAR}.html"


@pytest.mark.slow
def test_lote_keeps_the_pdf_when_nothing_it_is_printed_from_changed(tmp_path):
    """As informe construir: an agency rebuilt after an edit that changes no figure nor text of its report
    (a comment in dependencia.yaml) keeps its PDF (the same bytes and date), not printed again."""
    parent = tmp_path / "dependencias"
    parent.mkdir()
    folder = agency(parent, "a-iac", "Instituto de Atención Ciudadana")
    out = tmp_path / "out"
    assert lote.exit_code(lote.lote(YEAR, [parent], out_dir=out, workers=1, progress=lambda line: None)) == 0
    pdf = out / "a-iac" / f"informe_{YEAR}.pdf"
    printed_at = 1_000_000_000 * 10**9  # a date no print of today has: kept only if the file is copied
    os.utime(pdf, ns=(printed_at, printed_at))
    before = pdf.read_bytes()
    with open(folder / "dependencia.yaml", "a", encoding="utf-8") as handle:
        handle.write("# revisado por la unidad de planeación\n")

    lines: list[str] = []
    (outcome,) = lote.lote(YEAR, [parent], out_dir=out, workers=1, progress=lines.append)

    assert outcome.ok and not outcome.unchanged, lines  # rebuilt: its inputs changed
    assert pdf.read_bytes() == before
    assert pdf.stat().st_mtime_ns == printed_at, "the previous PDF, kept, not printed again"
