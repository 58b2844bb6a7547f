"""``informe vista``: the year's report served on 127.0.0.1 and rebuilt on every save (live preview).

``informe vista --year Y [--data DIR | --data libro.xlsx] [--params ARCHIVO] [--port 8000]`` = :func:`serve`.

* **Serving** (:class:`Vista`, a ``ThreadingHTTPServer`` on the loopback only; a request whose ``Host`` is not
  this server's is refused, so no web page can read the report through DNS rebinding): ``GET /`` is the
  report's HTML with the preview's bar and a small script (its Content-Security-Policy allows that script by its
  nonce, and requests to this server only) that asks ``GET /version`` and reloads the page, keeping its scroll
  position, when the report changed; ``GET /informe.pdf`` prints the PDF on demand.
* **Watching** (``watchfiles``: bursts of saves come as one change; editors' and office suites' lock and
  temporary files are ignored): the data folder (or the workbook and the narrative and parameters beside it), the
  parameters file, the notebooks and the templates and stylesheet.
* **Rebuilding** (the steps of :mod:`informe.construccion.pasos`, in the preview's own work folder, never in
  ``outputs/<año>/``): every input is validated (invalid data: the problems, worded as ``informe validar``
  words them, above the last good report); the notebooks whose inputs changed run in a pool of workers started
  once, whose kernels stay warm (the others come from the build cache, shared with ``informe construir``: the
  same fingerprints, so the preview never shows a stale notebook and a later build reuses what it ran); the
  HTML is stitched again; no PDF. A stylesheet edit only swaps the stylesheet inlined in the page. A notebook
  that fails is shown in the page (notebook and cell) and the preview goes on.
* Ctrl-C stops the server, the watcher and the workers with their kernels (exit 130).
"""

from __future__ import annotations

import datetime as _dt
import http.server
import re
import secrets
import signal
import threading
import time
from pathlib import Path
from typing import Callable

from markupsafe import Markup, escape

from informe import config
from informe.construccion import huella

#: Files that are not edits: office suites' lock files, editors' backups and swap files, hidden files.
IGNORED = re.compile(r"^(~\$|\.~lock\.|\.|#)|(~|\.swp|\.swx|\.tmp|#)$")
#: Template files that only shape the stitched page (a change restitches; the stylesheet is swapped in place).
STYLESHEET = config.TEMPLATES_DIR / "informe" / "informe.css"
PREVIEW_CSS = config.TEMPLATES_DIR / "vista" / "vista.css"
CSP_META = re.compile(r'<meta\b[^>]*\bhttp-equiv="Content-Security-Policy"[^>]*>')
CONTENT = re.compile(r'\bcontent="[^"]*"')
BODY = re.compile(r"<body[^>]*>")


def watched(path: Path) -> bool:
    """Whether a changed file counts as an edit (see :data:`IGNORED`)."""
    return not IGNORED.search(Path(path).name)


class Vista:
    """The preview of one year's report: its current page, how it is rebuilt, what it serves."""

    def __init__(self, year: int, data_dir: Path | str | None = None, params_path: Path | str | None = None, *,
                 workers: int = 2, work: Path | None = None, progress: Callable[[str], None] | None = None):
        from informe.construccion.cache import NotebookCache

        self.year = int(year)
        self.data_dir = (Path(data_dir) if data_dir else config.DATA_DIR).absolute()  # as watchfiles names files
        self.params_path = Path(params_path) if params_path else config.params_file(self.year, self.data_dir)
        name = self.data_dir.stem if config.is_book(self.data_dir) else self.data_dir.resolve().name
        self.work = Path(work) if work else config.OUTPUTS_DIR / ".vista" / f"{name}-{self.year}"
        self.workers = workers
        self.progress = progress or (lambda line: print(line, flush=True))
        self.cache = NotebookCache(config.CACHE_DIR)
        self.nonce = secrets.token_hex(16)
        self.lock = threading.Lock()
        self.version = 0
        self.report = ""  # the last good stitched HTML (no preview bar)
        self.problems: list[str] = []
        self.error = ""
        self.page = b""
        self.jobs: list = []
        self.title = ""
        self.css = ""  # the stylesheet inlined in :attr:`report`
        self.pool = None
        self.stop = threading.Event()

    # --- building

    def start_workers(self) -> None:
        from informe.construccion.ejecucion import start_pool

        self.pool = start_pool(self.workers)

    def rebuild(self, changed: set[Path] | None = None) -> None:
        """Bring the page up to date with the inputs (``changed``: the files that changed, if known)."""
        started = time.perf_counter()
        if changed and self.report and all(Path(p).resolve() == STYLESHEET.resolve() for p in changed):
            self._swap_stylesheet()
        elif changed and self.report and all(Path(p).resolve() == PREVIEW_CSS.resolve() for p in changed):
            pass  # only the preview's own bar changed: composed again below
        else:
            self._build()
        self._compose()
        self.progress(f"Vista actualizada (versión {self.version}) en {time.perf_counter() - started:.2f} s"
                      + (f": {len(self.problems)} problema(s) en los datos" if self.problems else "")
                      + (": falló un cuaderno" if self.error else ""))

    def _build(self) -> None:
        from informe.construccion import pasos
        from informe.construccion.ejecucion import NotebookError, run_notebooks
        from informe.construccion.html import stitch_html
        from informe.datos.entradas import year_inputs

        params = self.params_path if self.params_path and self.params_path.is_file() else None
        inputs = year_inputs(self.data_dir, self.year, params, params_required=False)
        if inputs.problems:
            self.problems, self.error = [str(p) for p in inputs.problems], ""
            return
        self.problems = []
        notebook_key = huella.notebook_inputs(self.data_dir, params, self.year)
        stage = self.work / "informe"
        report = pasos.Report(self.data_dir, self.year, params, self.work, stage, ("html",))
        try:
            prepared = pasos.prepare(report, inputs.dataset, inputs.params, notebook_key, self.cache)
            to_run = [prepared.jobs[i] for i in prepared.to_run]
            if to_run:
                if self.pool is None:
                    self.start_workers()
                run_notebooks(to_run, workers=self.workers, pool=self.pool, progress=lambda line: None,
                              when_done=self.cache.store)
            html = stitch_html([job.output for job in prepared.jobs], stage / f"informe_{self.year}.html",
                               title=prepared.title)
        except NotebookError as err:
            self.error = str(err)
            return
        self.error, self.jobs, self.title = "", prepared.jobs, prepared.title
        self.report = html.read_text(encoding="utf-8")
        self.css = STYLESHEET.read_text(encoding="utf-8")

    def _swap_stylesheet(self) -> None:
        """A stylesheet edit: the page inlines the stylesheet; its old text is swapped for the new one (if it is
        not found verbatim, the page is stitched again)."""
        from informe.construccion.html import stitch_html

        css = STYLESHEET.read_text(encoding="utf-8")
        if self.css and self.css in self.report:
            self.report = self.report.replace(self.css, css, 1)
        elif self.jobs:
            html = stitch_html([job.output for job in self.jobs], self.work / "informe" / f"informe_{self.year}.html",
                               title=self.title)
            self.report = html.read_text(encoding="utf-8")
        self.css = css

    def _compose(self) -> None:
        """The page served: the last good report with the preview's bar (and what to fix) and its script."""
        from informe.reporte.presentacion import CONTENT_SECURITY_POLICY, render

        with self.lock:
            self.version += 1
            bar = render("vista.html.j2", css=Markup(PREVIEW_CSS.read_text(encoding="utf-8")), nonce=self.nonce,
                         version=self.version, hora=_dt.datetime.now().strftime("%H:%M:%S"),
                         problemas=self.problems, error=self.error)
            report = self.report or render("vista_vacia.html.j2", csp=CONTENT_SECURITY_POLICY)
            policy = (f"{CONTENT_SECURITY_POLICY}; script-src 'nonce-{self.nonce}'; connect-src 'self'")
            report = CSP_META.sub(lambda m: CONTENT.sub(lambda _: f'content="{escape(policy)}"', m.group(0), count=1),
                                  report, count=1)
            match = BODY.search(report)
            at = match.end() if match else 0
            self.page = (report[:at] + "\n" + bar + report[at:]).encode("utf-8")

    # --- watching

    def watch_paths(self) -> list[Path]:
        data = config.data_folder(self.data_dir)
        paths = [data, config.NOTEBOOKS_DIR, config.TEMPLATES_DIR]
        if self.params_path and self.params_path.is_file():
            paths.append(self.params_path)
        return [p for p in dict.fromkeys(paths) if p.exists()]

    def watch(self) -> None:
        """Rebuild on every change (run in a thread until :attr:`stop` is set)."""
        import watchfiles

        book = config.is_book(self.data_dir)
        folder = config.data_folder(self.data_dir)

        def relevant(change, path: str) -> bool:
            path = Path(path)
            if not watched(path):
                return False
            if book and path.parent == folder and path != self.data_dir:
                return False  # beside a workbook only the workbook, the narrative and the parameters count
            return True

        for changes in watchfiles.watch(*self.watch_paths(), watch_filter=relevant, stop_event=self.stop,
                                        debounce=200, step=25, yield_on_timeout=False, raise_interrupt=False):
            try:
                self.rebuild({Path(path) for _, path in changes})
            except Exception as exc:  # noqa: BLE001 — the preview goes on; the page says what happened
                self.error = f"{type(exc).__name__}: {exc}"
                self._compose()

    # --- the PDF on demand

    def pdf(self) -> bytes:
        from informe.construccion.pdf import html_to_pdf

        html = self.work / "informe" / f"informe_{self.year}.html"
        out = self.work / f"informe_{self.year}.pdf"
        html_to_pdf(html, out)
        return out.read_bytes()

    def close(self) -> None:
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class _Handler(http.server.BaseHTTPRequestHandler):
    vista: Vista
    hosts: set[str]

    def log_message(self, format, *args):  # noqa: A002 — quiet: the terminal shows the rebuilds
        return

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        if self.headers.get("Host", "") not in self.hosts:
            self._send(403, "Solo en esta máquina.".encode(), "text/plain; charset=utf-8")
            return
        path = self.path.split("?")[0]
        if path == "/":
            with self.vista.lock:
                page = self.vista.page
            self._send(200, page, "text/html; charset=utf-8")
        elif path == "/version":
            self._send(200, str(self.vista.version).encode(), "text/plain; charset=utf-8")
        elif path == "/informe.pdf":
            try:
                self._send(200, self.vista.pdf(), "application/pdf")
            except Exception as exc:  # noqa: BLE001
                self._send(500, f"No se pudo imprimir el PDF: {exc}".encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, "No existe.".encode(), "text/plain; charset=utf-8")


def server(vista: Vista, port: int = 8000, tries: int = 20) -> http.server.ThreadingHTTPServer:
    """An HTTP server of ``vista`` on 127.0.0.1: ``port``, or the next free one (``port`` 0: any free one)."""
    from informe.problemas import InformeError

    last = None
    for candidate in ([0] if port == 0 else range(port, port + tries)):
        handler = type("Handler", (_Handler,), {"vista": vista})
        try:
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", candidate), handler)
        except OSError as exc:
            last = exc
            continue
        bound = httpd.server_address[1]
        handler.hosts = {f"127.0.0.1:{bound}", f"localhost:{bound}"}
        httpd.daemon_threads = True
        return httpd
    raise InformeError(f"Los puertos {port} a {port + tries - 1} de 127.0.0.1 están ocupados ({last}); indique otro "
                       "con --port.")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(year: int, data_dir=None, params_path=None, *, port: int = 8000, workers: int = 2,
          ready: Callable[[str], None] | None = None) -> None:
    """``informe vista``: build, serve and watch until Ctrl-C (``KeyboardInterrupt`` is left to the caller)."""
    vista = Vista(year, data_dir, params_path, workers=workers)
    httpd = server(vista, port)
    if threading.current_thread() is threading.main_thread():  # a polite kill stops it as Ctrl-C does
        signal.signal(signal.SIGTERM, _interrupt)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        vista.progress(f"Vista previa del informe {year}: construyendo…")
        vista.start_workers()
        vista.rebuild()
        watcher = threading.Thread(target=vista.watch, name="vista-observador", daemon=True)
        watcher.start()
        vista.progress(f"Vista previa en {url} — se actualiza al guardar datos, parámetros, cuadernos o plantillas "
                       "(Ctrl-C para terminar).")
        if ready:
            ready(url)
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
        vista.close()


__all__ = ["Vista", "serve", "server", "watched"]
