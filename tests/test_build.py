"""End-to-end: ``informe build`` for real (papermill, nbconvert, Chromium; no mocks)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from informe import cli, config
from informe.reporte import revision

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"

# The published 2023 tables (section VII of the report) and card targets (section X):
# (indicator as named in the table, Línea base 2022, Resultado 2023, Meta 2027).
ND = "N/D (La información aún no se publica)"
PUBLISHED = [
    ("Grado de implementación de los componentes del Servicio Profesional de Carrera", "12.5%", "25%", "100%"),
    ("Porcentaje de servidores públicos incorporados al Servicio Profesional de Carrera", "0%", "0%", "100%"),
    ("Porcentaje de servidores públicos que cumplen con las horas de capacitación requeridas para cada ejercicio",
     "0%", "0%", "100%"),
    ("Grado de adecuación del marco normativo estatal con el federal", "0%", "100%", "100%"),
    ("Porcentaje de procedimientos de adjudicación abiertos", "0%", "84.20%", "80%"),
    ("Grado de desarrollo del marco regulatorio y procedimental para favorecer la apertura y transparencia en "
     "contrataciones publicas", "0%", "100%", "100%"),
    ("Porcentaje de gasto ejercido de forma consolidada", "0%", "4.02%", "10%"),
    ("Porcentaje de gasto ejercido en contratos marco", "0%", "12.41%", "10%"),
    ("Porcentaje de procedimientos de adjudicación abiertos", "26.6%", "38.89%", "70%"),
    ("Porcentaje de bienes inventariados", "0%", "75%", "100%"),
    ("Porcentaje de bienes inventariados registrados en el Sistema de Administración y Finanzas", "0%", "100%",
     "100%"),
    ("Porcentaje de bienes inventariados que cumplen con los criterios de valuación y reglas de valoración del "
     "patrimonio", "0%", "12%", "100%"),
    ("Grado de avance del diagnóstico del estado actual de los bienes patrimoniales de las Dependencias", "0%",
     "25%", "100%"),
    ("Cumplimiento de los Programas de Mantenimiento Preventivo de las Dependencias", "0%", "50%", "100%"),
    ("Cumplimiento de acciones de desincorporación de bienes patrimoniales del estado no prioritarios", "0%", "0%",
     "100%"),
    ("Proporción de asesorías archivísticas.", "0%", "43%", "100%"),
    ("Porcentaje de trámites gubernamentales digitalizados", "11.79%", "12%", "80%"),
    ("Satisfacción general al realizar trámites, pagos y solicitudes de servicios", "89%", ND, "95%"),
    ("Porcentaje de la población de 18 años y más con al menos una interacción con el gobierno a través de medios "
     "electrónicos", "50%", ND, "65%"),
    ("Porcentaje de la población de 18 años y más que utilizó páginas de internet para realizar trámites, pagos o "
     "servicios por medio de Internet", "41.10%", ND, "60%"),
    ("Porcentaje de trámites o solicitudes de servicios que se realizan a través de internet", "13.30%", ND, "80%"),
    ("Grado de desarrollo del marco normativo en materia de gobierno digital", "0%", "35%", "100%"),
    ("Cumplimiento de la agenda digital", "0%", "0%", "90%"),
    ("Bases de datos publicadas por temática", "0%", "0%", "75%"),
]
SECTIONS = ["I. Introducción", "II. Marco Normativo", "III. Misión y Visión", "IV. Alineación",
            "V. Alineación", "VI. Resumen Ejecutivo", "VII. Operación de la Estrategia",
            "VIII. Proyectos Estratégicos", "IX. Glosario", "X. Anexos"]


def test_build_writes_every_output(report_2023):
    for name in ("informe_2023.html", "informe_2023.pdf", "datos/indicadores_2023.csv", "datos/resumen_2023.csv",
                 "notebooks/00_portada.ipynb", "notebooks/07_objetivo_5.ipynb", "notebooks/10_anexos.ipynb"):
        assert (report_2023 / name).stat().st_size > 0, name
    assert not list(report_2023.glob("**/*.tmp")), "a temporary file was left behind"


def test_html_is_spanish_self_contained_without_code(soup):
    assert soup.html["lang"] == "es"
    assert "Informe Anual de Resultados 2023" in soup.title.get_text()
    assert not soup.find_all("script"), "the report must not need JavaScript"
    for link in soup.find_all("link"):
        assert not re.match(r"(https?:)?//", link.get("href", "")), link
    text = str(soup)
    assert "secciones.open(" not in text and "objetivo_id = " not in text, "code or parameters leaked"
    assert "require.js" not in text.lower() and "mathjax" not in text.lower()


def test_html_has_sections_i_to_x_in_order_with_toc(soup):
    headings = [h.get_text(" ", strip=True) for h in soup.select("h1.seccion")]
    positions = []
    for title in SECTIONS:
        found = [i for i, h in enumerate(headings) if h.startswith(title)]
        assert found, f"missing section {title!r} in {headings}"
        positions.append(found[0])
    assert positions == sorted(positions)
    toc_links = [a["href"][1:] for a in soup.select("nav.indice a[href^='#']")]
    assert len(toc_links) >= 10
    for target in toc_links:
        assert soup.find(id=target) is not None, f"TOC link #{target} points nowhere"


def test_html_shows_all_24_indicators_as_published(soup):
    rows = []
    for table in soup.select("table.indicadores"):
        header = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        for tr in table.select("tbody tr"):
            cells = dict(zip(header, [td.get_text(" ", strip=True) for td in tr.find_all("td")]))
            base = next(v for k, v in cells.items() if k.startswith("Línea base"))
            meta = next(v for k, v in cells.items() if k.startswith("Meta"))
            rows.append((cells["Indicador"], base, cells["Resultado 2023"], meta, cells["Semáforo"]))
    assert len(rows) == 24
    for (name, base, result, meta), shown in zip(PUBLISHED, rows):
        assert shown[0] == name
        assert shown[1].split(" (")[0] == base, (name, shown)
        assert shown[2] == result, (name, shown)
        assert shown[3] == meta, (name, shown)
        assert shown[4].split()[-1] in {"avance", "Igual", "información"}, "semáforo must carry a text label"


def test_html_summary_is_24_15_0_0_9(soup):
    table = soup.select_one("table.resumen")
    header = [th.get_text(strip=True) for th in table.select("thead th")]
    values = [td.get_text(strip=True) for td in table.select("tbody td")]
    assert header == ["Número de indicadores", "Con avance", "Sin avance", "Igual", "Sin información"]
    assert values == ["24", "15", "0", "0", "9"]
    # the semáforo is a label in a cell with a class (the stylesheet colours it): never colour alone
    cells = soup.select("table.indicadores td.semaforo")
    assert len(cells) == 24
    for td in cells:
        status = next(c for c in td["class"] if c.startswith("semaforo-"))
        assert td.get_text(strip=True) == {"semaforo-con_avance": "Con avance", "semaforo-sin_avance": "Sin avance",
                                           "semaforo-igual": "Igual",
                                           "semaforo-sin_informacion": "Sin información"}[status]


def test_v2_data_show_nothing_of_contract_v3(soup):
    """The 2023 data use none of contract v3's optional parts: the report keeps the published columns (no «No
    aplica», no «Meta 2023» of interim targets, no «Sin meta»), has no programme headings and no subtotals."""
    for table in soup.select("table.indicadores"):
        header = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        assert header[2:] == ["Resultado 2023", "Fuente", "Semáforo", "Trayectoria", "Meta 2027",
                              "Avance hacia la meta (%)"], header
        assert "con-meta-intermedia" not in table["class"]
    trajectory = soup.select_one("table.resumen-trayectoria")
    assert [th.get_text(strip=True) for th in trajectory.select("thead th")][2:] == [
        "Meta alcanzada", "En trayectoria", "Avance moderado", "Avance limitado", "Retroceso", "Sin información"]
    assert not soup.select("h2.programa") and not soup.select("td.subtotal")
    assert "No aplica" not in soup.get_text() and "Sin meta" not in soup.get_text()


def test_html_has_cards_and_charts_and_no_inline_style(soup):
    assert len(soup.select("table.cedula")) == 24
    charts = soup.select('img.grafica[src^="data:image/svg+xml;base64,"]')
    assert len(charts) == 10, "per objective: baseline/result/target bars and the trajectory panels"
    assert len(soup.select("p.pie-grafica")) == 10, "every chart has a text description"
    assert not soup.select("main [style]"), "the look lives in the stylesheet, not in style attributes"
    numbers = [td.get_text(strip=True) for td in soup.select("table.indicadores td.numero")]
    assert "84.20%" in numbers and "38.89%" in numbers


def test_quality_findings_go_to_the_reviewer_document_not_to_the_report(report_2023, soup):
    review = (report_2023 / "calidad_2023.html").read_text(encoding="utf-8")
    assert "23.6" in review and "4 objetivos" in review
    assert (report_2023 / "calidad_2023.html").stat().st_mode & 0o777 == 0o644
    assert soup.find(id="calidad-datos") is None, "incluir_calidad is false for 2023"
    assert "Notas de calidad" not in soup.get_text()


def _internal_markers() -> list[str]:
    from informe.datos.entradas import load

    ids = list(load(config.DATA_DIR).indicadores["indicador_id"])
    return ids + sorted(revision.TEMA_DE_REGLA)


def test_no_internal_id_rule_code_or_path_in_the_report(report_2023, soup):
    text = soup.get_text(" ")
    pdf_text = _pdftotext(report_2023 / "informe_2023.pdf")
    review = BeautifulSoup((report_2023 / "calidad_2023.html").read_text(encoding="utf-8"), "html.parser").get_text()
    for marker in _internal_markers():
        assert marker not in text, marker
        assert marker not in pdf_text, marker
        assert marker not in review, marker
    for leak in (str(config.ROOT), ".csv", ".yaml", "narrativa/"):
        assert leak not in text and leak not in pdf_text, leak


def test_published_section_titles_and_lettering(soup):
    titles = [h.get_text(" ", strip=True) for h in soup.select("h1.seccion")]
    assert "IV. Alineación de los Programa de Mediano Plazo con el Plan Estatal de Desarrollo 2021-2027" in titles
    assert "V. Alineación de los Programas de Mediano Plazo con los ODS de la Agenda 2030" in titles
    strategy = soup.find("h3", string=re.compile(r"^Estrategia 4\.1 "))
    items = [li.get_text(" ", strip=True) for li in strategy.find_next("ul").find_all("li")]
    assert [i[:2] for i in items] == ["a)", "b)", "c)", "d)", "e)"]


def test_table_of_contents_lists_exactly_the_sections_and_subsections(soup):
    headings = [h["id"] for h in soup.select("h1.seccion, h2.subseccion")]
    toc = [a["href"][1:] for a in soup.select("nav.indice a")]
    assert toc == headings


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_has_pages_title_and_summary(report_2023):
    pdf = report_2023 / "informe_2023.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 10 < pages <= 54, pages  # 52 with the trend table and trajectory panels of each objective
    text = _pdftotext(pdf)
    assert "Informe Anual de Resultados 2023" in text
    assert re.search(r"Número de indicadores.*\n\s*24\s+15\s+0\s+0\s+9\b", text), "summary row not in the PDF"
    assert f"Página 2 de {pages}" in text


def test_html_opens_offline_in_chromium(report_2023, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is required (scripts/system-deps.sh --test installs it)"
    profile = tempfile.mkdtemp(prefix="chromium-")
    shot = tmp_path / "informe.png"
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1200,1600"]
    url = (report_2023 / "informe_2023.html").resolve().as_uri()
    dom = subprocess.run(args + ["--dump-dom", url], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert "Resumen de resultados de indicadores" in dom
    subprocess.run(args + [f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000
    shutil.rmtree(profile, ignore_errors=True)


def test_minimal_agency_without_narrative_builds(tmp_path):
    data = FIXTURES / "minimal"
    params = tmp_path / "params.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["build", "--year", "2023", "--data", str(data), "--params", str(params), "--out", str(out),
                     "--format", "html"])
    assert code == 0
    html = (out / "informe_2023.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert "No hay información registrada para esta sección." in html
    assert len(soup.select("table.cedula")) == len((data / "indicadores.csv").read_text().strip().splitlines()) - 1
    assert soup.select_one("table.resumen") is not None
    assert not (out / "informe_2023.pdf").exists(), "--format html must not write a PDF"


def test_build_lists_every_blocker_at_once_like_validate(tmp_path, capsys):
    """No params file AND no results for the year: both in one run, the same as `informe validate`."""
    code = cli.main(["build", "--year", "2031", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "anio: 2031" in err and "no hay resultados para el año 2031" in err and "Traceback" not in err
    assert cli.main(["validate", "--year", "2031"]) == 2
    out = capsys.readouterr().out
    assert "anio: 2031" in out and "no hay resultados para el año 2031" in out
    assert not (tmp_path / "o").exists(), "nothing written"


def test_params_file_of_the_repository_is_valid():
    from informe.datos.parametros import load_params

    params = load_params(2023, config.params_file(2023))
    assert params["anio"] == 2023 and params["titulo"] == "Informe Anual de Resultados 2023"


def test_bad_narrative_is_reported_before_any_notebook_runs(tmp_path, capsys):
    data = tmp_path / "datos"
    shutil.copytree(FIXTURES / "minimal", data)
    (data / "narrativa" / "2023").mkdir(parents=True)
    (data / "narrativa" / "2023" / "proyectos.yaml").write_text("- proyecto: X\n  acciones: [a\n",
                                                               encoding="utf-8")
    assert cli.main(["validate", "--data", str(data)]) == 2
    assert "narrativa/2023/proyectos.yaml, línea 3" in capsys.readouterr().out
    params = tmp_path / "p.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["build", "--year", "2023", "--data", str(data), "--params", str(params),
                     "--out", str(out)]) == 2
    assert "proyectos.yaml" in capsys.readouterr().err
    assert not (out / "notebooks").exists()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_notebook_stops_the_build_and_leaves_every_previous_output_byte_identical(
        report_2023, tmp_path, monkeypatch, capsys):
    """A real notebook that fails (an objective id that does not exist) stops the build with a clear
    message; the previous report (a full real build) keeps every byte; the error notebook is kept."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    source = (notebooks / "07_objetivo.ipynb").read_text(encoding="utf-8")
    (notebooks / "07_objetivo.ipynb").write_text(
        source.replace("secciones.objetivo(ctx, objetivo_id)", "secciones.objetivo(ctx, objetivo_id + 100)"),
        encoding="utf-8")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    out = tmp_path / "out"
    shutil.copytree(report_2023, out)
    before = _snapshot(out)
    code = cli.main(["build", "--year", "2023", "--out", str(out), "--workers", "1"])
    assert code == 1
    err = capsys.readouterr().err
    # the heaviest notebook starts first: objective 5, with the most indicators
    assert "VII. Objetivo 5" in err and "07_objetivo_5.ipynb" in err and "Traceback" not in err
    assert "InformeError" in err and "El objetivo 105 no existe" in err
    kept = out / "fallidos" / "07_objetivo_5.ipynb"
    assert kept.exists() and str(kept) in err, "the error notebook must be kept and named"
    after = {k: v for k, v in _snapshot(out).items() if not k.startswith("fallidos/")}
    assert after == before, "every previous output must stay byte-identical"
    assert not [p for p in tmp_path.iterdir() if ".construyendo-" in p.name], "no staging directory left"


def test_build_interrupted_with_sigint_changes_nothing(report_2023, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(report_2023, out)
    before = _snapshot(out)
    informe = Path(sys.executable).with_name("informe")
    proc = subprocess.Popen([str(informe), "build", "--year", "2023", "--out", str(out), "--format", "html",
                             "--force"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # interrupt while notebooks run
        if line.startswith("[2/"):
            break
    proc.send_signal(signal.SIGINT)
    output = line + proc.stdout.read()
    assert proc.wait(timeout=120) == 130, output
    assert "Interrumpido" in output and "Traceback" not in output
    assert _snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if ".construyendo-" in p.name], "no staging directory left"


def test_two_builds_into_one_directory_wait_for_each_other(tmp_path):
    """The second build waits for the first (a lock); neither crashes, the result is complete."""
    data = FIXTURES / "minimal"
    params = tmp_path / "p.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    out = tmp_path / "out"
    informe = Path(sys.executable).with_name("informe")
    command = [str(informe), "build", "--year", "2023", "--data", str(data), "--params", str(params),
               "--out", str(out), "--format", "html", "--force"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in first.stdout:
        if "Ejecutando" in line:
            break
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    rest = first.stdout.read()
    assert first.wait(timeout=300) == 0, rest
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Otra construcción está escribiendo" in second.stdout
    assert (out / "informe_2023.html").stat().st_size > 0
    assert len(list((out / "notebooks").glob("*.ipynb"))) == 8


def test_same_inputs_give_the_same_bytes(report_2023, tmp_path):
    """A second build of the same inputs, everything executed again: byte-identical HTML, CSVs,
    quality review and PDF."""
    out = tmp_path / "otra"
    assert cli.main(["build", "--year", "2023", "--out", str(out), "--force"]) == 0
    for name in ("informe_2023.html", "informe_2023.pdf", "calidad_2023.html", "datos/indicadores_2023.csv",
                 "datos/resumen_2023.csv"):
        assert (out / name).read_bytes() == (report_2023 / name).read_bytes(), name


def test_executed_notebooks_record_project_relative_paths(report_2023):
    import nbformat

    nb = nbformat.read(str(report_2023 / "notebooks" / "07_objetivo_2.ipynb"), as_version=4)
    meta = nb.metadata["papermill"]
    assert meta["input_path"] == "informe/cuadernos/07_objetivo.ipynb"  # the notebooks are package data
    assert meta["parameters"]["data_dir"] == "data" and meta["parameters"]["params_file"] == "params/2023.yaml"
    assert str(config.ROOT) not in json.dumps(meta["parameters"]) + meta["input_path"]


def test_pdf_text_stays_inside_the_right_margin(report_2023):
    """No table runs past the right margin (letter paper, 2 cm margins): every word of every page ends
    before the text column does. (Cédulas and the ODS table used to overflow by about 1 cm.)"""
    words = subprocess.run(["pdftotext", "-bbox", str(report_2023 / "informe_2023.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout
    right_edges = [float(x) for x in re.findall(r'xMax="([0-9.]+)"', words)]
    text_column_end = 612 - 2 / 2.54 * 72  # points: page width minus the right margin
    assert right_edges and max(right_edges) <= text_column_end + 1, max(right_edges)
