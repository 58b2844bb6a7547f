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
        assert total[0] == "Total" and total[1] == "13" and sum(map(int, total[2:])) == 13
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
