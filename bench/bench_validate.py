"""Benchmark of ``informe validar`` on a large synthetic agency (prints figures; never a test).

    .venv/bin/python bench/bench_validate.py                 # 5,000 indicators × 10 years = 50,000 rows
    .venv/bin/python bench/bench_validate.py -i 500 -y 100   # 500 × 100 = 50,000 rows
    .venv/bin/python bench/bench_validate.py --keep DIR      # also leave the generated folder in DIR

Generates, in a temporary folder, a valid data folder with ``-i`` indicators and
``-y`` years of results each (some rows with numerador/denominador, ND, notes with
a line break; some cards with a baseline that differs from the table and repeated
names, so the quality rules have something to find), then measures:

* load + validation (``informe.datos.entradas.check``: read, pandera contract, cross-file rules);
* ``informe.calculo.calidad.findings`` for the last year;
* ``informe validar --data DIR`` end to end (output discarded).

Times are wall seconds without tracing; the peak memory of each stage is measured
in a second, separate run under ``tracemalloc`` (Python and NumPy allocations), and
the process's peak resident memory is printed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

from informe import cli
from informe.calculo import calidad
from informe.datos.entradas import check

OBJECTIVES = 10


def generate(folder: Path, indicators: int, years: int) -> int:
    """Write a valid synthetic agency into ``folder``; returns the number of result rows."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dependencia.yaml").write_text(
        "nombre: Agencia Sintética de Medición\ngobierno: Gobierno del Estado de Prueba\nsiglas: ASM\n"
        "directorio:\n  - nombre: Titular\n    cargo: Titular de la Agencia\n", encoding="utf-8")

    def write(name: str, header: list[str], rows) -> None:
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    write("objetivos.csv", ["objetivo_id", "nombre"],
          [[o, f"Objetivo sintético número {o}"] for o in range(1, OBJECTIVES + 1)])
    write("estrategias.csv", ["estrategia_id", "objetivo_id", "nombre"],
          [[f"{o}.1", o, f"Estrategia {o}.1"] for o in range(1, OBJECTIVES + 1)])
    first_year = 2024 - years
    cards, results = [], []
    for k in range(indicators):
        obj = k % OBJECTIVES + 1
        iid = f"SX-{obj}-{k:05d}"
        base = round(10 + (k % 70) * 0.5, 2)
        card_base = base + 5 if k % 50 == 0 else base            # linea_base_distinta
        name = f"Indicador sintético {k - 10 if k % 100 == 11 else k}"  # a few repeated names (same objective)
        cards.append([iid, obj, f"{obj}.1", name, "Medir algo", "Descripción", "(A / B) x 100",
                      "ascendente" if k % 3 else "descendente", "anual", "porcentaje", "Registro interno",
                      "Dirección General", "Dirección de Área", "", first_year, card_base, 2030, base + 30])
        for j, year in enumerate(range(first_year, first_year + years)):
            value, num, den, estado, nota = f"{base + j * 0.25:.2f}", "", "", "", ""
            if k % 7 == 0 and j == years - 1:
                value, estado = "", "ND"
            elif k % 11 == 0 and j % 2:
                value, num, den = "", f"{(base + j) * 4:g}", "400"
            if k % 13 == 0 and j == 0:
                nota = "Nota con dos renglones:\nsegundo renglón de la nota"
            results.append([iid, year, value, num, den, estado, nota])
    write("indicadores.csv",
          ["indicador_id", "objetivo_id", "estrategia_id", "nombre", "objetivo_indicador", "descripcion",
           "metodo_calculo", "sentido", "frecuencia", "unidad_medida", "fuente", "unidad_responsable",
           "unidad_ejecutora", "referencia_adicional", "linea_base_anio", "linea_base_valor", "meta_anio",
           "meta_valor"], cards)
    write("resultados.csv", ["indicador_id", "anio", "valor", "numerador", "denominador", "estado", "nota"],
          results)
    return len(results)


def measure(label: str, fn, *, traced: bool):
    """Run ``fn``; returns (value, seconds, peak MiB or None)."""
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    peak = None
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return value, seconds, peak


def validate_cli(folder: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return cli.main(["validar", "--data", str(folder)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--indicators", type=int, default=5000)
    parser.add_argument("-y", "--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="copy the generated folder here")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        folder = Path(tmp) / "datos"
        rows = generate(folder, args.indicators, args.years)
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
        print(f"agencia sintética: {args.indicators} indicadores × {args.years} años = {rows} filas de "
              f"resultados ({size:.1f} MiB de CSV)")

        def load_validate():
            dataset, problems = check(folder)
            assert not problems, problems[:3]
            return dataset

        dataset, t_load, _ = measure("load", load_validate, traced=False)
        year = dataset.years[-1]
        notes, t_quality, _ = measure("quality", lambda: calidad.findings(dataset, year), traced=False)
        code, t_cli, _ = measure("cli", lambda: validate_cli(folder), traced=False)
        assert code == 0, code
        print(f"{'carga y validación (check)':<40} {t_load:8.2f} s")
        print(f"{'quality.findings(' + str(year) + ')':<40} {t_quality:8.2f} s   ({len(notes)} avisos)")
        print(f"{'informe validar --data (completo)':<40} {t_cli:8.2f} s")
        if not args.no_memory:
            _, _, m_load = measure("load", load_validate, traced=True)
            _, _, m_quality = measure("quality", lambda: calidad.findings(dataset, year), traced=True)
            print(f"{'memoria pico (tracemalloc), carga y validación':<48} {m_load:8.1f} MiB")
            print(f"{'memoria pico (tracemalloc), calidad.findings':<48} {m_quality:8.1f} MiB")
        print(f"{'memoria residente máxima del proceso':<48} "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
