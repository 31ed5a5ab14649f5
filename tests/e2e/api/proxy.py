"""A TCP proxy on loopback that a test can cut, black-hole and restore, to take the database away.

Three states:

- open: every byte is forwarded both ways;
- refused (`stop()`): nothing listens, every open connection is cut (a database that is down);
- black hole (`black_hole()`): connections are accepted and every byte, on them and on the
  connections already open, is read and dropped: nothing ever answers (a host gone from the
  network, a firewall that drops, a database frozen).

`start()` opens it again; connections that were black-holed are cut then (their streams lost
bytes, as a host that came back after a reboot resets them).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import psycopg


class Proxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._holing = threading.Event()

    @property
    def black_holed(self) -> bool:
        return self._holing.is_set()

    def start(self) -> None:
        """Forward again (after `stop()` or `black_hole()`)."""
        if self._holing.is_set():
            self._holing.clear()
            self._cut_all()
        if self._listener is not None:
            return
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one, as a database going away would."""
        if self._listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone would not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        self._holing.clear()
        self._cut_all()

    def black_hole(self) -> None:
        """Accept connections, answer nothing on any of them, old or new."""
        if self._listener is None:
            self.start()
        self._holing.set()

    def _cut_all(self) -> None:
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._listener is not listener:
                client.close()
                return
            if self._holing.is_set():
                with self._lock:
                    self._open.append(client)
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _swallow(source: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while source.recv(65536):
                pass

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self._holing.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def proxied_schema(postgres_url: str) -> Iterator[tuple[Proxy, str, str]]:
    """A fresh schema, and URLs to it: through a started proxy, and direct. Dropped after."""
    target = urlparse(postgres_url)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    user = f"{target.username}@" if target.username else ""
    through = f"postgresql://{user}127.0.0.1:{proxy.port}{target.path}?schema={schema}"
    try:
        yield proxy, through, f"{postgres_url}?schema={schema}"
    finally:
        proxy.stop()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
