"""The build cache: an unchanged rebuild does nothing; each kind of changed input shows up in the
rebuilt report, and only what depends on it is redone. Real builds (papermill, nbconvert)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from informe import cli, config

pytestmark = pytest.mark.slow

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def agency(tmp_path):
    data = tmp_path / "datos"
    shutil.copytree(MINIMAL, data)
    params = tmp_path / "p.yaml"
    params.write_text("anio: 2023\n", encoding="utf-8")
    out = tmp_path / "out"
    return data, params, out


def build(agency, capsys, *extra) -> tuple[str, str]:
    data, params, out = agency
    code = cli.main(["build", "--year", "2023", "--data", str(data), "--params", str(params), "--out", str(out),
                     "--format", "html", *extra])
    printed = capsys.readouterr().out
    assert code == 0, printed
    return printed, (out / "informe_2023.html").read_text(encoding="utf-8")


def ran(printed: str) -> list[str]:
    """The labels of the notebooks a build executed (from its progress lines «[3/8] VII. Objetivo 1 …»)."""
    return [line.split("] ", 1)[1].removesuffix(" …") for line in printed.splitlines()
            if line.startswith("[") and line.endswith(" …")]


def executed(printed: str) -> int:
    return sum(1 for line in printed.splitlines() if line.startswith("[") and line.endswith(" …"))


def test_each_changed_input_shows_up_and_an_unchanged_rebuild_does_nothing(agency, capsys, tmp_path, monkeypatch):
    data, params, out = agency
    printed, _ = build(agency, capsys)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    printed, _ = build(agency, capsys)
    assert "Sin cambios" in printed and executed(printed) == 0
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    # a results value
    results = data / "resultados.csv"
    results.write_text(results.read_text(encoding="utf-8").replace("AC-1-02,2023,12,", "AC-1-02,2023,17.25,"),
                       encoding="utf-8")
    printed, html = build(agency, capsys)
    assert "17.25" in html
    # only the notebooks that show it: its objective's and the summary (each declares the data it shows)
    assert sorted(ran(printed)) == ["VI. Resumen ejecutivo", "VII. Objetivo 1"], printed

    # an objective's name: every notebook that shows objectives (cover and index, introduction, summary, each
    # objective, annexes), not the projects nor the glossary
    objetivos = data / "objetivos.csv"
    objetivos.write_text(objetivos.read_text(encoding="utf-8").replace("Conocer la satisfacción", "NOMBRE_NUEVO"),
                         encoding="utf-8")
    printed, html = build(agency, capsys)
    assert html.count("NOMBRE_NUEVO") >= 3
    assert sorted(ran(printed)) == sorted(["Portada y directorio", "I–V. Introducción, marco normativo, misión, "
                                           "alineación", "VI. Resumen ejecutivo", "VII. Objetivo 1", "VII. Objetivo 2",
                                           "X. Anexos y calidad de datos"]), printed

    # a narrative line
    folder = data / "narrativa" / "2023"
    folder.mkdir(parents=True)
    (folder / "introduccion.md").write_text("Texto nuevo de la introducción: LINEA_NARRATIVA.\n", encoding="utf-8")
    printed, html = build(agency, capsys)
    assert "LINEA_NARRATIVA" in html
    assert executed(printed) == 2, "only the notebooks that read it: the introduction and the annex (quality notes)"

    # the year's parameters
    params.write_text('anio: 2023\ntitulo: "Informe de prueba {anio}"\n', encoding="utf-8")
    _, html = build(agency, capsys)
    assert "Informe de prueba 2023" in html

    # a notebook
    notebooks = tmp_path / "cuadernos"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    glossary = notebooks / "09_glosario.ipynb"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "secciones.glosario(ctx)", "print('CUADERNO_CAMBIADO')"), encoding="utf-8")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    printed, html = build(agency, capsys)
    assert "CUADERNO_CAMBIADO" in html
    assert executed(printed) == 1, "only the changed notebook runs; the others come from the cache"

    # the stylesheet: stitched again, no notebook executed
    templates = tmp_path / "plantillas"
    shutil.copytree(config.TEMPLATES_DIR, templates)
    css = templates / "informe" / "informe.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* ESTILO_CAMBIADO */\n", encoding="utf-8")
    monkeypatch.setattr(config, "TEMPLATES_DIR", templates)
    printed, html = build(agency, capsys)
    assert "ESTILO_CAMBIADO" in html and executed(printed) == 0

    # --force executes everything again
    printed, _ = build(agency, capsys, "--force")
    assert executed(printed) == 8


def test_the_cache_never_serves_another_agency_or_year(agency, capsys, tmp_path):
    data, params, out = agency
    build(agency, capsys)
    other = tmp_path / "otra"
    shutil.copytree(data, other)
    dep = other / "dependencia.yaml"
    dep.write_text(dep.read_text(encoding="utf-8").replace("Instituto de Atención Ciudadana", "Otra Dependencia"),
                   encoding="utf-8")
    printed, html = build((other, params, tmp_path / "out2"), capsys)
    assert "Otra Dependencia" in html and executed(printed) == 8


def _open_cache(args) -> int:
    """In a separate process: wait for the others, then open the cache and read it (creates the database)."""
    folder, barrier = args
    from informe.construccion.cache import NotebookCache

    barrier.wait()
    return len(NotebookCache(Path(folder)).cache.list_cache_records())


def test_processes_opening_a_fresh_cache_at_once_do_not_collide(tmp_path):
    """Two builds, or the workers of a lote, may open a cache that does not exist yet at the same moment;
    jupyter-cache creates its folder and database then, and without a lock one of them fails now and then
    (a table that already exists). Four processes, released together, five fresh caches."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(4) as pool:
        for round_ in range(5):
            barrier = manager.Barrier(4)
            assert pool.map(_open_cache, [(str(tmp_path / f"cache{round_}"), barrier)] * 4) == [0, 0, 0, 0]
