"""Several fiscal years in one command, on the example agency (real papermill, nbconvert, Chromium; the
session's build of conftest.ejemplo_anios, which the layout tests also read)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from informe import cli, config

EJEMPLO = config.ROOT / "ejemplos" / "instituto-ejemplo"


@pytest.mark.slow
def test_build_several_years_each_on_its_own(ejemplo_anios):
    out = ejemplo_anios.out
    assert ejemplo_anios.code == 2, "a year without results is an error for that year"
    assert "ERROR año 2026" in ejemplo_anios.stderr and "no hay resultados para el año 2026" in ejemplo_anios.stderr
    assert "Años construidos: 2023, 2024, 2025; con error: 2026." in ejemplo_anios.stdout
    assert not (out / "2026").exists()
    for year in (2023, 2024, 2025):
        html = out / str(year) / f"informe_{year}.html"
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        assert soup.title.get_text().startswith(f"Informe Anual de Resultados {year}")
        trend = soup.select_one("table.tendencia")
        headers = [th.get_text(strip=True) for th in trend.select("thead th")]
        assert headers[:2] == ["Indicador", "Línea base 2022"]
        assert [h for h in headers if h.isdigit()] == [str(y) for y in range(2023, year + 1)]
        assert headers[-3:] == ["Avance hacia la meta (%)", "Avance esperado (%)", "Trayectoria"]
        summary = soup.select_one("table.resumen-trayectoria")
        total = [td.get_text(strip=True) for td in summary.select("tbody tr")[-1].select("td")]
        assert total[0] == "Total" and total[1] == "16" and sum(map(int, total[2:])) == 16
    # 2025: a regression and a target reached, each as a label in the indicator table
    soup = BeautifulSoup((out / "2025" / "informe_2025.html").read_text(encoding="utf-8"), "html.parser")
    labels = {td.get_text(strip=True) for td in soup.select("table.indicadores td.trayectoria")}
    assert {"Retroceso", "Meta alcanzada", "En trayectoria", "Avance limitado", "Avance moderado"} <= labels


def test_params_file_is_for_one_year_only(tmp_path, capsys):
    code = cli.main(["build", "--year", "2023", "2024", "--data", str(EJEMPLO), "--params",
                     str(EJEMPLO / "params" / "2023.yaml"), "--out", str(tmp_path / "o")])
    assert code == 2 and "--params es el archivo de un solo año" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_year_range_must_go_up(capsys):
    with pytest.raises(SystemExit):
        cli.main(["build", "--year", "2025-2023"])
    assert "del menor al mayor" in capsys.readouterr().err


def _row(soup, table: str, iid_name: str) -> dict[str, str]:
    """The cells of the row of ``table`` whose indicator is ``iid_name``, by header."""
    for found in soup.select(f"table.{table}"):
        headers = [th.get_text(strip=True) for th in found.select("thead th")]
        for tr in found.select("tbody tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            if cells and cells[0] == iid_name:
                return dict(zip(headers, cells))
    raise AssertionError(f"{iid_name} no está en table.{table}")


#: The contract v3 cases of the example agency as its README lists them, per year: indicator name → (column of
#: the indicator table → printed text).
V3_CASES = {
    2023: {"Porcentaje del presupuesto anual ejercido en el primer semestre": {
               "Semáforo": "No aplica", "Trayectoria": "No aplica"},
           "Porcentaje de trámites del Instituto disponibles en línea": {
               "Meta 2023": "25.0%", "Trayectoria": "En trayectoria"},
           "Número de módulos de atención ciudadana en operación": {"Meta 2023": "11", "Trayectoria": "Avance moderado"},
           "Porcentaje de la población que confía en la información pública del Instituto": {
               "Resultado 2023": "46.8%", "Meta 2027": "Sin meta", "Trayectoria": "Sin meta"}},
    2024: {"Número de trámites que admiten firma electrónica avanzada": {
               "Resultado 2024": "0", "Semáforo": "Sin avance", "Trayectoria": "Retroceso"},
           "Porcentaje de trámites del Instituto disponibles en línea": {
               "Meta 2024": "35.0%", "Trayectoria": "Avance moderado"},
           "Porcentaje de la población que confía en la información pública del Instituto": {
               "Resultado 2024": "46.8% (2023)"}},
    2025: {"Porcentaje de trámites del Instituto disponibles en línea": {
               "Meta 2025": "55.0%", "Trayectoria": "Avance moderado"},
           "Número de módulos de atención ciudadana en operación": {"Meta 2025": "17", "Trayectoria": "Meta alcanzada"},
           "Porcentaje de la población que confía en la información pública del Instituto": {
               "Resultado 2025": "46.8% (2023)", "Semáforo": "Con avance"}},
}


@pytest.mark.slow
@pytest.mark.parametrize("year", sorted(V3_CASES))
def test_contract_v3_cases_are_shown_as_the_example_readme_says(ejemplo_anios, year):
    soup = BeautifulSoup((ejemplo_anios.out / str(year) / f"informe_{year}.html").read_text(encoding="utf-8"),
                         "html.parser")
    for name, cells in V3_CASES[year].items():
        row = _row(soup, "indicadores", name)
        assert {column: row.get(column) for column in cells} == cells, (year, name)
    # two programmes: a heading for each before its first objective, in the table of contents too
    headings = [h.get_text(strip=True) for h in soup.select("h2.programa")]
    assert headings == ["Programa Institucional de Mediano Plazo 2022-2027",
                        "Programa Especial de Gobierno Digital 2022-2027"]
    assert soup.select_one("h2.programa + p + h2")["id"] == "objetivo-1"
    toc = [a.get_text(strip=True) for a in soup.select("nav.indice li.indice-subseccion a")]
    assert toc.index("Programa Especial de Gobierno Digital 2022-2027") + 1 == toc.index(
        "Objetivo 4. Acercar los trámites del Instituto a la ciudadanía por medios digitales")
    # each summary: a subtotal per programme before the total, and the «No aplica» column
    for selector in ("table.resumen-objetivos:not(.resumen-trayectoria)", "table.resumen-trayectoria"):
        found = soup.select_one(selector)
        labels = [tr.find("td").get_text(strip=True) for tr in found.select("tbody tr")]
        assert labels[-1] == "Total" and labels[3] == "Subtotal: Programa Institucional de Mediano Plazo 2022-2027"
        assert labels[5] == "Subtotal: Programa Especial de Gobierno Digital 2022-2027"
        headers = [th.get_text(strip=True) for th in found.select("thead th")]
        assert "No aplica" in headers
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in found.select("tbody tr")]
        subtotals = [int(r[1]) for r in rows if r[0].startswith("Subtotal")]
        assert subtotals == [14, 2] and int(rows[-1][1]) == sum(subtotals)
    # the published semáforo is never printed; its disagreement is in the quality review
    assert "semaforo_publicado" not in str(soup)
    review = (ejemplo_anios.out / str(year) / f"calidad_{year}.html").read_text(encoding="utf-8")
    assert ("Una publicación anterior marcó" in review) == (year >= 2024)  # IEE-2-02 in 2024
    assert ("si ese año no se midió" in review) == (year >= 2024)         # IEE-4-02's 0 in 2024
