"""``informe vista``: the live preview, with real kernels and real HTTP on 127.0.0.1 (no timed assertions: each
test waits, up to a generous limit, for the change to be served)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from edits import cell

from informe import config
from informe.construccion import vista as vista_module

pytestmark = pytest.mark.slow
LIMIT = 180  # seconds to wait for a change to be served


def get(url: str, host: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def served(url: str, predicate) -> str:
    """The page, once ``predicate(page)`` holds (fails after :data:`LIMIT` seconds)."""
    deadline = time.monotonic() + LIMIT
    while True:
        page = get(url)
        if predicate(page):
            return page
        assert time.monotonic() < deadline, "the change was not served"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    """A preview of 2023 on a copy of data/ and of the notebooks, served and watched, as `informe vista` runs it."""
    root = tmp_path_factory.mktemp("vista")
    data = root / "datos"
    shutil.copytree(config.DATA_DIR, data)
    (data / "params").mkdir()  # the agency's own parameters file, which the preview then watches
    shutil.copy(config.PARAMS_DIR / "2023.yaml", data / "params" / "2023.yaml")
    notebooks = root / "cuadernos"
    shutil.copytree(config.NOTEBOOKS_DIR, notebooks)
    patch = pytest.MonkeyPatch()
    patch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    preview = vista_module.Vista(2023, data, work=root / "trabajo", progress=lambda line: None)
    preview.start_workers()
    preview.rebuild()
    httpd = vista_module.server(preview, 0)
    threads = [threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
               threading.Thread(target=preview.watch, daemon=True)]
    for thread in threads:
        thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    yield type("Preview", (), {"url": url, "data": data, "notebooks": notebooks, "vista": preview,
                               "started": started, "httpd": httpd, "threads": threads})
    httpd.shutdown()
    httpd.server_close()
    preview.close()
    patch.undo()


def test_the_report_is_served_with_the_preview_bar_and_its_script_only(preview):
    page = get(preview.url)
    assert "Informe Anual de Resultados 2023" in page and 'class="vista-barra"' in page
    assert f"script-src &#39;nonce-{preview.vista.nonce}&#39;" in page and "connect-src &#39;self&#39;" in page
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == [f'<script nonce="{preview.vista.nonce}">'], "one script: the preview's, by its nonce"
    assert get(preview.url + "version").strip() == str(preview.vista.version)
    with pytest.raises(urllib.error.HTTPError) as refused:  # DNS rebinding: another site's name is refused
        get(preview.url, host="evil.example:80")
    assert refused.value.code == 403
    default = vista_module.Vista(2023, preview.data).work  # nothing published is touched: its own folder
    assert default.parent == config.OUTPUTS_DIR / ".vista" and default.name == "datos-2023"


def test_an_edit_of_a_figure_shows(preview):
    cell("resultados.csv", 3, "valor", "51.23")(preview.data)
    served(preview.url, lambda page: ">51.23%<" in page)


def test_an_edit_of_the_narrative_shows(preview):
    intro = preview.data / "narrativa" / "2023" / "introduccion.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n\nUn párrafo agregado en la vista previa.\n",
                     encoding="utf-8")
    served(preview.url, lambda page: "Un párrafo agregado en la vista previa." in page)


def test_an_edit_of_the_parameters_shows(preview):
    params = preview.data / "params" / "2023.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(re.sub(r"(?m)^titulo:.*$", 'titulo: "Informe de la vista previa {anio}"', text)
                      if re.search(r"(?m)^titulo:", text) else text + 'titulo: "Informe de la vista previa {anio}"\n',
                      encoding="utf-8")
    served(preview.url, lambda page: "Informe de la vista previa 2023" in page)


def test_an_edit_of_the_stylesheet_shows(preview):
    original = vista_module.STYLESHEET.read_text(encoding="utf-8")
    marker = f"/* prueba de la vista previa {time.time()} */"
    try:
        vista_module.STYLESHEET.write_text(original + "\n" + marker + "\n", encoding="utf-8")
        served(preview.url, lambda page: marker in page)
    finally:
        vista_module.STYLESHEET.write_text(original, encoding="utf-8")
    served(preview.url, lambda page: marker not in page)


def test_lock_files_are_not_edits(preview):
    assert not vista_module.watched(Path("~$libro.xlsx")) and not vista_module.watched(Path(".~lock.libro.xlsx#"))
    assert not vista_module.watched(Path("introduccion.md~")) and vista_module.watched(Path("resultados.csv"))


def test_invalid_data_are_shown_above_the_last_good_report_until_fixed(preview):
    try:
        cell("resultados.csv", 4, "valor", "doce")(preview.data)
        page = served(preview.url, lambda page: "valor «doce»" in page)
        assert "resultados.csv, línea 4, columna «valor»" in page
        assert page.index('class="vista-aviso"') < page.index('id="seccion-1"'), "above the last good report"
    finally:
        cell("resultados.csv", 4, "valor", "40.5")(preview.data)
    served(preview.url, lambda page: "valor «doce»" not in page and 'class="vista-aviso"' not in page)


def test_a_hostile_value_in_the_problems_is_shown_as_text(preview):
    """The problems quote the values as written: a payload among them stays text, the page's only script is the
    preview's own (by its nonce)."""
    payload = '<script>alert(1)</script><img src=x onerror=alert(1)>'
    try:
        cell("resultados.csv", 4, "valor", payload)(preview.data)
        page = served(preview.url, lambda page: "&lt;script&gt;alert(1)&lt;/script&gt;" in page)
        assert payload not in page and "<img src=x" not in page
        assert re.findall(r"<script\b[^>]*>", page) == [f'<script nonce="{preview.vista.nonce}">']
    finally:
        cell("resultados.csv", 4, "valor", "40.5")(preview.data)
    served(preview.url, lambda page: 'class="vista-aviso"' not in page)


def test_a_failing_notebook_is_shown_in_the_page_and_the_preview_goes_on(preview):
    path = preview.notebooks / "09_glosario.ipynb"
    original = path.read_text(encoding="utf-8")
    notebook = json.loads(original)
    notebook["cells"].append({"cell_type": "code", "execution_count": None, "id": "rota", "metadata": {},
                              "outputs": [], "source": ['raise ValueError("glosario roto a propósito")']})
    try:
        path.write_text(json.dumps(notebook), encoding="utf-8")
        page = served(preview.url, lambda page: "glosario roto a propósito" in page)
        assert "IX. Glosario" in page  # the notebook, named as the report names it
    finally:
        path.write_text(original, encoding="utf-8")
    served(preview.url, lambda page: "glosario roto a propósito" not in page)


def test_closing_leaves_no_process(preview):
    """Last in this module: the fixture's teardown stops the workers; here, the same with a second preview."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    other = vista_module.Vista(2023, preview.data, work=preview.data.parent / "otra", progress=lambda line: None)
    other.start_workers()
    other.rebuild()
    started = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert started, "workers and kernels were started"
    other.close()
    time.sleep(1)
    assert not [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_ctrl_c_stops_the_command_and_everything_it_started(tmp_path):
    data = tmp_path / "datos"
    shutil.copytree(config.DATA_DIR, data)
    log = tmp_path / "vista.log"
    with open(log, "w", encoding="utf-8") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "informe", "vista", "--year", "2023", "--data", str(data),
                                 "--port", "0"], cwd=config.ROOT, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + LIMIT
    while not re.search(r"http://127\.0\.0\.1:\d+/", log.read_text(encoding="utf-8")):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.1)
    url = re.search(r"http://127\.0\.0\.1:\d+/", log.read_text(encoding="utf-8")).group(0)
    assert "Informe Anual de Resultados 2023" in get(url)
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    time.sleep(1)
    assert not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_an_edit_of_the_workbook_shows(tmp_path):
    """With --data libro.xlsx: a figure typed in the workbook and saved, as a spreadsheet program saves it."""
    import openpyxl

    from informe.datos.plantilla import write_template

    book = tmp_path / "libro.xlsx"
    write_template(book, config.DATA_DIR)
    preview = vista_module.Vista(2023, book, work=tmp_path / "trabajo", workers=1, progress=lambda line: None)
    httpd = vista_module.server(preview, 0)
    try:
        preview.start_workers()
        preview.rebuild()
        threads = [threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
                   threading.Thread(target=preview.watch, daemon=True)]
        for thread in threads:
            thread.start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        assert "Informe Anual de Resultados 2023" in get(url)
        workbook = openpyxl.load_workbook(book)
        sheet = workbook["resultados"]
        sheet["C3"] = 61.5
        sheet["C3"].number_format = "0.00"
        workbook.save(book)
        served(url, lambda page: ">61.50%<" in page)
        (tmp_path / "~$libro.xlsx").write_bytes(b"lock")  # Excel's lock file: not an edit (nothing breaks)
        assert ">61.50%<" in get(url)
    finally:
        httpd.shutdown()
        httpd.server_close()
        preview.close()
