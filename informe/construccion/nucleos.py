"""Kernel reuse: each worker process keeps its Jupyter kernel between notebooks.

Starting a kernel and importing pandas, matplotlib and the package costs ≈2 s, more than most
notebooks take to run. A worker keeps its kernel for its next notebook and resets it first (IPython's
``reset(new_session=True)``: empty namespace and history, ``In [1]`` again; the imported modules stay):
the executed notebooks are the same as with a new kernel each (same outputs, same ``In [n]``). A kernel
is reused only with the same kernel name, working directory, arguments and environment (:func:`key`),
and never after a failed notebook (:func:`discard`).

Kernels talk over IPC sockets in a private temporary directory, not TCP ports: two kernels starting at
once never collide, and nothing listens on the network.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass

#: Run silently in a kernel before it is first used: the imports every notebook's import cell
#: makes, so that cell costs nothing (a kernel start plus these imports is ≈2 s per notebook).
#: And, in these build kernels only, no PNG of the report's charts: the inline backend would
#: draw each one a third time for a PNG that the report never uses (it shows the SVGs).
WARM_UP = """
import informe.reporte.secciones, informe.reporte.graficas
get_ipython().display_formatter.formatters["image/png"].for_type(informe.reporte.graficas.Grafica, lambda figure: None)
"""


#: Run silently before each notebook in a kernel that already ran one: an empty namespace,
#: empty history and ``In [1]`` again, exactly as in a new kernel (imported modules stay loaded).
RESET = "get_ipython().reset(new_session=True)"


@dataclass
class Kernel:
    """An idle kernel of this worker process, kept between notebooks (see :func:`execute_job`)."""

    key: tuple
    manager: object  # jupyter_client.AsyncKernelManager
    sockets: str
    used: bool = False  # it has run a notebook: reset it before the next one


@functools.cache
def _manager_class():
    """``AsyncKernelManager`` that remembers the clients it hands out: nbclient opens one per
    notebook and, in a kernel it was given, leaves its channels open; :func:`close_clients`
    closes them once the notebook has run."""
    from jupyter_client import AsyncKernelManager

    class Manager(AsyncKernelManager):
        def client(self, **kwargs):
            client = super().client(**kwargs)
            self.__dict__.setdefault("informe_clients", []).append(client)
            return client

    return Manager


def close_clients(manager) -> None:
    for client in manager.__dict__.pop("informe_clients", []):
        with contextlib.suppress(Exception):
            client.stop_channels()


_idle: list[Kernel] = []


_idle_lock = threading.Lock()


def key(kernel_name: str, cwd: str, extra_arguments: list[str]) -> tuple:
    """What a kernel was started with: it serves a later notebook only if all of it is the same."""
    return (kernel_name, cwd, tuple(extra_arguments), tuple(sorted(os.environ.items())))


async def _run_silently(manager, code: str) -> bool:
    """Run ``code`` in the kernel without touching its history or ``In [n]``; True if it ran."""
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        reply = await client.execute_interactive(code, silent=True, store_history=False, timeout=120)
        return reply["content"]["status"] == "ok"
    except Exception:
        return False
    finally:
        close_clients(manager)


def take(key: tuple) -> tuple[Kernel, bool]:
    """An idle kernel started with ``key`` (True: it ran a notebook and must be reset, see
    :func:`reset_on_start`), or a new one, warmed up (False)."""
    from jupyter_core.utils import run_sync

    while True:
        with _idle_lock:
            kernel = next((k for k in _idle if k.key == key), None)
            if kernel is None:
                break
            _idle.remove(kernel)
        if run_sync(kernel.manager.is_alive)():
            return kernel, kernel.used
        discard(kernel)
    kernel_name, cwd, extra_arguments, _ = key
    sockets = tempfile.mkdtemp(prefix="informe-nucleo-")
    # IPC sockets (files in a private directory), not TCP ports: two kernels starting at once
    # can never pick the same port, and nothing listens on the network.
    manager = _manager_class()(kernel_name=kernel_name, transport="ipc", ip=os.path.join(sockets, "k"))
    kernel = Kernel(key, manager, sockets)
    try:
        run_sync(manager.start_kernel)(cwd=cwd, extra_arguments=list(extra_arguments))
    except BaseException:
        discard(kernel)
        raise
    run_sync(_run_silently)(manager, WARM_UP)  # if the imports fail, the notebook will say why
    return kernel, False


def reset_on_start(manager):
    """nbclient hook (``on_notebook_start``): reset the kernel through the client nbclient has just
    made ready, before the first cell. (A client of our own would cost its own wait until ready:
    jupyter_client waits for 0.2 s of silence on it, per notebook.)"""
    async def reset(notebook) -> None:
        client = manager.__dict__["informe_clients"][-1]
        reply = await client.execute_interactive(RESET, silent=True, store_history=False, timeout=60)
        if reply["content"]["status"] != "ok":
            raise RuntimeError("el núcleo no se pudo reiniciar para el siguiente cuaderno")
    return reset


def discard(kernel: Kernel) -> None:
    from jupyter_core.utils import run_sync

    close_clients(kernel.manager)
    with contextlib.suppress(Exception):
        if kernel.manager.has_kernel:
            run_sync(kernel.manager.shutdown_kernel)(now=True)
    shutil.rmtree(kernel.sockets, ignore_errors=True)


@atexit.register
def discard_idle() -> None:
    while _idle:
        discard(_idle.pop())


def give_back(kernel: Kernel) -> None:
    """``kernel`` ran its notebook well: it waits, idle, for this process's next notebook."""
    with _idle_lock:
        _idle.append(kernel)


def idle() -> int:
    """How many kernels this process keeps idle."""
    with _idle_lock:
        return len(_idle)
