"""Narrative inputs: ``narrativa/<anio>/`` (the year's texts) and ``institucional/`` (timeless sections).

Both folders are optional. Every reader returns ``None`` when its file is absent,
so a report for an agency without narrative still builds (the section then says
that no information is registered). Formats are documented in ``data/README.md``:

* ``narrativa/<anio>/introduccion.md``, ``resumen_ejecutivo.md`` — Markdown.
* ``narrativa/<anio>/acciones.md`` — Markdown, one ``## Estrategia <id>`` heading per strategy.
* ``narrativa/<anio>/proyectos.yaml`` — list of ``{proyecto, acciones: [...], avance_fisico_financiero}``.
* ``institucional/marco_normativo.md`` — Markdown.
* ``institucional/alineacion_pnd_ped.csv``, ``alineacion_ods.csv``, ``glosario.csv`` — CSV, multi-line cells allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .load import LINE, read_csv, read_text, read_yaml
from .problems import DataError, Problem

HEADING = re.compile(r"^##\s+(.*?)\s*$")
STRATEGY_ID = re.compile(r"(\d+(?:\.\d+)*)")

ALIGNMENT_PND_COLUMNS = ["pnd_objetivo", "ped_eje", "ped_objetivo", "ped_estrategias", "objetivos_programa"]
ALIGNMENT_ODS_COLUMNS = ["objetivos_programa", "ods", "metas", "justificacion"]
GLOSSARY_COLUMNS = ["termino", "definicion"]


def year_dir(data_dir: Path, year: int) -> Path:
    return Path(data_dir) / "narrativa" / str(year)


def institutional_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "institucional"


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_dir))
    except ValueError:
        return str(path)


def read_markdown(path: Path) -> str | None:
    if not path.exists():
        return None
    text, problems = read_text(path)
    if problems:
        raise DataError([Problem(str(path), p.message, line=p.line, value=p.value) for p in problems])
    return text.strip() or None


def introduccion(data_dir: Path, year: int) -> str | None:
    return read_markdown(year_dir(data_dir, year) / "introduccion.md")


def resumen_ejecutivo(data_dir: Path, year: int) -> str | None:
    return read_markdown(year_dir(data_dir, year) / "resumen_ejecutivo.md")


def marco_normativo(data_dir: Path) -> str | None:
    return read_markdown(institutional_dir(data_dir) / "marco_normativo.md")


def split_strategies(text: str) -> dict[str, str]:
    """Split ``acciones.md`` into {estrategia_id: Markdown of its actions}."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = HEADING.match(line)
        if match:
            sid = STRATEGY_ID.search(match.group(1))
            current = sections.setdefault(sid.group(1) if sid else match.group(1), [])
            continue
        if current is not None:
            current.append(line)
    return {sid: "\n".join(lines).strip() for sid, lines in sections.items()}


def acciones(data_dir: Path, year: int) -> dict[str, str] | None:
    text = read_markdown(year_dir(data_dir, year) / "acciones.md")
    return None if text is None else split_strategies(text)


def proyectos(data_dir: Path, year: int) -> list[dict] | None:
    path = year_dir(data_dir, year) / "proyectos.yaml"
    if not path.exists():
        return None
    content, problems = read_yaml(path)
    if problems:
        raise DataError([Problem(_relative(path, data_dir), p.message, line=p.line) for p in problems])
    if not isinstance(content, list) or not all(isinstance(p, dict) and p.get("proyecto") for p in content):
        raise DataError([Problem(_relative(path, data_dir),
                                 "debe ser una lista de proyectos, cada uno con «proyecto:», «acciones:» "
                                 "(lista) y «avance_fisico_financiero:»; vea data/README.md.")])
    return [{"proyecto": str(p["proyecto"]),
             "acciones": [str(a) for a in (p.get("acciones") or [])],
             "avance_fisico_financiero": "" if p.get("avance_fisico_financiero") is None
             else str(p["avance_fisico_financiero"])} for p in content]


def _table(path: Path, columns: list[str], data_dir: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    frame, problems = read_csv(path)
    name = _relative(path, data_dir)
    if frame is not None:
        missing = [c for c in columns if c not in frame]
        problems += [Problem(name, f"falta la columna «{c}» en el encabezado; agréguela.", line=1)
                     for c in missing]
    if problems:
        raise DataError([Problem(name, p.message, line=p.line, column=p.column, value=p.value)
                         for p in problems])
    return frame.drop(columns=LINE)[columns].fillna("")


def alineacion_pnd_ped(data_dir: Path) -> pd.DataFrame | None:
    return _table(institutional_dir(data_dir) / "alineacion_pnd_ped.csv", ALIGNMENT_PND_COLUMNS, data_dir)


def alineacion_ods(data_dir: Path) -> pd.DataFrame | None:
    return _table(institutional_dir(data_dir) / "alineacion_ods.csv", ALIGNMENT_ODS_COLUMNS, data_dir)


def glosario(data_dir: Path) -> pd.DataFrame | None:
    return _table(institutional_dir(data_dir) / "glosario.csv", GLOSSARY_COLUMNS, data_dir)


def year_texts(data_dir: Path, year: int) -> dict[str, str]:
    """Every narrative Markdown text of the year, by file name (for the quality rules)."""
    folder = year_dir(data_dir, year)
    texts = {}
    for name in ("introduccion.md", "resumen_ejecutivo.md", "acciones.md", "proyectos.yaml"):
        path = folder / name
        if path.exists():
            text, problems = read_text(path)  # raw text, so line numbers are the file's
            if problems:
                raise DataError([Problem(_relative(path, data_dir), p.message, line=p.line) for p in problems])
            texts[f"narrativa/{year}/{name}"] = text
    return texts


def check(data_dir: Path, year: int) -> list[Problem]:
    """Problems in the optional narrative files of ``year`` and in institucional/ (unreadable, bad format)."""
    readers = [lambda: introduccion(data_dir, year), lambda: resumen_ejecutivo(data_dir, year),
               lambda: acciones(data_dir, year), lambda: proyectos(data_dir, year),
               lambda: marco_normativo(data_dir), lambda: alineacion_pnd_ped(data_dir),
               lambda: alineacion_ods(data_dir), lambda: glosario(data_dir)]
    problems: list[Problem] = []
    for read in readers:
        try:
            read()
        except DataError as err:
            problems += err.problems
    return problems
