"""informe lote, as an attacker or a careless user would try it: the local cluster takes work only from the
process that started it and serves no dashboard; a misnamed dependencia.yaml is named, never skipped; no
folder name becomes a live link of the consolidated report; a --scheduler that is not Dask is a message."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from distributed import Client, LocalCluster
from edits import MINIMAL, cell
from test_lote import YEAR, agency, read_csv

from informe import cli
from informe.construccion import lote


def test_consolidated_links_stay_relative_whatever_the_folder_name():
    hostile = "javascript:alert(document.domain)"
    name = "<img src=x onerror=alert(1)><script>alert(1)</script>"
    built = lote.Outcome(lote.Agency(Path(hostile), hostile), name, ok=True,
                         counts=dict(zip(lote.COUNTS, (4, 2, 1, 1, 0))),
                         files={kind: f"{hostile}/informe_{YEAR}.{kind}" for kind in ("html", "pdf")})
    failed = lote.Outcome(lote.Agency(Path("x"), "x"), name, error=[f"falló {name}"])
    soup = BeautifulSoup(lote.consolidated_html([built, failed], YEAR), "html.parser")
    assert not soup.find_all(["script", "img", "iframe"])
    links = [a["href"] for a in soup.find_all("a")]
    assert links and all(href.startswith(("./", "#")) for href in links), links
    assert "./javascript%3Aalert%28document.domain%29/informe_2023.html" in links
    assert not any(attr.startswith("on") for el in soup.find_all(True) for attr in el.attrs)
    assert soup.find(string=lambda s: "<img src=x onerror=alert(1)>" in s)


# --------------------------------------------------------------------------- the local cluster is private

STRANGER = """
import sys
from distributed import Client
from distributed.security import Security
address, credentials = sys.argv[1], sys.argv[2]
try:
    client = Client(address, timeout="5s", security=Security.temporary() if credentials == "own" else None)
    print("RAN", client.submit(sum, [1, 2]).result(timeout=5))
except Exception as exc:
    print("REFUSED", type(exc).__name__)
"""


def _process_tree(pid: int) -> list[int]:
    tree = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        tree += [p for child in children for p in _process_tree(int(child))]
    return tree


def _listening(pids: list[int]) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket the processes ``pids`` listen on (from /proc, no tool needed)."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:["):-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # state LISTEN
                address, port = fields[1].split(":")
                found.append((address, int(port, 16)))
    return found


def _http_answer(port: int, path: str) -> int | None:
    """The HTTP status a GET of ``path`` gets on ``port`` of 127.0.0.1; None if nothing speaks HTTP there."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code
    except (OSError, http.client.HTTPException):
        return None


def test_the_local_cluster_takes_work_only_from_the_process_that_started_it():
    with lote.private_cluster(1) as (cluster, security):
        address = cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        with Client(cluster, security=security) as own:  # the process that started it: its work runs
            assert own.submit(sum, [1, 2]).result(timeout=30) == 3
        for target, credentials in ((address, "none"), (address.replace("tls://", "tcp://"), "none"),
                                    (address, "own")):  # another user: no credentials, plain TCP, their own CA
            stranger = subprocess.run([sys.executable, "-c", STRANGER, target, credentials], capture_output=True,
                                      text=True, timeout=120)
            assert stranger.stdout.startswith("REFUSED"), (target, credentials, stranger.stdout, stranger.stderr[-500:])

        ports = _listening(_process_tree(os.getpid()))
        assert len(ports) >= 3, ports  # the scheduler, the nanny and the worker at least
        assert all(address == "0100007F" for address, _ in ports), "127.0.0.1 only"
        for _, port in ports:  # Dask's pages, JSON, metrics, proxy and logs: none is served, on any port
            for path in ("/", "/status", "/info/main/workers.html", "/json/counts.json", "/metrics", "/health",
                         "/proxy/8786/127.0.0.1/status", "/info/logs/x", "/statics/"):
                assert _http_answer(port, path) in (None, 404), (port, path)


# --------------------------------------------------------------------------- --scheduler


def _server(mode: str) -> tuple[int, socket.socket]:
    """A TCP server on 127.0.0.1 that is not Dask: it answers HTTP, closes each connection, or never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)
            if mode == "http":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhola\n")
            elif mode == "cierra":
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], server


@pytest.mark.parametrize("mode, fragment", [
    ("http", "respondió, pero no como un planificador de Dask"),
    ("cierra", "no respondió como un planificador de Dask"),
    ("callado", "no respondió como un planificador de Dask"),  # accepts and says nothing: it used to hang forever
])
def test_a_scheduler_that_is_not_dask_is_a_message_within_the_timeout(tmp_path, capsys, monkeypatch, mode, fragment):
    monkeypatch.setattr(lote, "CONNECT_TIMEOUT", 5)  # 30 s in use; the bound is the same code
    port, server = _server(mode)
    start = time.monotonic()
    try:
        code = cli.main(["lote", "--year", str(YEAR), "--scheduler", f"tcp://127.0.0.1:{port}", "--out",
                         str(tmp_path / "out"), str(MINIMAL)])
    finally:
        server.close()
    assert code == 2
    assert time.monotonic() - start < 5 + 5
    err = capsys.readouterr().err
    assert f"No se pudo usar el planificador de Dask tcp://127.0.0.1:{port}: {fragment}" in err
    assert "Traceback" not in err


def test_lote_on_a_running_scheduler_names_every_agency_even_a_misnamed_one(tmp_path):
    """A scheduler the user started (plain TCP here) takes lote's tasks; a folder whose dependencia.yaml is
    misnamed is listed with the fix, never skipped."""
    parent = tmp_path / "dependencias"
    parent.mkdir()
    formula = '=HYPERLINK("http://ejemplo.invalid","Instituto A")'  # a name a spreadsheet would run
    invalid = agency(parent, "a-datos", formula.replace('"', "'"))
    cell("resultados.csv", 5, "valor", "doce")(invalid)
    misnamed = agency(parent, "b-yml", "Instituto B")
    (misnamed / "dependencia.yaml").rename(misnamed / "dependencia.yml")
    assert [(a.name, bool(a.problem)) for a in lote.find_agencies([parent])] == [("a-datos", False), ("b-yml", True)]

    out = tmp_path / "out"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        outcomes = lote.lote(YEAR, [parent], out_dir=out, scheduler=cluster.scheduler_address, formats=["html"],
                             progress=lambda line: None)
    assert [o.agency.name for o in outcomes] == ["a-datos", "b-yml"]
    assert all(o.validation and not o.ok for o in outcomes)
    assert "resultados.csv, línea 5, columna «valor»: valor «doce»" in "\n".join(outcomes[0].error)
    assert "debe llamarse exactamente «dependencia.yaml»" in outcomes[1].error[0]
    rows = {row["carpeta"]: row for row in read_csv(out / f"consolidado_{YEAR}.csv")}
    assert "dependencia.yml" in rows["b-yml"]["error"]
    assert rows["a-datos"]["dependencia"] == "'" + formula.replace('"', "'"), "opens as text in a spreadsheet"
    page = BeautifulSoup((out / f"consolidado_{YEAR}.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "dependencia.yml" in page and "b-yml" in page
