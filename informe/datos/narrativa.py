"""Narrative inputs: ``narrativa/<anio>/`` (the year's texts) and ``institucional/`` (timeless sections).

Both folders are optional. Every reader returns ``None`` when its file is absent,
so a report for an agency without narrative still builds (the section then says
that no information is registered). They live in the data folder, or beside the workbook
when the data are an Excel workbook: every function takes either as ``data_dir``
(:func:`informe.config.data_folder`). Formats are documented in ``data/README.md``:

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

from informe.config import data_folder
from informe.datos.lectura import (
    LINE,
    header_problems,
    present,
    read_csv,
    read_text,
    read_yaml_node,
    unknown_keys,
    yaml_line,
)
from informe.problemas import DataError, Problem

HEADING = re.compile(r"^##\s+(.*?)\s*$")
STRATEGY_ID = re.compile(r"(\d+(?:\.\d+)*)")

ALIGNMENT_PND_COLUMNS = ["pnd_objetivo", "ped_eje", "ped_objetivo", "ped_estrategias", "objetivos_programa"]
ALIGNMENT_ODS_COLUMNS = ["objetivos_programa", "ods", "metas", "justificacion"]
GLOSSARY_COLUMNS = ["termino", "definicion"]


#: The files of ``narrativa/<año>/`` and of ``institucional/`` (the contract's sections 9 and 10).
YEAR_FILES = ("introduccion.md", "resumen_ejecutivo.md", "acciones.md", "proyectos.yaml")
INSTITUTIONAL_FILES = ("marco_normativo.md", "alineacion_pnd_ped.csv", "alineacion_ods.csv", "glosario.csv")


def year_dir(data_dir: Path, year: int) -> Path:
    return data_folder(data_dir) / "narrativa" / str(year)


def institutional_dir(data_dir: Path) -> Path:
    return data_folder(data_dir) / "institucional"


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.relative_to(data_folder(data_dir)))
    except ValueError:
        return str(path)


def read_markdown(path: Path, data_dir: Path | None = None) -> str | None:
    """A Markdown file of the data folder (None when absent), read by the safe reader."""
    if not present(path):
        return None
    data_dir = data_folder(data_dir) if data_dir is not None else _data_dir_of(path)
    text, problems = read_text(path, data_dir, _relative(path, data_dir))
    if problems:
        raise DataError(problems)
    return text.strip() or None


def _data_dir_of(path: Path) -> Path:
    """The data folder of a file under ``narrativa/<año>/`` or ``institucional/``."""
    parent = Path(path).parent
    return parent.parent.parent if parent.parent.name == "narrativa" else parent.parent


def introduccion(data_dir: Path, year: int) -> str | None:
    return read_markdown(year_dir(data_dir, year) / "introduccion.md", data_dir)


def resumen_ejecutivo(data_dir: Path, year: int) -> str | None:
    return read_markdown(year_dir(data_dir, year) / "resumen_ejecutivo.md", data_dir)


def marco_normativo(data_dir: Path) -> str | None:
    return read_markdown(institutional_dir(data_dir) / "marco_normativo.md", data_dir)


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
    text = read_markdown(year_dir(data_dir, year) / "acciones.md", data_dir)
    return None if text is None else split_strategies(text)


PROJECT_KEYS = ("proyecto", "acciones", "avance_fisico_financiero")
PROJECTS_SHAPE = ("una lista de proyectos, cada uno con «proyecto:» (texto), «acciones:» (lista de textos) y "
                  "«avance_fisico_financiero:» (texto, o vacío); vea data/README.md")


def _kind(value) -> str:
    from informe.datos.contrato import kind

    return kind(value)


def proyectos_problems(content, node, name: str) -> list[Problem]:
    """The shape of ``proyectos.yaml``: key, expected type and line of every deviation."""
    if not isinstance(content, list):
        return [Problem(name, f"debe ser {PROJECTS_SHAPE}; es {_kind(content)}.", line=yaml_line(node))]
    problems = []
    for k, project in enumerate(content, start=1):
        line = yaml_line(node, k - 1)
        if not isinstance(project, dict):
            problems.append(Problem(name, f"el proyecto {k} es {_kind(project)}; cada proyecto debe ser un "
                                    "conjunto de claves «proyecto:», «acciones:» y «avance_fisico_financiero:».",
                                    line=line))
            continue
        problems += unknown_keys(name, project, PROJECT_KEYS, node, (k - 1,), f"en el proyecto {k}")
        title = project.get("proyecto")
        if title is None or (isinstance(title, str) and not title.strip()):
            problems.append(Problem(name, f"al proyecto {k} le falta «proyecto:» con el nombre del proyecto "
                                    "(un texto).", line=line, column="proyecto"))
        elif not isinstance(title, str):
            problems.append(Problem(name, f"«proyecto» del proyecto {k} debe ser un texto y es {_kind(title)}; "
                                    "escríbalo entre comillas dobles.", line=yaml_line(node, k - 1, "proyecto"),
                                    column="proyecto"))
        actions = project.get("acciones")
        if actions is not None and not isinstance(actions, list):
            problems.append(Problem(name, f"«acciones» del proyecto {k} debe ser una lista de textos (una línea "
                                    f"«- …» por acción) y es {_kind(actions)}.",
                                    line=yaml_line(node, k - 1, "acciones"), column="acciones"))
        elif actions is not None:
            for j, action in enumerate(actions, start=1):
                if not isinstance(action, str):
                    problems.append(Problem(name, f"la acción {j} del proyecto {k} debe ser un texto y es "
                                            f"{_kind(action)}; escríbala entre comillas dobles.",
                                            line=yaml_line(node, k - 1, "acciones", j - 1), column="acciones"))
        progress = project.get("avance_fisico_financiero")
        if progress is not None and not isinstance(progress, str):
            problems.append(Problem(name, f"«avance_fisico_financiero» del proyecto {k} debe ser un texto (o "
                                    f"vacío) y es {_kind(progress)}; escríbalo entre comillas dobles "
                                    "(p. ej. «avance_fisico_financiero: \"75 %\"»).",
                                    line=yaml_line(node, k - 1, "avance_fisico_financiero"),
                                    column="avance_fisico_financiero"))
    return sorted(problems, key=lambda p: p.line or 0)  # top to bottom, as the file reads


def proyectos(data_dir: Path, year: int) -> list[dict] | None:
    path = year_dir(data_dir, year) / "proyectos.yaml"
    if not present(path):
        return None
    name = _relative(path, data_dir)
    content, node, problems = read_yaml_node(path, data_folder(data_dir), name)
    if not problems:
        problems = proyectos_problems(content, node, name)
    if problems:
        raise DataError(problems)
    return [{"proyecto": p["proyecto"],
             "acciones": list(p.get("acciones") or []),
             "avance_fisico_financiero": p.get("avance_fisico_financiero") or ""} for p in content]


def _table(path: Path, columns: list[str], data_dir: Path) -> pd.DataFrame | None:
    if not present(path):
        return None
    name = _relative(path, data_dir)
    frame, problems = read_csv(path, data_folder(data_dir), name)
    if frame is not None:
        problems += header_problems(name, [c for c in frame.columns if c != LINE], columns,
                                    row=frame.attrs.get("header_row", 1))
    if problems:
        raise DataError(problems)
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
    for name in YEAR_FILES:
        path = folder / name
        if present(path):
            text, problems = read_text(path, data_folder(data_dir), _relative(path, data_dir))  # the file's lines
            if problems:
                raise DataError(problems)
            texts[f"narrativa/{year}/{name}"] = text
    return texts


def _folder_problems(data_dir: Path, year: int | None) -> list[Problem]:
    """narrativa/<año>/ and institucional/ must be folders when present."""
    problems = []
    folders = [institutional_dir(data_dir)] if year is None else [year_dir(data_dir, year), institutional_dir(data_dir)]
    for folder in folders:
        if present(folder) and not folder.is_dir():
            problems.append(Problem(_relative(folder, data_dir), "debe ser una carpeta (con los archivos de "
                                    "la narrativa); es un archivo. Quítelo o cámbielo por una carpeta."))
    return problems


def check(data_dir: Path, year: int | None) -> list[Problem]:
    """Problems in the optional narrative files of ``year`` and in institucional/ (unreadable, bad format).

    ``year=None`` checks only institucional/ (the year is not known when the results cannot be read).
    """
    data_dir = Path(data_dir)
    readers = [lambda: marco_normativo(data_dir), lambda: alineacion_pnd_ped(data_dir),
               lambda: alineacion_ods(data_dir), lambda: glosario(data_dir)]
    if year is not None:
        readers = [lambda: introduccion(data_dir, year), lambda: resumen_ejecutivo(data_dir, year),
                   lambda: acciones(data_dir, year), lambda: proyectos(data_dir, year)] + readers
    problems: list[Problem] = _folder_problems(data_dir, year)
    for read in readers:
        try:
            read()
        except DataError as err:
            problems += err.problems
    return problems
