"""Benchmark of ``informe vista`` (prints figures; never a test).

    .venv/bin/python bench/bench_vista.py            # 5 edits of each kind
    .venv/bin/python bench/bench_vista.py -n 3

Starts the preview of 2023 on a copy of ``data/`` (a real server, real kernels), then edits each kind of file in
turn and polls ``GET /`` until the change is in the page: a figure of ``resultados.csv``, a paragraph of
``narrativa/2023/introduccion.md`` and the stylesheet (``informe/templates/informe/informe.css``, restored at
the end). Prints, for each kind, the median and the range of the seconds from saving the file to the refreshed
page being served; then stops the preview with Ctrl-C (SIGINT) and checks that it exits with 130 and leaves no
process behind.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "informe" / "templates" / "informe" / "informe.css"


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, timeout: float = 60.0) -> float:
    """Seconds until ``text`` is in ``GET url``."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if text in get(url):
            return time.perf_counter() - t0
        time.sleep(0.02)
    raise TimeoutError(f"«{text}» no apareció en {timeout:.0f} s")


def figure_row(data: Path) -> int:
    """The line of resultados.csv of a 2023 percentage figure written as a plain value."""
    units = {r["indicador_id"]: r["unidad_medida"] for r in csv.DictReader(open(data / "indicadores.csv", encoding="utf-8"))}
    for line, row in enumerate(csv.DictReader(open(data / "resultados.csv", encoding="utf-8")), start=2):
        if row["anio"] == "2023" and row["valor"] and not row["estado"] and units[row["indicador_id"]] == "porcentaje":
            return line
    raise SystemExit("no hay una cifra 2023 en porcentaje en resultados.csv")


def set_value(path: Path, line: int, value: str) -> None:
    rows = list(csv.reader(open(path, encoding="utf-8", newline="")))
    rows[line - 1][rows[0].index("valor")] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="edits of each kind (default 5)")
    args = parser.parse_args(argv)
    original_css = STYLESHEET.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="bench-vista-") as tmp:
        data = Path(tmp) / "datos"
        shutil.copytree(ROOT / "data", data)
        t0 = time.perf_counter()
        log = Path(tmp) / "vista.log"
        with open(log, "w", encoding="utf-8") as handle:
            proc = subprocess.Popen([sys.executable, "-m", "informe", "vista", "--year", "2023", "--data", str(data),
                                     "--port", "0"], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
        url = None
        while url is None and proc.poll() is None and time.perf_counter() - t0 < 300:
            found = re.search(r"(http://127\.0\.0\.1:\d+/)", log.read_text(encoding="utf-8"))
            url = found.group(1) if found else time.sleep(0.05)
        if url is None:
            raise SystemExit(log.read_text(encoding="utf-8"))
        print(f"vista previa lista en {time.perf_counter() - t0:.1f} s ({url}); {os.cpu_count()} núcleos")
        times: dict[str, list[float]] = {"cifra de resultados.csv": [], "párrafo de introduccion.md": [],
                                         "hoja de estilos": []}
        line = figure_row(data)
        intro = data / "narrativa" / "2023" / "introduccion.md"
        try:
            for k in range(args.n):
                value = f"5{k}.7{k}"
                set_value(data / "resultados.csv", line, value)
                times["cifra de resultados.csv"].append(wait_for(url, f">{value}%<"))
                sentence = f"Párrafo de prueba número {k} de la vista previa."
                intro.write_text(intro.read_text(encoding="utf-8") + f"\n\n{sentence}\n", encoding="utf-8")
                times["párrafo de introduccion.md"].append(wait_for(url, sentence))
                marker = f"/* vista {k} {time.time()} */"
                STYLESHEET.write_text(original_css + "\n" + marker + "\n", encoding="utf-8")
                times["hoja de estilos"].append(wait_for(url, marker))
        except BaseException:  # a failed or interrupted run stops the preview it started (nothing left running)
            print(log.read_text(encoding="utf-8")[-3000:])
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            raise
        finally:
            STYLESHEET.write_text(original_css, encoding="utf-8")
        for kind, seconds in times.items():
            print(f"{kind:28} mediana {statistics.median(seconds):5.2f} s  (de {min(seconds):.2f} a "
                  f"{max(seconds):.2f} s, {len(seconds)} ediciones)")
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
        time.sleep(0.5)
        left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        print(f"Ctrl-C: salida {code}; procesos que quedaron: {len(left)} (de {len(children)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
