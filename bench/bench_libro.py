"""Benchmark of reading a workbook (``--data libro.xlsx``): what the sheet check costs (prints figures; never a test).

    .venv/bin/python bench/bench_libro.py                # 1,000 indicators × 5 years = 5,000 results
    .venv/bin/python bench/bench_libro.py -i 500 -y 10 -r 7

Generates the synthetic agency of ``bench_validate.py``, writes it as a workbook with ``informe plantilla``
and saves a copy through openpyxl with shared strings, as Excel saves. For each it measures, as the median
of ``-r`` runs in this one process:

* the check of every sheet's XML (:func:`informe.datos.libro.scan_sheets`: damaged cells, merged ranges);
* ``libro.read_book`` whole (which runs that check, then reads the cells with openpyxl);
* ``load.check`` (read and validate), as ``informe validar`` does.

``read_book`` without the check is the second figure minus the first: the cost of the check.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import openpyxl
from bench_validate import generate

from informe import cli
from informe.datos import libro
from informe.datos.entradas import check


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sheet_checker(path: Path):
    """A function that runs ``read_book``'s check of every sheet (:func:`informe.datos.libro.scan_sheets`) on the
    workbook opened once, so the figure is the check alone, not openpyxl opening the workbook."""
    data = path.read_bytes()
    workbook = openpyxl.load_workbook(path, read_only=True)

    def check_every_sheet() -> None:
        assert not libro.scan_sheets(data, workbook, path.name)
    return check_every_sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--indicators", type=int, default=1000)
    parser.add_argument("-y", "--years", type=int, default=5)
    parser.add_argument("-r", "--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-libro-") as tmp:
        folder = Path(tmp) / "datos"
        rows = generate(folder, args.indicators, args.years)
        template = Path(tmp) / "plantilla.xlsx"
        assert cli.main(["plantilla", "--out", str(template), "--data", str(folder)]) == 0
        shared = Path(tmp) / "compartidas.xlsx"
        openpyxl.load_workbook(template).save(shared)
        print(f"libro sintético: {args.indicators} indicadores, {rows} resultados; mediana de {args.runs}")
        print(f"{'libro':<28}{'revisión XML':>14}{'read_book':>12}{'sin revisión':>14}{'load.check':>12}")
        for label, path in (("plantilla (cadenas en línea)", template), ("guardado por openpyxl", shared)):
            scan = median_seconds(sheet_checker(path), args.runs)
            read = median_seconds(lambda: libro.read_book(path), args.runs)
            whole = median_seconds(lambda: check(path), args.runs)
            print(f"{label:<28}{scan:>12.3f} s{read:>10.3f} s{read - scan:>12.3f} s{whole:>10.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
