"""Headless Chromium over the DevTools protocol on a pipe: what :func:`informe.construccion.pdf.html_to_pdf`
needs to print the report (open a local file offline, run a script in it, print it to PDF).

This is the transport Puppeteer and Playwright use underneath (``--remote-debugging-pipe``): JSON
messages separated by NUL bytes, written to the browser's file descriptor 3 and read from its
descriptor 4. Talking to it directly, with the standard library only, spares a Node.js driver
process per print (≈ 0.7 s of the ≈ 3 s a print takes) and a 100 MB dependency. The protocol
methods used are stable parts of it: ``Fetch.enable`` (on the browser: every request of every tab and
frame is paused, and only the document being printed may load; nothing else, no other local file, no
network), ``Target.attachToTarget``, ``Page.navigate``,
``Network.emulateNetworkConditions``, ``Emulation.setEmulatedMedia``, ``Runtime.evaluate``,
``Page.printToPDF`` and ``Browser.close``.

    with Chromium(executable) as browser:
        page = browser.open(Path("informe.html"))
        page.evaluate(script, argument)
        pdf_bytes = page.print_pdf(preferCSSPageSize=True)
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote

from informe.problemas import InformeError

__all__ = ["Chromium", "ChromiumError"]

#: Seconds to wait for any one answer of the browser before giving up (a print of the 2023 report
#: takes about one second).
TIMEOUT = 180

#: Command-line switches: headless, no sandbox (it cannot start as root otherwise; the browser only
#: ever opens our own report, offline), no zygote (its renderers would be double-forked away from the
#: process tree: they would outlive a killed build, and their CPU and memory would escape measurement),
#: no first-run or background work.
SWITCHES = (
    "--headless", "--no-sandbox", "--no-zygote", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
)


#: What the user can do when the browser fails (appended to the messages about it).
HINT = (" Compruebe que Chromium funciona en esta máquina (chromium --headless --no-sandbox --dump-dom "
        "about:blank) o construya solo el HTML con --format html.")


class ChromiumError(InformeError):
    """The browser could not do what was asked (the message says what, in Spanish, and what to do)."""


class Page:
    """One tab of the browser (a protocol session)."""

    def __init__(self, browser: Chromium, session: str):
        self._browser, self._session = browser, session

    def call(self, method: str, **params):
        return self._browser.call(method, session=self._session, **params)

    def evaluate(self, function: str, argument=None):
        """``function`` (the source of a JavaScript function expression) called with ``argument`` (JSON);
        returns its result (JSON)."""
        reply = self.call("Runtime.evaluate", expression=f"({function})({json.dumps(argument)})",
                          returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            raise ChromiumError(f"el guion de impresión falló en Chromium: {text.splitlines()[0]}")
        return reply["result"].get("value")

    def print_pdf(self, **options) -> bytes:
        """``Page.printToPDF`` with ``options`` (the protocol's names); the PDF's bytes."""
        return base64.b64decode(self.call("Page.printToPDF", **options)["data"])


class Chromium:
    """A headless Chromium process, driven over the pipe; a context manager that always ends it."""

    def __init__(self, executable: str):
        self._dir = tempfile.TemporaryDirectory(prefix="informe-chromium-")
        profile = Path(self._dir.name)
        # The browser's ends of the pipes, at descriptors ≥ 10 (never 3 or 4, where they must end up).
        read_end, self._to_browser = os.pipe()
        self._from_browser, write_end = os.pipe()
        to_browser, from_browser = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (read_end, write_end))
        os.close(read_end)
        os.close(write_end)
        self._log = open(profile / "stderr.log", "w+b")
        try:
            # The browser expects the pipe on descriptors 3 and 4: bash puts it there (a preexec_fn
            # would do it too, but is unsafe in a threaded process such as a Dask worker).
            self._process = subprocess.Popen(
                ["bash", "-c", f'exec "$@" 3<&{to_browser} 4>&{from_browser}', "chromium", executable,
                 *SWITCHES, f"--user-data-dir={profile / 'perfil'}", "about:blank"],
                pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._log)
        except BaseException:
            for fd in (self._to_browser, self._from_browser):
                os.close(fd)
            self._log.close()
            self._dir.cleanup()
            raise
        finally:
            os.close(to_browser)
            os.close(from_browser)
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self._allowed: set[str] = set()  # the URLs the browser may load: the document being printed
        try:
            self.call("Fetch.enable", patterns=[{"urlPattern": "*"}])
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ protocol

    def _receive(self) -> dict:
        """The next message from the browser."""
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], TIMEOUT)
            chunk = os.read(self._from_browser, 1 << 20) if ready else None
            if chunk is None:
                raise ChromiumError(f"Chromium no respondió en {TIMEOUT} s." + HINT)
            if not chunk:
                raise self._ended()
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(message)
        if message.get("method") == "Fetch.requestPaused":
            self._answer_request(message)
            return {}
        return message

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        number = self._send(method, session, **params)
        while True:
            reply = self._receive()
            if reply.get("id") == number:
                if "error" in reply:
                    raise ChromiumError(f"Chromium rechazó {method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _send(self, method: str, session: str | None = None, **params) -> int:
        """Write one command; its id."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        except BrokenPipeError:
            raise self._ended() from None
        return self._next_id

    def _answer_request(self, event: dict) -> None:
        """Every request the browser makes is paused (``Fetch.enable`` on the browser, so every tab and
        frame): the document being printed goes on, anything else (another local file, the network) is
        refused. The answer is not awaited (its reply is dropped, as any reply nobody waits for)."""
        params, session = event["params"], event.get("sessionId")
        url = unquote(params["request"]["url"].split("#", 1)[0])
        if url in self._allowed:
            self._send("Fetch.continueRequest", session, requestId=params["requestId"])
        else:
            self._send("Fetch.failRequest", session, requestId=params["requestId"], errorReason="BlockedByClient")

    def wait_for(self, event: str, session: str | None = None) -> dict:
        """The first event named ``event`` (of ``session``) not yet consumed, waiting for it if need be."""
        while True:
            for i, message in enumerate(self._events):
                if message["method"] == event and message.get("sessionId") == session:
                    return self._events.pop(i)["params"]
            self._events.clear()  # nothing else is awaited: the others need not be kept
            message = self._receive()
            if "method" in message:
                self._events.append(message)

    # ------------------------------------------------------------------ pages

    def open(self, path: Path, *, media: str = "print") -> Page:
        """Open the local file ``path`` in the browser's tab, offline, with the CSS ``media`` emulated;
        returns once it has loaded."""
        target = next(t["targetId"] for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        page = Page(self, self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"])
        page.call("Network.enable")
        page.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                  uploadThroughput=-1)
        page.call("Emulation.setEmulatedMedia", media=media)
        page.call("Page.enable")
        url = Path(path).resolve().as_uri()
        self._allowed = {unquote(url)}
        reply = page.call("Page.navigate", url=url)
        if reply.get("errorText"):
            if not Path(path).is_file():
                raise FileNotFoundError(path)
            raise ChromiumError(f"Chromium no pudo abrir el informe HTML: {reply['errorText']}")
        self.wait_for("Page.loadEventFired", page._session)
        return page

    # ------------------------------------------------------------------ life

    def _ended(self) -> ChromiumError:
        """The error for a browser that is gone, with the last line it wrote (not its D-Bus chatter)."""
        self._log.seek(0)
        lines = [line for line in self._log.read().decode("utf-8", "replace").splitlines()
                 if line.strip() and "dbus" not in line.lower()]
        return ChromiumError("Chromium terminó inesperadamente" + (": " + lines[-1].strip() if lines else "")
                             + "." + HINT)

    def close(self) -> None:
        """End the browser (politely, then for sure) and remove its profile."""
        try:
            if self._process.poll() is None:
                try:
                    self.call("Browser.close")
                except ChromiumError:
                    pass
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                os.close(fd)
            self._log.close()
            self._dir.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
