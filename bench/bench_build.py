"""Benchmark of the real 2023 build (prints figures; never a test).

    .venv/bin/python bench/bench_build.py            # stages + full build with 1 and 2 workers
    .venv/bin/python bench/bench_build.py -w 2       # only with 2 workers

Measures, on the embedded data: load + validation, the engine, the open-data
export, then ``informe construir`` end to end per worker count (wall seconds, and the
peak resident memory of this process and of its children: kernels, Chromium).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from informe import config
from informe.calculo import motor
from informe.calculo.datos_abiertos import export
from informe.construccion.construir import build
from informe.datos.entradas import load
from informe.datos.parametros import load_params


def timed(label: str, fn, repeat: int = 1):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<44} {best * 1000:9.1f} ms" + (f"  (mejor de {repeat})" if repeat > 1 else ""))
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-w", "--workers", default="1,2", help="worker counts, comma separated (default 1,2)")
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args(argv)
    year = args.year
    params = load_params(year, config.params_file(year))

    ds = timed("carga y validación (pandera) de data/", lambda: load(config.DATA_DIR), repeat=5)
    timed("motor: tabla de indicadores del año", lambda: motor.year_table(ds, year, params), repeat=20)
    with tempfile.TemporaryDirectory() as tmp:
        timed("exportación de datos abiertos (2 CSV)", lambda: export(ds, year, params, Path(tmp)), repeat=5)

    print()
    for workers in [int(w) for w in args.workers.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            lines: list[str] = []
            t0 = time.perf_counter()
            build(year, out_dir=Path(tmp), workers=workers, progress=lines.append)
            total = time.perf_counter() - t0
            stages = [line for line in lines if line.startswith(("HTML:", "PDF:"))]
            pdf = Path(tmp) / f"informe_{year}.pdf"
            print(f"informe construir --year {year} con {workers} proceso(s): {total:6.1f} s "
                  f"(PDF {pdf.stat().st_size / 1024:.0f} KiB)")
            for line in stages:
                print("    " + line.split(": ", 1)[0] + " " + line.rsplit("(", 1)[-1].rstrip(")"))
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nmemoria máxima residente: este proceso {me:.0f} MiB; mayor proceso hijo {kids:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
