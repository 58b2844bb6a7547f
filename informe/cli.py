"""Command line: ``informe validar | exportar | construir | lote | plantilla`` (also ``python -m informe``).

The English names of the first three (``validate``, ``export``, ``build``) stay as aliases. argparse's own
messages (usage, errors, choices) are written in Spanish by :class:`Parser`, without touching argparse's
module state (the package never changes the session of whoever imports it).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from informe import __version__, config

EPILOG = """\
ejemplos:
  informe validar                          valida data/ y muestra avisos de calidad
  informe validar --data otra/carpeta      valida los datos de otra dependencia
  informe exportar --year 2023             escribe outputs/2023/datos/*.csv (sin cuadernos)
  informe construir --year 2023            ejecuta los cuadernos y escribe el informe HTML y PDF
  informe construir --year 2023 --format html   solo el HTML
  informe construir --year 2023-2025 --data ejemplos/instituto-ejemplo   un informe por año
  informe lote --year 2023 dependencias/   un informe por dependencia y el consolidado, con Dask
  informe vista --year 2023                el informe en http://127.0.0.1:8000/, que se actualiza al guardar
  informe plantilla --out libro.xlsx --data data   los datos en un libro de Excel (una hoja por tabla)
  informe validar --data libro.xlsx        valida el libro (también exportar y construir aceptan --data libro.xlsx)

las órdenes validate, export y build (sus nombres anteriores) siguen funcionando.

códigos de salida: 0 correcto; 1 falló la construcción (un cuaderno, o no se pudo escribir la salida: disco
lleno, sistema de archivos de solo lectura; el mensaje nombra la ruta y la causa); 2 datos, parámetros o
argumentos inválidos (también una carpeta de salida con archivos que no escribió una construcción).
"""


#: What --out accepts (informe construir, export and lote): see informe.construccion.salida.claim_output.
OUT_RULES = ("Debe ser nueva, estar vacía o ser la salida de una construcción anterior (la que tiene el registro "
             ".informe-construccion.json, o solo los datos abiertos de «informe exportar»); nunca la carpeta de datos, una carpeta que la contenga o que esté dentro "
             "de ella, «/» ni su carpeta personal. Una construcción nueva reemplaza solo los archivos que escribió "
             "la anterior: los demás archivos de la carpeta se conservan.")


def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(f"«{text}» no es un año de cuatro cifras (p. ej. 2023)")
    return int(text)


def _years(text: str) -> list[int]:
    """A year (2023) or an inclusive range (2023-2025)."""
    first, dash, last = text.partition("-")
    if not dash:
        return [_year(text)]
    start, end = _year(first), _year(last)
    if end < start:
        raise argparse.ArgumentTypeError(f"«{text}»: el rango de años va del menor al mayor (p. ej. 2023-2025)")
    return list(range(start, end + 1))


def _formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("html", "pdf")]
    if bad or not formats:
        raise argparse.ArgumentTypeError(f"formato no válido: {', '.join(bad) or text}; use html, pdf o html,pdf")
    return formats


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"«{text}» no es un número de procesos válido (1 o más)")
    return int(text)


def _scheduler(text: str) -> str:
    if "://" not in text:
        raise argparse.ArgumentTypeError(f"«{text}» no es la dirección de un planificador de Dask "
                                         "(p. ej. tcp://192.168.1.10:8786)")
    return text


#: argparse's messages (Python 3.10–3.13) and how they read in Spanish; the first that matches is used.
MESSAGES = [
    (r"the following arguments are required: (.+)", r"faltan argumentos obligatorios: \1"),
    (r"unrecognized arguments: (.+)", r"argumentos no reconocidos: \1"),
    (r"argument (.+?): expected one argument", r"a la opción \1 le falta su valor"),
    (r"argument (.+?): expected at least one argument", r"a la opción \1 le falta al menos un valor"),
    (r"argument (.+?): expected at most one argument", r"la opción \1 lleva a lo más un valor"),
    (r"argument (.+?): expected (\d+) arguments?", r"la opción \1 espera \2 valores"),
    (r"one of the arguments (.+) is required", r"falta una de estas opciones: \1"),
    (r"argument (.+?): ignored explicit argument (.+)", r"la opción \1 no lleva valor (se dio \2)"),
    (r"argument (.+?): not allowed with argument (.+)", r"la opción \1 no se puede usar junto con \2"),
    (r"argument (.+?): invalid (int|float) value: (.+)", r"la opción \1 espera un número; se dio \3"),
    (r"argument (.+?): invalid \S+ value: (.+)", r"valor inválido para \1: \2"),
    (r"ambiguous option: (\S+) could match (.+)", r"la opción \1 es ambigua: puede ser \2"),
    (r"argument (.+?): (.+)", r"\1: \2"),  # our own type checks: already Spanish
]
#: The former English names of three commands, still accepted (not listed among the choices).
ALIASES = {"validate": "validar", "export": "exportar", "build": "construir"}
INVALID_CHOICE = re.compile(r"argument (.+?): invalid choice: '(.*)' \(choose from (.+)\)")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes argparse's own words in Spanish: «uso:», errors, invalid choices (with
    the closest valid one), and says how to get help."""

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "uso: ", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "uso: ", 1)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {spanish_message(message)}\n"
                     f"Vea «{self.prog} --help» para las opciones y ejemplos.\n")


def spanish_message(message: str) -> str:
    """An argparse error message in Spanish (unknown ones are left as they are)."""
    choice = INVALID_CHOICE.fullmatch(message)
    if choice:
        from informe.datos.lectura import closest

        valid = [c.strip().strip("'") for c in choice.group(3).split(",")]
        guess = closest(choice.group(2), valid)
        guess = ALIASES.get(guess, guess)  # a former English name suggests its Spanish one
        hint = f" ¿Quiso decir «{guess}»?" if guess else ""
        shown = [c for c in valid if c not in ALIASES]
        return f"«{choice.group(2)}» no es una opción válida; las opciones son: {', '.join(shown)}.{hint}"
    for pattern, spanish in MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, spanish, message, count=1)
    return message


def _spanish(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Spanish help: the -h option and the section titles that argparse writes in English."""
    p._optionals.title = "opciones"
    p._positionals.title = "argumentos"
    p.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")
    return p


def _year_options(p: argparse.ArgumentParser, data_help: str, params_help: str, several: bool = False) -> None:
    """The options that export and build share (build takes several years)."""
    if several:
        p.add_argument("--year", type=_years, nargs="+", required=True, metavar="AÑO",
                       help="año fiscal (p. ej. 2023), varios (2023 2024 2025) o un rango (2023-2025): cada "
                            "año se construye por separado, y un año con error no detiene a los demás")
    else:
        p.add_argument("--year", type=_year, required=True, metavar="AÑO", help="año fiscal, p. ej. 2023")
    p.add_argument("--data", type=Path, default=None, metavar="DIR", help=data_help)
    p.add_argument("--params", type=Path, default=None, metavar="ARCHIVO", help=params_help)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="carpeta de salida (por omisión outputs/<AÑO>; con otra carpeta de datos, outputs/<carpeta>/<AÑO>)"
                        + ("; con varios años, <DIR>/<AÑO>" if several else "") + ". " + OUT_RULES)


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="informe", add_help=False,
        description="Informe Anual de Resultados reproducible: valida los datos de una dependencia, "
                    "calcula indicadores y semáforo, y construye el informe HTML y PDF.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _spanish(top)
    top.add_argument("--version", action="version", version=f"informe {__version__}",
                     help="muestra la versión y termina")
    top._positionals.title = "órdenes"
    sub = top.add_subparsers(dest="command", metavar="{validar,exportar,construir,lote,vista,plantilla}")
    sub.required = True
    params_default = ("por omisión <DIR>/params/<AÑO>.yaml si la carpeta de datos lo tiene; si no, "
                      "params/<AÑO>.yaml del proyecto")
    data_help = (f"carpeta de datos que sigue el contrato, o un libro de Excel (.xlsx) con una hoja por tabla, "
                 f"como el de «informe plantilla» (por omisión: {config.DATA_DIR})")

    v = sub.add_parser("validar", aliases=["validate"], add_help=False, help="valida la carpeta de datos contra el contrato",
                       description="Valida la carpeta de datos. Si es válida, muestra un resumen y los avisos "
                                   "de calidad de datos (salida 0); si no, lista cada problema con archivo, "
                                   "línea y columna (salida 2).")
    _spanish(v)
    v.add_argument("--data", type=Path, default=None, metavar="DIR", help=data_help)
    v.add_argument("--year", type=_year, default=None, metavar="AÑO",
                   help="valida además lo que necesita construir ese año, como «informe construir --year AÑO»: "
                        "resultados del año, parámetros y narrativa (por omisión: el último año con resultados, "
                        "con parámetros opcionales)")
    v.add_argument("--params", type=Path, default=None, metavar="ARCHIVO",
                   help=f"archivo de parámetros del año ({params_default}). Con --year o --params el archivo "
                        "debe existir, como al construir; sin ninguno de los dos, si no existe se validan los "
                        "valores por omisión")

    e = sub.add_parser("exportar", aliases=["export"], add_help=False,
                       help="escribe los datos abiertos del año: CSV, XLSX y datapackage.json (rápido, sin cuadernos)",
                       description="Escribe los datos abiertos del año en datos/: indicadores_<AÑO>.csv, resumen_<AÑO>.csv, "
                                   "indicadores_<AÑO>.xlsx y datapackage.json (Frictionless).")
    _year_options(_spanish(e), data_help, f"archivo de parámetros del año ({params_default}); si no existe, "
                                          "se usan los valores por omisión. El que se da con --params debe existir")

    b = sub.add_parser("construir", aliases=["build"], add_help=False, help="construye el informe del año: cuadernos, HTML y PDF",
                       description="Ejecuta con papermill los cuadernos de notebooks/ para el año, escribe "
                                   "los CSV de datos abiertos y une los cuadernos en un informe HTML y PDF.")
    _year_options(_spanish(b), data_help, f"archivo de parámetros del año ({params_default}); el archivo debe "
                                          "existir. Solo con un año: con varios, cada año usa el suyo", several=True)
    b.add_argument("--format", type=_formats, default=["html", "pdf"], metavar="html,pdf",
                   help="formatos a escribir (por omisión html,pdf)")
    b.add_argument("--workers", type=_workers, default=2, metavar="N",
                   help="cuadernos en paralelo (por omisión 2)")
    b.add_argument("--force", action="store_true",
                   help="reconstruye todo aunque nada haya cambiado (sin usar la caché)")

    lo = sub.add_parser(
        "lote", add_help=False, help="construye el informe de varias dependencias y un consolidado (Dask)",
        description="Construye con Dask distributed el informe del año de cada dependencia, un consolidado "
                    "(consolidado_<AÑO>.html y .csv: una fila por dependencia con sus indicadores, cuántos con "
                    "avance, sin avance, igual, sin información y no aplica, el porcentaje con avance y el enlace a "
                    "su informe) y el informe estatal (estado_<AÑO>.html y .pdf: resumen, gráficas, indicadores que "
                    "requieren atención, ejes del Plan Estatal de Desarrollo, tendencia con varios años y "
                    "dependencias sin informe) con su conjunto de datos (datos_estado_<AÑO>/estado_<AÑO>.csv y .xlsx). Una "
                    "dependencia que falla no detiene a las demás: el consolidado la lista con su error. Parámetros de cada dependencia: <DIR>/params/<AÑO>.yaml si existe; si "
                    "no, params/<AÑO>.yaml del proyecto si existe; si no, los valores por omisión.",
        epilog="códigos de salida: 0 todos los informes construidos (o sin resultados del año); 1 alguna "
               "dependencia falló (datos o cuadernos); 2 todas las dependencias tienen datos inválidos, o "
               "argumentos inválidos.")
    _spanish(lo)._positionals.title = "carpetas"
    lo.add_argument("dirs", nargs="+", type=Path, metavar="DIR",
                    help="carpeta de datos de una dependencia (con dependencia.yaml) o carpeta que contiene "
                         "carpetas de dependencias")
    lo.add_argument("--year", type=_years, nargs="+", required=True, metavar="AÑO",
                    help="año fiscal, p. ej. 2023, o varios (2023-2025 o 2023 2025): cada dependencia se construye "
                         "para cada año en <DIR>/<AÑO>/, y el informe estatal de cada año añade la tendencia")
    lo.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="carpeta de salida (por omisión outputs/lote_<AÑO>, con varios años outputs/lote_<AÑO1>-"
                         "<AÑON>/<AÑO>); cada informe va a <DIR>/<carpeta "
                         "de la dependencia>/. DIR debe ser nueva, estar vacía o ser la salida de un lote anterior; "
                         "nunca una carpeta de datos, una que la contenga o que esté dentro de ella. Cada "
                         "<DIR>/<carpeta>/ sigue las reglas de --out de «informe construir»: una dependencia cuya carpeta "
                         "tiene archivos ajenos no se construye (el consolidado la lista con el motivo)")
    lo.add_argument("--format", type=_formats, default=["html", "pdf"], metavar="html,pdf",
                    help="formatos de cada informe (por omisión html,pdf; el consolidado siempre es HTML y CSV)")
    lo.add_argument("--scheduler", type=_scheduler, default=None, metavar="tcp://HOST:8786",
                    help="planificador de un clúster de Dask ya en marcha (por omisión se arranca uno local)")
    lo.add_argument("--workers", type=_workers, default=None, metavar="N",
                    help="trabajadores del clúster local, uno por núcleo (por omisión 2; no se usa con --scheduler)")

    vi = sub.add_parser(
        "vista", add_help=False, help="vista previa: el informe en el navegador, actualizado al guardar cada archivo",
        description="Construye el informe del año (sin PDF) y lo sirve en http://127.0.0.1:PUERTO/ (solo en esta "
                    "máquina). Al guardar un archivo de datos, el libro, los parámetros, un cuaderno o una plantilla, "
                    "vuelve a validar y a ejecutar solo los cuadernos cuyas entradas cambiaron, y la página abierta "
                    "se recarga sola en el mismo lugar. Con datos inválidos, la página muestra los problemas (como "
                    "«informe validar») sobre el último informe válido. Escribe en outputs/.vista/, nunca en "
                    "outputs/<AÑO>/. El PDF se imprime a pedido (enlace de la página). Ctrl-C termina.",
        epilog="códigos de salida: 130 al terminar con Ctrl-C; 2 argumentos inválidos o puertos ocupados.")
    _spanish(vi)
    vi.add_argument("--year", type=_year, required=True, metavar="AÑO", help="año fiscal, p. ej. 2023")
    vi.add_argument("--data", type=Path, default=None, metavar="DIR",
                    help="carpeta de datos o libro de Excel (.xlsx) (por omisión data/)")
    vi.add_argument("--params", type=Path, default=None, metavar="ARCHIVO",
                    help="archivo de parámetros del año (por omisión <DIR>/params/<AÑO>.yaml o params/<AÑO>.yaml; "
                         "sin él, los valores por omisión)")
    vi.add_argument("--port", type=int, default=8000, metavar="PUERTO",
                    help="puerto en 127.0.0.1 (por omisión 8000; si está ocupado, el siguiente libre)")
    vi.add_argument("--workers", type=_workers, default=2, metavar="N",
                    help="cuadernos en paralelo (por omisión 2), con sus núcleos de Jupyter siempre listos")

    pl = sub.add_parser(
        "plantilla", add_help=False, help="escribe un libro de Excel con el contrato de datos (una hoja por tabla)",
        description="Escribe un libro de Excel (.xlsx) con una hoja por tabla del contrato (objetivos, estrategias, "
                    "indicadores, resultados) y las hojas dependencia, directorio y enlaces en lugar de "
                    "dependencia.yaml: encabezados con una nota que explica cada columna, listas desplegables y "
                    "columnas de texto. Con --data lleva los datos de esa carpeta. El libro se usa después como "
                    "--data en validar, exportar y construir; la narrativa (narrativa/, institucional/) y params/ van "
                    "en la carpeta del libro.")
    _spanish(pl)
    pl.add_argument("--out", type=Path, required=True, metavar="LIBRO.xlsx", help="el libro que se escribe")
    pl.add_argument("--data", type=Path, default=None, metavar="DIR",
                    help="carpeta de datos (o libro) cuyos datos lleva el libro (por omisión, el libro va vacío)")
    pl.add_argument("--force", action="store_true", help="reemplaza el libro si ya existe")
    return top


def cmd_validate(args) -> int:
    """Every blocker that ``informe construir`` would find, at once (exit 2); else the summary and warnings."""
    from informe.calculo import calidad
    from informe.datos.entradas import year_inputs

    explicit = args.year is not None or args.params is not None
    found = year_inputs(args.data, args.year, args.params, params_required=explicit)
    if found.problems:
        where = args.data or config.DATA_DIR
        what = f" para el año {found.year}" if args.year is not None else ""
        print(f"Datos inválidos en {where}{what}: {len(found.problems)} problema(s).")
        for problem in found.problems:
            print(f"ERROR {problem}")
        return 2
    dataset, year = found.dataset, found.year
    dep = dataset.dependencia
    print(f"Datos válidos: {dataset.path}")
    print(f"  Dependencia: {dep.get('nombre')} ({dep.get('gobierno')})")
    print(f"  Objetivos: {len(dataset.objetivos)}  Estrategias: {len(dataset.estrategias)}  "
          f"Indicadores: {len(dataset.indicadores)}")
    if len(dataset.programas):
        print(f"  Programas: {len(dataset.programas)} ({', '.join(dataset.programas['programa_id'])})")
    if len(dataset.metas):
        print(f"  Metas intermedias: {len(dataset.metas)}, de {dataset.metas['indicador_id'].nunique()} indicador(es)")
    print(f"  Años con resultados: {', '.join(map(str, dataset.years)) or 'ninguno'}")
    if year is None:
        return 0
    notes = calidad.findings(dataset, year, found.params)
    print(f"Avisos de calidad de datos para {year}: {len(notes)}")
    if args.data is not None:  # a workbook's notes are named by its sheet and row
        from informe.datos.entradas import located
        from informe.problemas import Problem

        notes = located(args.data, [Problem(n.file, n.message, line=n.line, column=n.column) for n in notes])
    for note in notes:
        print(f"AVISO {note}")
    return 0


def cmd_export(args) -> int:
    from informe.calculo.datos_abiertos import export
    from informe.construccion.salida import claim_output
    from informe.datos.entradas import load
    from informe.datos.parametros import load_params

    out = config.output_dir(args.year, args.out, args.data)
    claim_output(out, [args.data or config.DATA_DIR])  # the rules of informe construir's --out
    dataset = load(args.data)
    params = load_params(args.year, args.params or config.params_file(args.year, args.data or config.DATA_DIR),
                         required=args.params is not None)
    for path in export(dataset, args.year, params, out):
        print(f"Escrito {path}")
    return 0


def cmd_build(args) -> int:
    """Build each year asked for, in turn; a year that fails is reported and the others still build.
    Exit code: that of the worst year (2 invalid data or parameters, 1 a notebook failed)."""
    from informe.construccion.construir import build
    from informe.problemas import InformeError

    years = sorted(set(year for group in args.year for year in group))
    if len(years) == 1:
        build(years[0], data_dir=args.data, params_path=args.params, out_dir=args.out,
              formats=args.format, workers=args.workers, force=args.force)
        return 0
    if args.params is not None:
        raise InformeError("--params es el archivo de un solo año; con varios años cada uno usa el suyo: "
                           "<carpeta de datos>/params/<AÑO>.yaml, o params/<AÑO>.yaml del proyecto.")
    codes: dict[int, int] = {}
    for year in years:
        print(f"== Año {year} ==", flush=True)
        try:
            build(year, data_dir=args.data, out_dir=args.out / str(year) if args.out else None,
                  formats=args.format, workers=args.workers, force=args.force)
            codes[year] = 0
        except Exception as err:
            codes[year] = _failure_code(err)
            if codes[year] is None:
                raise
            print(f"ERROR año {year}: {err}", file=sys.stderr, flush=True)
    built = [str(y) for y, code in codes.items() if code == 0]
    failed = [str(y) for y, code in codes.items() if code != 0]
    print(f"Años construidos: {', '.join(built) or 'ninguno'}" + (f"; con error: {', '.join(failed)}." if failed else "."))
    return max(codes.values())


def cmd_lote(args) -> int:
    from informe.construccion.lote import exit_code, lote
    from informe.problemas import InformeError

    if args.scheduler and args.workers is not None:
        raise InformeError("--workers es para el clúster local; con --scheduler los trabajadores son los del "
                           "clúster (arránquelos con «dask worker … --nthreads 1»).")
    years = sorted({year for group in args.year for year in group})
    outcomes = lote(years, args.dirs, out_dir=args.out, scheduler=args.scheduler,
                    workers=args.workers or 2, formats=args.format)
    return exit_code(outcomes)


def cmd_vista(args) -> int:
    from informe.construccion.vista import serve

    serve(args.year, args.data, args.params, port=args.port, workers=args.workers)
    return 0


def cmd_plantilla(args) -> int:
    from informe.datos.plantilla import write_template
    from informe.problemas import InformeError

    if args.out.suffix.lower() != ".xlsx":
        raise InformeError(f"{args.out}: el libro debe terminar en .xlsx (p. ej. --out libro.xlsx).")
    if args.out.exists() and not args.force:
        raise InformeError(f"{args.out} ya existe; elija otro nombre o use --force para reemplazarlo.")
    found = write_template(args.out, args.data)
    print(f"Escrito {args.out}" + (f" con los datos de {args.data}" if args.data else " (vacío)") + ".")
    if found:
        print(f"Los datos tienen {len(found)} problema(s), copiados al libro tal como están; corríjalos en el "
              f"libro y revíselo con «informe validar --data {args.out}»:")
        for problem in found:
            print(f"AVISO {problem}")
    return 0


def _quiet_stdout() -> None:
    """After a broken pipe (``informe validar | head -1``): send what is left to /dev/null, so the
    interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced by an object without a descriptor
        pass


def _failure_code(err: Exception) -> int | None:
    """Exit code of an error whose message tells the user what to fix: 2 for invalid data or parameters,
    1 for a failing notebook (its message names it and the cell's error); None for a bug."""
    from informe.problemas import InformeError

    if isinstance(err, InformeError):
        return getattr(err, "exit_code", 2)  # an I/O failure while building (files.OutputError) is 1
    return 1 if type(err).__name__ == "NotebookError" else None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    commands = {"validar": cmd_validate, "exportar": cmd_export, "construir": cmd_build, "lote": cmd_lote,
                "plantilla": cmd_plantilla, "vista": cmd_vista}
    command = commands[ALIASES.get(args.command, args.command)]
    try:
        code = command(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at exit
        return code
    except BrokenPipeError:  # the reader of our output went away (| head): stop quietly
        _quiet_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe
    except OSError as err:  # writing an output failed (full disk, read-only file system…): path and cause
        from informe.construccion.salida import io_error

        print(f"ERROR {io_error(err)}", file=sys.stderr)
        return 1
    except Exception as err:
        code = _failure_code(err)
        if code is None:
            raise
        print(f"ERROR {err}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("Interrumpido.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
