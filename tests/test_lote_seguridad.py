"""informe lote, as an attacker or a careless user would try it: the local cluster takes work only from the
process that started it and serves no dashboard; a misnamed dependencia.yaml is named, never skipped; no
folder name becomes a live link of the consolidated report; a --scheduler that is not Dask is a message."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from informe import lote

from test_lote import YEAR


def test_consolidated_links_stay_relative_whatever_the_folder_name():
    hostile = "javascript:alert(document.domain)"
    name = "<img src=x onerror=alert(1)><script>alert(1)</script>"
    built = lote.Outcome(lote.Agency(Path(hostile), hostile), name, ok=True,
                         counts=dict(zip(lote.COUNTS, (4, 2, 1, 1, 0))),
                         files={kind: f"{hostile}/informe_{YEAR}.{kind}" for kind in ("html", "pdf")})
    failed = lote.Outcome(lote.Agency(Path("x"), "x"), name, error=[f"falló {name}"])
    soup = BeautifulSoup(lote.consolidated_html([built, failed], YEAR), "html.parser")
    assert not soup.find_all(["script", "img", "iframe"])
    links = [a["href"] for a in soup.find_all("a")]
    assert links and all(href.startswith(("./", "#")) for href in links), links
    assert "./javascript%3Aalert%28document.domain%29/informe_2023.html" in links
    assert not any(attr.startswith("on") for el in soup.find_all(True) for attr in el.attrs)
    assert soup.find(string=lambda s: "<img src=x onerror=alert(1)>" in s)
