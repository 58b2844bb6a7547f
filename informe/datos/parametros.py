"""Per-year parameters (``params/<anio>.yaml``): every key but ``anio`` has a default."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from informe import config
from informe.datos.lectura import present, read_yaml_node
from informe.problemas import InformeError, Problem

#: Documented defaults (also listed in the README and params/2023.yaml).
DEFAULTS: dict = {
    # Report title; "{anio}" is replaced by the year.
    "titulo": "Informe Anual de Resultados {anio}",
    # |resultado − referencia| at or below this (in the indicator's unit) is "Igual".
    "tolerancia_igual": 0.01,
    # Reference and result both 0 means the measurement has not started: "Sin información".
    "cero_cero_sin_informacion": True,
    # Optional: date printed on the cover (YYYY-MM-DD), e.g. the publication date.
    "fecha_publicacion": None,
    # Section titles by number (1–10); the ones given replace the defaults of SECTION_TITLES.
    "secciones": {},
    # Running headers of the printed pages by section number (1–10), one short line each; the ones given
    # replace the defaults of HEADERS (whatever the titles). Consecutive sections with the same header
    # share their pages: a section starts a new page only where the header changes.
    "encabezados": {},
    # Include the data-quality notes in the official report (they always go to calidad_<anio>.html).
    "incluir_calidad": False,
    # Trajectory toward the target: progress / expected progress at or above this is "En trayectoria"…
    "umbral_en_trayectoria": 0.95,
    # …and at or above this (below the previous one) "Avance moderado"; below it, "Avance limitado".
    "umbral_avance_moderado": 0.5,
}

#: Section numbers as the report writes them.
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}

#: Default section titles of the report (numbers 1–10 = I–X).
SECTION_TITLES: dict[int, str] = {
    1: "Introducción",
    2: "Marco Normativo",
    3: "Misión y Visión",
    4: "Alineación con el Plan Nacional y el Plan Estatal de Desarrollo",
    5: "Alineación con los Objetivos de Desarrollo Sostenible de la Agenda 2030",
    6: "Resumen Ejecutivo",
    7: "Operación de la Estrategia, resultados e indicadores de cumplimiento",
    8: "Proyectos Estratégicos",
    9: "Glosario",
    10: "Anexos",
}

#: Default running headers: one line at the top right of a printed page. Sections I–V are short and
#: share one header (and so their pages: a section starts a new page only where the header changes).
HEADERS: dict[int, str] = {
    **dict.fromkeys(range(1, 6), "I–V. Introducción, marco normativo y alineación"),
    6: "VI. Resumen Ejecutivo",
    7: "VII. Operación de la estrategia y resultados",
    8: "VIII. Proyectos Estratégicos",
    9: "IX. Glosario",
    10: "X. Anexos",
}
#: Longest running header, in characters (one line of the page's top-right box at 7.5 pt).
HEADER_MAX = 60

TYPES = {
    "titulo": str,
    "tolerancia_igual": (int, float),
    "cero_cero_sin_informacion": bool,
    "secciones": dict,
    "encabezados": dict,
    "incluir_calidad": bool,
    "umbral_en_trayectoria": (int, float),
    "umbral_avance_moderado": (int, float),
}


#: The parameters the indicator engine reads.
ENGINE_KEYS = ("tolerancia_igual", "cero_cero_sin_informacion", "umbral_en_trayectoria", "umbral_avance_moderado")


def engine_defaults() -> dict:
    return {key: DEFAULTS[key] for key in ENGINE_KEYS}


def check_params(year: int | None = None, path: Path | str | None = None, *,
                 required: bool = True) -> tuple[dict | None, list[Problem]]:
    """The parameters of a fiscal year filled with the defaults, or the problems of the file.

    ``path`` defaults to ``params/<year>.yaml``. With ``required=False`` a missing file
    gives the defaults (notebooks opened for exploration, ``informe validar`` without
    ``--year``). Each problem's ``file`` is the path of the parameters file.
    """
    if path is None:
        if year is None:
            return None, [Problem("params", "indique el año (--year) o el archivo de parámetros (--params).")]
        path = config.params_file(year)
    path = Path(path)
    name = str(path)

    def bad(message: str, line: int | None = None, column: str | None = None):
        return None, [Problem(name, message, line=line, column=column)]

    if not present(path):
        if required:
            return bad(f"no existe el archivo de parámetros. Créelo con una sola línea «anio: {year}» "
                       "(los demás parámetros tienen valores por omisión; vea params/2023.yaml) o indique "
                       "otro con --params ARCHIVO.")
        content = {"anio": year}
    else:
        content, node, problems = read_yaml_node(path, name=name)
        if problems:
            return None, problems
        content = content or {}
        if not isinstance(content, dict):
            return bad(f"debe ser un conjunto de claves, p. ej. «anio: {year or 2023}».")
    unknown = sorted(map(str, set(content) - set(DEFAULTS) - {"anio"}))
    if unknown:
        return bad(f"claves desconocidas: {', '.join(unknown)}. Las claves válidas son: anio, {', '.join(DEFAULTS)}.")
    params = {**DEFAULTS, **content}
    file_year = params.get("anio")
    if not isinstance(file_year, int) or isinstance(file_year, bool):
        return bad("falta «anio:» con el año fiscal (p. ej. «anio: 2023»).", column="anio")
    if year is not None and file_year != year:
        return bad(f"dice «anio: {file_year}» pero se pidió el año {year}; corrija uno de los dos.", column="anio")
    for key, kind in TYPES.items():
        if not isinstance(params[key], kind) or (kind is not bool and isinstance(params[key], bool)):
            return bad(f"«{key}» tiene el valor «{params[key]}» de tipo inválido; por omisión vale «{DEFAULTS[key]}».",
                       column=key)
    if params["tolerancia_igual"] < 0:
        return bad("«tolerancia_igual» no puede ser negativa.", column="tolerancia_igual")
    if not 0 < params["umbral_avance_moderado"] < params["umbral_en_trayectoria"] <= 1:
        return bad(f"los umbrales de trayectoria deben cumplir 0 < umbral_avance_moderado < umbral_en_trayectoria "
                   f"≤ 1 (hay {params['umbral_avance_moderado']} y {params['umbral_en_trayectoria']}); por omisión "
                   f"son {DEFAULTS['umbral_avance_moderado']} y {DEFAULTS['umbral_en_trayectoria']}.",
                   column="umbral_en_trayectoria")
    unknown_fields = sorted({f"{{{name}}}" for name in TITLE_FIELD.findall(params["titulo"])} - {"{anio}"})
    if unknown_fields:
        return bad(f"«titulo» usa {', '.join(f'«{f}»' for f in unknown_fields)}, que no es un dato del informe: el "
                   "único que se reemplaza es «{anio}» (el año fiscal). Escriba el texto sin llaves o use «{anio}».",
                   column="titulo")
    params["titulo"] = params["titulo"].replace("{anio}", str(file_year))
    for key, defaults, what, example, longest in (
            ("secciones", SECTION_TITLES, "el título", "4: Alineación con el PED", None),
            ("encabezados", HEADERS, "el encabezado", "7: VII. Operación y resultados", HEADER_MAX)):
        params[key], problem = _by_section(params[key], defaults, key, what, example, longest)
        if problem:
            return bad(problem, column=key)
    if params["fecha_publicacion"] is not None:
        params["fecha_publicacion"] = str(params["fecha_publicacion"])
        try:
            _dt.date.fromisoformat(params["fecha_publicacion"])
        except ValueError:
            return bad(f"«fecha_publicacion» vale «{params['fecha_publicacion']}», que no es una fecha: escríbala "
                       "como AAAA-MM-DD (p. ej. «fecha_publicacion: 2024-02-20») o quite la línea.",
                       column="fecha_publicacion")
    return params, []


#: A placeholder of the title: text between braces (``{anio}`` is the only one; other braces are text).
TITLE_FIELD = re.compile(r"\{([^{}]*)\}")


def load_params(year: int | None = None, path: Path | str | None = None, *, required: bool = True) -> dict:
    """Read the parameters of a fiscal year, filled with the defaults (:func:`check_params`).

    Raises :class:`InformeError` with the first problem: the file's path and what to fix.
    """
    params, problems = check_params(year, path, required=required)
    if problems:
        first = problems[0]
        if first.message.startswith("no existe el archivo de parámetros"):
            raise InformeError(f"No existe el archivo de parámetros {first.file}. "
                               + first.message.split(". ", 1)[1])
        if first.file == "params":
            raise InformeError("Indique el año (--year) o el archivo de parámetros (--params).")
        if first.message.startswith("YAML mal formado") or first.line is not None:
            raise InformeError(f"{first.file}: {first.message}" + (f" (línea {first.line})" if first.line else ""))
        raise InformeError(f"{first.file}: {first.message}")
    return params


def _by_section(given: dict, defaults: dict[int, str], key: str, what: str, example: str,
                longest: int | None = None) -> tuple[dict[int, str] | None, str | None]:
    """(``defaults`` with the texts given under ``key``, None), or (None, the problem): keys are section
    numbers 1–10, texts non-empty; with ``longest``, one line of at most that many characters (the running
    headers, :data:`HEADERS`, whatever the sections' titles)."""
    texts = dict(defaults)
    for number, text in given.items():
        if number not in defaults or isinstance(number, bool):
            return None, (f"«{key}» tiene la clave «{number}»; las claves son los números de sección del 1 al 10 "
                          f"(p. ej. «{example}»).")
        text = text.strip() if isinstance(text, str) else ""
        if not text or (longest and "\n" in text):
            return None, (f"{what} de la sección {number} en «{key}» debe ser un texto "
                          f"{'de una línea, ' if longest else ''}no vacío.")
        if longest and len(text) > longest:
            return None, (f"{what} de la sección {number} en «{key}» tiene {len(text)} caracteres; el máximo es "
                          f"{longest}, para que quepa en una línea de la página. Escriba uno más corto.")
        texts[number] = text
    return texts, None
