"""The state's view (``informe lote``): the state's report, its dataset and the evaluators' notebook, from one real
lote (real Dask LocalCluster, papermill, nbconvert and Chromium) of the reference data, the example agency and a
broken agency, over 2023 and 2024 (the reference data have no results for 2024: listed as such, not failed)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import subprocess
import sys
import types

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from edits import MINIMAL, cell

from informe import cli, config
from informe.calculo import motor

YEARS = (2023, 2024)
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.com","x")'
SECRET = "SECRETO-ESTADO-3f2a"
#: The line of resultados.csv of the example agency with IEE-2-05's 2024 result.
LINE_2024 = 1 + next(n for n, line in enumerate(
    (config.ROOT / "ejemplos" / "instituto-ejemplo" / "resultados.csv").read_text(encoding="utf-8").splitlines())
    if line.startswith("IEE-2-05,2024,"))
pytestmark = pytest.mark.slow


def rows(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def lote(tmp_path_factory):
    root = tmp_path_factory.mktemp("estado")
    parent = root / "dependencias"
    parent.mkdir()
    shutil.copytree(config.DATA_DIR, parent / "oficialia")
    shutil.copytree(config.ROOT / "ejemplos" / "instituto-ejemplo", parent / "ejemplo")
    broken = parent / "rota"
    shutil.copytree(MINIMAL, broken)
    cell("resultados.csv", 5, "valor", "doce")(broken)
    hostile = parent / "hostil"  # every text the state's report and dataset show, hostile (built, valid)
    shutil.copytree(MINIMAL, hostile)
    secret = root / "secreto.txt"
    secret.write_text(SECRET, encoding="utf-8")
    payload = f' {SCRIPT}{IMG}<iframe src="{secret.as_uri()}"></iframe>'
    (hostile / "dependencia.yaml").write_text(yaml.safe_dump(
        {"nombre": FORMULA + payload, "gobierno": "Gobierno del Estado de Sonora"}, allow_unicode=True), encoding="utf-8")
    for file, column, value in [("indicadores.csv", "nombre", "Indicador" + payload),
                                ("resultados.csv", "nota", FORMULA + payload),
                                ("objetivos.csv", "ped_eje", "Eje" + payload)]:
        frame = pd.read_csv(hostile / file, dtype=str, keep_default_na=False)
        frame[column] = value
        frame.to_csv(hostile / file, index=False)
    cell("resultados.csv", 7, "estado", "")(hostile)  # AC-2-01 2023 with a result: «Retroceso», needs attention
    cell("resultados.csv", 7, "valor", "10")(hostile)
    out = root / "salida"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(["lote", "--year", "2023-2024", "--out", str(out), str(parent)])
    return types.SimpleNamespace(out=out, code=code, printed=printed.getvalue(), parent=parent)


def test_the_run_builds_each_year_and_lists_what_it_could_not(lote):
    assert lote.code == 1, "the broken agency failed"
    assert "(oficialia) 2024: sin resultados para 2024" in lote.printed
    for year in YEARS:
        for name in (f"estado_{year}.html", f"estado_{year}.pdf", f"datos_estado_{year}/estado_{year}.csv",
                     f"datos_estado_{year}/estado_{year}.xlsx", f"datos_estado_{year}/estado_resumen_{year}.csv",
                     f"datos_estado_{year}/datapackage.json",
                     f"cuadernos_estado_{year}/index.html"):
            assert (lote.out / str(year) / name).stat().st_size > 0, f"{year}/{name}"
    states = {r["carpeta"]: r["estado"] for r in rows(lote.out / "2024" / "consolidado_2024.csv")}
    assert states == {"ejemplo": "construido", "hostil": "sin_resultados", "oficialia": "sin_resultados",
                      "rota": "error"}


@pytest.mark.parametrize("year", YEARS)
def test_totals_are_the_sum_of_the_agencies_own_summaries(lote, year):
    out = lote.out / str(year)
    built = [r["carpeta"] for r in rows(out / f"consolidado_{year}.csv") if r["estado"] == "construido"]
    summary = {r["carpeta"] or "total": r for r in rows(out / f"datos_estado_{year}" / f"estado_resumen_{year}.csv")}
    assert list(summary) == [*built, "total"]
    for column in motor.SUMMARY_COLUMNS[1:]:
        own = [int(next(r for r in rows(out / c / "datos" / f"resumen_{year}.csv")
                        if r["objetivo_id"] == "total")[column]) for c in built]
        assert [int(summary[c][column]) for c in built] == own, column
        assert int(summary["total"][column]) == sum(own), column
    for code in motor.TRAJECTORIES:  # each trajectory: as many as the agencies' own open data have
        counted = sum(r["trayectoria"] == code for c in built for r in rows(out / c / "datos" / f"indicadores_{year}.csv"))
        assert int(summary["total"][f"trayectoria_{code}"]) == counted, code
    # the report prints the same totals
    soup = BeautifulSoup((out / f"estado_{year}.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("table.estado-resumen")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    total = dict(zip(headers, [td.get_text(strip=True) for td in table.select("tbody tr")[-1].find_all("td")]))
    assert total["Dependencia"] == "Total" and total["Indicadores"] == summary["total"]["indicadores"]
    assert total["Con avance"] == summary["total"]["con_avance"]


@pytest.mark.parametrize("year", YEARS)
def test_the_dataset_has_every_indicator_of_each_built_agency_as_published(lote, year):
    out = lote.out / str(year)
    built = [(r["dependencia"], r["carpeta"]) for r in rows(out / f"consolidado_{year}.csv") if r["estado"] == "construido"]
    expected = pd.concat([pd.read_csv(out / c / "datos" / f"indicadores_{year}.csv", dtype=str, keep_default_na=False)
                          .assign(dependencia=d, carpeta=c) for d, c in built], ignore_index=True)
    got = pd.read_csv(out / f"datos_estado_{year}" / f"estado_{year}.csv", dtype=str, keep_default_na=False)
    assert list(got.columns) == ["dependencia", "carpeta", *motor.EXPORT_COLUMNS]
    pd.testing.assert_frame_equal(got, expected[got.columns])  # the same cells: the published precision kept
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(out / f"datos_estado_{year}" / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])


def test_the_state_report_has_every_section_and_nothing_live(lote):
    soup = BeautifulSoup((lote.out / "2024" / "estado_2024.html").read_text(encoding="utf-8"), "html.parser")
    sections = [h.get_text(strip=True) for h in soup.select("h1.seccion")]
    assert sections == ["I. Resumen por dependencia", "II. Indicadores que requieren atención",
                        "III. Resultados por eje del Plan Estatal de Desarrollo", "IV. Tendencia por dependencia",
                        "V. Dependencias sin informe"]
    text = soup.get_text(" ", strip=True)
    assert "Instituto Estatal de Ejemplo (ficticio)" in text and "Eje 1 Gobierno eficiente (ficticio)" in text
    # what needs attention: IEE-4-02's 0 in 2024 is a regression, with its figures
    attention = soup.select_one("table.atencion").get_text(" ", strip=True)
    assert "Número de trámites que admiten firma electrónica avanzada" in attention and "Retroceso" in attention
    # the trend: 2023 and 2024 for the example agency
    trend = [th.get_text(strip=True) for th in soup.select("table.estado-resumen")[-1].select("thead th")]
    assert "Con avance 2023 (%)" in trend and "En trayectoria 2024 (%)" in trend
    # the failed agency with its error, the agency without results as such
    failures = soup.select_one("dl.lote-errores").get_text(" ", strip=True)
    assert "valor «doce»" in failures and "No tiene resultados para 2024" in failures
    # links to the agencies' reports work; charts are images with a caption; no script
    for link in soup.select("a[href$='.html']"):
        if not link["href"].startswith("#"):
            assert (lote.out / "2024" / link["href"]).is_file(), link["href"]
    assert len(soup.select('img.grafica[src^="data:image/svg+xml;base64,"]')) == 3  # semáforo, trajectory, trend
    assert not soup.find_all("script")
    pdf = subprocess.run(["pdftotext", str(lote.out / "2024" / "estado_2024.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout
    assert "Indicadores que requieren atención" in pdf and "Dependencias sin informe" in pdf


def test_the_state_report_has_no_axe_violations(lote):
    from test_a11y import run_axe, summarize

    code, report = run_axe(lote.out / "2024" / "estado_2024.html")
    assert code == 0 and not report["violations"], summarize(report)


def test_the_evaluators_notebook_runs_against_the_lote(lote, tmp_path):
    """notebooks/estado.ipynb, run with papermill as an evaluator would after the lote."""
    executed = tmp_path / "estado.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(config.NOTEBOOKS_DIR / "estado.ipynb"), str(executed),
                    "-p", "anio", "2024", "-p", "salida", str(lote.out / "2024"), "-p", "anios", "2023,2024",
                    "--cwd", str(config.ROOT)], check=True, capture_output=True, text=True)
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert 'class="dataframe' in html and "trayectoria_meta_alcanzada" in html, "typed frames of the whole state"
    assert any("image/png" in o.get("data", {}) for o in outputs), "the seaborn chart"


def test_an_unchanged_lote_rebuilds_nothing_and_one_change_rebuilds_that_agency_and_the_state(lote):
    def run() -> list[str]:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            cli.main(["lote", "--year", "2023-2024", "--out", str(lote.out), str(lote.parent)])
        return printed.getvalue().splitlines()

    unchanged = run()
    agencies = [line for line in unchanged if line.startswith("[") and "ERROR" not in line and "sin resultados" not in line]
    assert len(agencies) == 4 and all(": sin cambios — " in line for line in agencies), unchanged
    assert "Informe estatal 2023: sin cambios" in unchanged[-4] + unchanged[-3] + unchanged[-2]
    assert any(line.startswith("Informe estatal 2024: sin cambios") for line in unchanged)
    cell("resultados.csv", LINE_2024, "valor", "47.0")(lote.parent / "ejemplo")  # IEE-2-05, 2024: 47.5 → 47.0
    changed = run()
    # the agency's data changed: its reports of both years run again (their inputs are the same files); its 2023
    # open data come out the same, so the 2023 state report is left as it was, and the 2024 one is rebuilt
    rebuilt = sorted(line.split(":")[0].split("] ")[-1] for line in changed if ": listo en " in line)
    assert rebuilt == ["Informe estatal 2024", "Instituto Estatal de Ejemplo (ficticio) (ejemplo) 2023",
                       "Instituto Estatal de Ejemplo (ficticio) (ejemplo) 2024"], changed
    assert any(line.startswith("Informe estatal 2023: sin cambios") for line in changed)
    assert any(line.startswith("[") and "(oficialia) 2023: sin cambios" in line for line in changed)


@pytest.mark.parametrize("year", YEARS)
def test_hostile_texts_are_inert_in_the_state_report_and_escaped_in_its_data(lote, year):
    out = lote.out / str(year)
    soup = BeautifulSoup((out / f"estado_{year}.html").read_text(encoding="utf-8"), "html.parser")
    assert not soup.find_all(["script", "iframe", "object", "embed", "frame", "base", "form"])
    for element in soup.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element.name
        for attribute in ("href", "src"):
            assert not str(element.get(attribute, "")).lower().startswith(("javascript:", "file:")), element
    if year == 2023:  # the hostile agency is built in 2023: its name, indicator, note and axis are shown as text
        text = soup.get_text()
        assert text.count(IMG) >= 4 and SCRIPT in text
        assert any(IMG in td.get_text() for td in soup.select("table.atencion td"))
        state = rows(out / f"datos_estado_{year}" / f"estado_{year}.csv")
        hostile = [r for r in state if r["carpeta"] == "hostil"]
        assert hostile and all(r["dependencia"].startswith("'=HYPERLINK") for r in hostile)
        assert all(r["nota"] == "" or r["nota"].startswith("'=HYPERLINK") for r in hostile)
        assert any(r["ped_eje"].startswith("Eje") and IMG in r["ped_eje"] for r in hostile)
    pdf = subprocess.run(["pdftotext", str(out / f"estado_{year}.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert SECRET not in pdf
