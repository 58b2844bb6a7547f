"""Fingerprints of a build's inputs, computed without importing pandas (an unchanged rebuild is a
file check that takes a fraction of a second).

* :func:`notebook_inputs` — everything an executed notebook's outputs depend on: the data
  folder, the year's parameters, the package's code, section templates and chart style. It is
  passed to every notebook as the papermill parameter ``huella``, so a notebook cache keyed on
  the notebook's code (jupyter-cache) also honours any change of these files.
* :func:`build_inputs` — that, plus the notebooks, the nbconvert template and stylesheet, the
  formats and the year: what the whole report depends on.

Changing the stylesheet or the nbconvert template changes the second and not the first: the
report is stitched and printed again without executing any notebook.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path

from informe import config

#: Files of the package that shape the notebooks' outputs (not the stitching).
PACKAGE_PATTERNS = ("**/*.py", "templates/secciones/*", "templates/informe/*.mplstyle")
#: Files (in config.TEMPLATES_DIR) that shape only the stitched HTML and the PDF.
STITCH_PATTERNS = ("informe/index.html.j2", "informe/conf.json", "informe/informe.css")


def _files(folder: Path, patterns: tuple[str, ...] | None = None) -> list[Path]:
    folder = Path(folder)
    if not folder.exists():
        return []
    found = (p for pattern in patterns for p in folder.glob(pattern)) if patterns else folder.rglob("*")
    return sorted({p for p in found if p.is_file() and not any(part.startswith(".") for part in
                                                                p.relative_to(folder).parts)})


def digest(entries: list[tuple[str, Path | bytes]]) -> str:
    h = hashlib.sha256()
    for name, content in entries:
        data = content if isinstance(content, bytes) else Path(content).read_bytes()
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


#: The data folder's narrative (its other files are the core: every notebook reads them). Which narrative
#: files a notebook reads is declared in the notebook itself, ``metadata.informe.lee`` (patterns relative
#: to the data folder, ``{anio}`` the year): its cache key is the core fingerprint plus the fingerprint of
#: those files, so editing acciones.md re-executes the objective notebooks and the annex, nothing else. A
#: notebook that declares nothing depends on every narrative file.
NARRATIVE = ("narrativa", "institucional")
ALL_NARRATIVE = ("narrativa/**/*", "institucional/**/*")


def _data_entries(data_dir: Path, files: list[Path]) -> list[tuple[str, Path | bytes]]:
    folder = config.data_folder(data_dir)
    return [(f"datos/{p.relative_to(folder)}", p) for p in files]


def _data_files(data_dir: Path) -> list[Path]:
    """Every input file of the data: each file of a data folder; a workbook and the narrative beside it
    (the rest of the workbook's folder is not data)."""
    folder = config.data_folder(data_dir)
    if config.is_book(data_dir):
        book = Path(data_dir)
        return ([book] if book.is_file() else []) + _files(folder, ALL_NARRATIVE)
    return _files(folder)


def _core_files(data_dir: Path) -> list[Path]:
    folder = config.data_folder(data_dir)
    return [p for p in _data_files(data_dir) if p.relative_to(folder).parts[0] not in NARRATIVE]


def reads(notebook: str) -> tuple[str, ...]:
    """The narrative a notebook of the package declares it reads (``metadata.informe.lee``), else all of it."""
    return _declared(notebook, "lee", ALL_NARRATIVE)


def _declared(notebook: str, key: str, default: tuple[str, ...], allowed: frozenset[str] | None = None) -> tuple[str, ...]:
    """The list ``metadata.informe.<key>`` of a notebook of the package (each item in ``allowed``, if given), or
    ``default`` when it declares none or something else."""
    path = config.NOTEBOOKS_DIR / f"{notebook}.ipynb"
    try:
        return _read_declared(path, path.stat().st_mtime_ns, key, default, allowed)
    except OSError:
        return default


@functools.lru_cache(maxsize=128)
def _read_declared(path: Path, modified: int, key: str, default: tuple[str, ...],
                   allowed: frozenset[str] | None) -> tuple[str, ...]:
    try:
        declared = json.loads(path.read_text(encoding="utf-8"))["metadata"]["informe"][key]
    except (OSError, ValueError, KeyError, TypeError):
        return default
    ok = isinstance(declared, list) and all(isinstance(p, str) and (allowed is None or p in allowed) for p in declared)
    return tuple(declared) if ok else default


def declared_files(data_dir: Path, notebook: str, year: int) -> list[Path]:
    """The narrative files of ``data_dir`` that ``notebook`` declares it reads for ``year``."""
    patterns = tuple(p.format(anio=year) for p in reads(notebook))
    return _files(config.data_folder(data_dir), patterns) if patterns else []


#: The data tables a notebook's outputs depend on (``metadata.informe.tablas``): table names (``objetivos``,
#: ``programas``, ``estrategias``, ``indicadores``, ``resultados``, ``metas``), ``dependencia``, ``objetivo``
#: (the rows of its ``objetivo_id``: strategies, indicators, their results and interim targets), ``calidad``
#: (every table when the year's parameters put the quality notes in the report) or ``todas`` (every table, what
#: a notebook that declares nothing depends on). With it, the notebook cache keys each notebook on what it shows:
#: a figure corrected in one objective re-executes that objective and the summary, not the whole report.
ALL_TABLES = ("todas",)
TABLE_NAMES = ("objetivos", "programas", "estrategias", "indicadores", "resultados", "metas")


def tables(notebook: str) -> tuple[str, ...]:
    """The data a notebook of the package declares its outputs depend on (see :data:`ALL_TABLES`)."""
    return _declared(notebook, "tablas", ALL_TABLES,
                     frozenset({*TABLE_NAMES, "dependencia", "objetivo", "calidad", *ALL_TABLES}))


def code_inputs(params_path: Path | None, year: int) -> str:
    """What every notebook's outputs depend on besides the data: Python, the year, the package, the parameters."""
    return digest(_code_entries(params_path, year))


def _code_entries(params_path: Path | None, year: int, data: list | tuple = ()) -> list[tuple[str, Path | bytes]]:
    entries: list[tuple[str, Path | bytes]] = [
        ("python", sys.version.encode()),
        ("anio", str(year).encode()),
        *data,
        *((f"informe/{p.relative_to(config.PACKAGE_DIR)}", p) for p in _files(config.PACKAGE_DIR, PACKAGE_PATTERNS)),
    ]
    if params_path is not None and Path(params_path).is_file():
        entries.append(("params", Path(params_path)))
    return entries


def data_key(dataset, declared: tuple[str, ...], objetivo_id: int | None = None, params: dict | None = None) -> str:
    """The fingerprint of the validated data a notebook declares it shows (``declared``: :func:`tables`), from the
    tables as read (text; the row numbers left out: a row moved elsewhere in its file changes nothing shown)."""
    from informe.datos.lectura import LINE

    raw = dataset.raw

    def table(name: str, keep=None) -> bytes:
        frame = raw.get(f"{name}.csv")
        if frame is None:
            return b""
        frame = frame.drop(columns=[LINE], errors="ignore")
        return (frame if keep is None else frame[keep(frame)]).to_csv(index=False).encode()

    everything = "todas" in declared or ("calidad" in declared and (params or {}).get("incluir_calidad"))
    wanted = list(TABLE_NAMES) + ["dependencia"] if everything else [t for t in declared if t != "calidad"]
    entries: list[tuple[str, bytes]] = []
    for name in wanted:
        if name == "dependencia":
            entries.append((name, json.dumps(dataset.dependencia, sort_keys=True, default=str).encode()))
        elif name == "objetivo" and objetivo_id is not None:
            own = str(objetivo_id)
            ids = set(raw["indicadores.csv"].loc[raw["indicadores.csv"]["objetivo_id"] == own, "indicador_id"])
            entries += [("estrategias", table("estrategias", lambda f: f["objetivo_id"] == own)),
                        ("indicadores", table("indicadores", lambda f: f["objetivo_id"] == own)),
                        ("resultados", table("resultados", lambda f: f["indicador_id"].isin(ids))),
                        ("metas", table("metas", lambda f: f["indicador_id"].isin(ids)))]
        elif name in TABLE_NAMES:
            entries.append((name, table(name)))
    return digest(entries)


def notebook_key(core: str, data_dir: Path, notebook: str, year: int) -> str:
    """The ``huella`` parameter of one notebook: the core fingerprint and that of the narrative it reads."""
    files = declared_files(data_dir, notebook, year)
    extra = digest(_data_entries(data_dir, files)) if reads(notebook) else "0"
    return f"{core}-{extra[:16]}"


def notebook_inputs(data_dir: Path, params_path: Path | None, year: int) -> str:
    """Core fingerprint of what every notebook reads: the data tables and dependencia.yaml (or the workbook
    that holds them), the year's parameters, the package (see the module docstring)."""
    return digest(_code_entries(params_path, year, _data_entries(data_dir, _core_files(data_dir))))


def build_inputs(notebook_huella: str, data_dir: Path, year: int, formats: list[str] | tuple[str, ...]) -> str:
    """Fingerprint of everything the report depends on."""
    entries: list[tuple[str, Path | bytes]] = [
        ("notebooks", notebook_huella.encode()),
        *_data_entries(data_dir, _data_files(data_dir)),
        *report_entries(config.NOTEBOOKS_DIR, year, formats),
    ]
    return digest(entries)


def report_entries(notebooks: Path, year: int, formats) -> list[tuple[str, Path | bytes]]:
    """What a stitched and printed report depends on besides its notebooks' outputs: the year and formats, the
    notebooks of ``notebooks`` and the files that shape the stitching (:data:`STITCH_PATTERNS`)."""
    return [
        ("opciones", json.dumps({"anio": year, "formatos": sorted(formats)}).encode()),
        *((f"cuadernos/{p.name}", p) for p in _files(notebooks, ("*.ipynb",))),
        *((f"plantilla/{p.relative_to(config.TEMPLATES_DIR)}", p) for p in _files(config.TEMPLATES_DIR, STITCH_PATTERNS)),
    ]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


MANIFEST = ".informe-construccion.json"


def unchanged(out: Path, key: str) -> bool:
    """True when ``out`` holds a complete build made from inputs with fingerprint ``key`` and none of its
    recorded outputs has been changed or removed since."""
    manifest = Path(out) / MANIFEST
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if record.get("huella") != key:
        return False
    for name, digest in record.get("archivos", {}).items():
        path = Path(out) / name
        if not path.is_file() or file_digest(path) != digest:
            return False
    return True


def manifest(folder: Path, key: str) -> dict:
    """The record of a finished build in ``folder`` (every file it wrote, with its digest)."""
    files = {str(p.relative_to(folder)): file_digest(p) for p in _files(folder)}
    return {"huella": key, "archivos": files}
