"""`sucai serve --workers N`: N server processes, each listening on a socket of its own on the same port.

Why not uvicorn's own workers: they share one listening socket, and whichever process wakes first accepts.
Clients (and reverse proxies) keep their connections open, so the split made in the first moments stays for
good: measured with 20 keep-alive clients, all 20 connections went to one of two workers, which did all the
work while the other waited (a node with two workers answered no faster than one). With SO_REUSEPORT every
worker has its own listening socket and the kernel spreads new connections across them evenly by address.

Where the platform has no SO_REUSEPORT, uvicorn's shared socket is used as before.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger("sucai.workers")
RESTART_PAUSE_S = 1.0  # a worker that died is started again after this (not in a tight loop)
STOP_WAIT_S = 30.0  # a worker finishing its requests on shutdown is given this long


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other workers may bind too (the kernel shares connections among them)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def run_worker(host: str, port: int) -> None:
    """One worker process: its own socket on the shared port, uvicorn over the app of web/worker.py."""
    import uvicorn

    config = uvicorn.Config("sucai.web.worker:create", factory=True, host=host, port=port, log_level="info")
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


class Supervisor:
    """Starts the workers, starts again one that dies, and stops them all on SIGINT or SIGTERM."""

    def __init__(self, host: str, port: int, workers: int) -> None:
        self.host, self.port, self.count = host, port, workers
        self.context = multiprocessing.get_context("spawn")  # a fresh interpreter: no state copied from here
        self.processes: list[BaseProcess] = []
        self.stopping = False

    def run(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        self.processes = [self._start() for _ in range(self.count)]
        log.info("started %d workers on %s:%d (one listening socket each)", self.count, self.host, self.port)
        while not self.stopping:
            time.sleep(0.5)
            self._restart_dead()
        self._join_all()

    def _start(self) -> BaseProcess:
        process = self.context.Process(target=run_worker, args=(self.host, self.port), name="sucai-worker")
        process.start()
        return process

    def _restart_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if not process.is_alive() and not self.stopping:
                log.warning("worker %s exited (%s); starting another", process.pid, process.exitcode)
                time.sleep(RESTART_PAUSE_S)
                self.processes[i] = self._start()

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        for process in self.processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # uvicorn finishes the requests under way, then exits

    def _join_all(self) -> None:
        deadline = time.monotonic() + STOP_WAIT_S
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
