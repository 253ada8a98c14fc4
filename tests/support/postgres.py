"""A PostgreSQL server of a test's own, from pgserver's binaries, that the test may stop,
restart or kill: fault tests never touch the machine's server or the suite's shared one."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR")  # platformdirs' fallback is fine
    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

SYSTEM_USER = "pgserver"
"""PostgreSQL refuses to run as root; pgserver runs it as this user, and so do we."""


@contextlib.contextmanager
def own_folder() -> Iterator[Path]:
    """A folder of a test's own, outside pytest's temporary root: any pytest run as root on
    the machine (another session's too) resets /tmp/pytest-of-root to 0700 and prunes old
    runs' folders, even while a test uses one; PostgreSQL, which runs as another user when we
    are root, must be able to reach its data too."""
    with tempfile.TemporaryDirectory(prefix="bridgework-test-") as folder:
        Path(folder).chmod(0o755)
        yield Path(folder)


def with_database(url: str, database: str) -> str:
    """The same server, another database (works for socket DSNs with `?host=` too)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """One server in a folder of its own, listening on 127.0.0.1 on a port of its own (no
    socket file).

    The folder is made outside pytest's temporary root: any pytest run as root (another
    session's too) resets /tmp/pytest-of-root to 0700, and the server, which runs as the
    `pgserver` user, would be locked out of its own data. `close()` removes it.
    """

    def __init__(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="bridgework-pg-"))
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = free_port()
        self._user: str | None = None
        if os.geteuid() == 0:
            ensure_user_exists(SYSTEM_USER)
            self._user = SYSTEM_USER
        self.data.mkdir()
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            ensure_prefix_permissions(self.data)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o555)
            os.chown(self.data, entry.pw_uid, entry.pw_gid)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "utf8")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str = "bridgework") -> str:
        """An empty database on the running server (a name of ours, never input); its URL."""
        self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-c",
            f'CREATE DATABASE "{name}"',
        )
        return self.url(name)

    def _run(self, exe: str, *args: str) -> None:
        subprocess.run(  # noqa: S603 - pgserver's own binaries
            [str(POSTGRES_BIN_PATH / exe), *args],
            check=True,
            capture_output=True,
            user=self._user,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k ''"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (clients see their connections drop); `immediate` is
        a crash from the clients' side."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster, as an OOM killer would; `start()` recovers from the WAL."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        # The postmaster's children notice it is gone and exit; wait until the port is free.
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
