"""Real processes for tests: the case service and a throw-away PostgreSQL cluster.

Plain functions (no pytest here) so that fixtures in any test package, and
ad-hoc scripts, can start the same things:

* :func:`start_case_service` runs ``python -m case_service`` on a free port
  and waits until ``discovery.json`` answers;
* :func:`start_postgres_cluster` installs the Debian ``postgresql`` package
  if needed, runs ``initdb`` (as the ``postgres`` user when we are root) into
  a temporary directory and starts it on 127.0.0.1 with ``pg_ctl``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Optional, Sequence

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEFAULT_API_KEY = "test-api-key"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def sqlite_url(path: Path) -> str:
    """Async SQLAlchemy URL of a SQLite file."""
    return f"sqlite+aiosqlite:///{Path(path).resolve().as_posix()}"


# --------------------------------------------------------------------------- case service


@dataclass
class CaseService:
    """A running ``python -m case_service`` process."""

    url: str
    """Base URL of the Open311 endpoint, ``http://127.0.0.1:PORT/open311/v2``."""
    api_key: Optional[str]
    database_url: str
    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> Optional[int]:
        return terminate(self.process, timeout)


def terminate(process: subprocess.Popen, timeout: float = 15.0) -> Optional[int]:
    """SIGTERM (graceful shutdown), then SIGKILL if it does not exit within ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return process.returncode


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_serving(process: subprocess.Popen, probe_url: str, log_path: Path, name: str, timeout: float = 60.0) -> None:
    """Block until ``probe_url`` answers 200; kill the process and raise with its log tail if it dies
    or does not come up in ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{_tail(log_path)}")
        if _http_ok(probe_url):
            return
        time.sleep(0.2)
    process.kill()
    process.wait(5)
    raise RuntimeError(f"{name} did not start within {timeout:.0f} s:\n{_tail(log_path)}")


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def case_service_env(
    database_url: str, api_keys: Sequence[str], extra: Optional[Mapping[str, str]] = None
) -> dict[str, str]:
    """Environment for a case service process (no inherited CASE_SERVICE_* settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASE_SERVICE_")}
    env["CASE_SERVICE_API_KEYS"] = ",".join(api_keys)
    env["CASE_SERVICE_DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def start_case_service(
    database_url: str,
    *,
    api_keys: Sequence[str] = (DEFAULT_API_KEY,),
    port: Optional[int] = None,
    log_path: Optional[Path] = None,
    extra_env: Optional[Mapping[str, str]] = None,
    args: Sequence[str] = (),
    startup_timeout: float = 60.0,
) -> CaseService:
    """Start ``python -m case_service`` and wait until it serves requests.

    ``database_url`` is passed as ``--database-url``, unless ``extra_env`` sets
    ``CASE_SERVICE_DATABASE_URL`` (to test that variable). Raises
    ``RuntimeError`` with the log tail if the process dies or does not come up.
    """
    port = port or free_port()
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="case_service-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    env = case_service_env(database_url, api_keys, extra_env)
    command = [PYTHON, "-m", "case_service", "--host", "127.0.0.1", "--port", str(port)]
    if "--database-url" not in args and not (extra_env and "CASE_SERVICE_DATABASE_URL" in extra_env):
        command += ["--database-url", database_url]
    command += list(args)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    service = CaseService(
        url=f"http://127.0.0.1:{port}/open311/v2",
        api_key=api_keys[0] if api_keys else None,
        database_url=database_url,
        port=port,
        process=process,
        log_path=log_path,
        env=env,
    )
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"case service exited with {process.returncode}:\n{service.log_text()[-4000:]}")
        if _http_ok(f"{service.url}/discovery.json"):
            return service
        time.sleep(0.1)
    service.stop()
    raise RuntimeError(f"case service did not start within {startup_timeout}s:\n{service.log_text()[-4000:]}")


@contextmanager
def running_case_service(database_url: str, **options: object) -> Iterator[CaseService]:
    """Context manager around :func:`start_case_service`; stops it at exit."""
    service = start_case_service(database_url, **options)  # type: ignore[arg-type]
    try:
        yield service
    finally:
        service.stop()


# --------------------------------------------------------------------------- PostgreSQL


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be installed or started here (the reason is the message)."""


def find_postgres_bin() -> Optional[Path]:
    """The directory with ``initdb``/``pg_ctl`` (Debian keeps them out of PATH)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                        if p.parent.name.isdigit() else 0, reverse=True)
    for directory in candidates:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


def ensure_postgres_installed(timeout: float = 900.0) -> Path:
    """The PostgreSQL bin directory, installing the Debian package if missing."""
    found = find_postgres_bin()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PostgresUnavailable("PostgreSQL is not installed and apt-get is not usable (not root?)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=600", "postgresql"]
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PostgresUnavailable(f"apt-get install postgresql failed: {error}") from error
    if result.returncode != 0:
        raise PostgresUnavailable(f"apt-get install postgresql failed: {result.stderr[-2000:]}")
    found = find_postgres_bin()
    if not found:
        raise PostgresUnavailable("postgresql installed but initdb/pg_ctl not found")
    return found


@dataclass
class PostgresCluster:
    """A running throw-away cluster (trust authentication, user ``postgres``)."""

    bin_dir: Path
    base_dir: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"
    run_as: Optional[str] = None

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "-h", self.host, "-p", str(self.port), "-U", self.user,
             "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def create_database(self, name: str) -> str:
        """Create database ``name``; returns its asyncpg URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60, user=self.run_as,
            cwd=self.base_dir if self.base_dir.exists() else None,
        )
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres_cluster(startup_timeout: int = 60) -> PostgresCluster:
    """initdb + pg_ctl start on a free port; raises ``PostgresUnavailable``."""
    bin_dir = ensure_postgres_installed()
    run_as: Optional[str] = None
    base_dir = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root
        run_as = "postgres"
        try:
            shutil.chown(base_dir, user=run_as, group=None)
        except (LookupError, OSError) as error:
            shutil.rmtree(base_dir, ignore_errors=True)
            raise PostgresUnavailable(f"cannot hand {base_dir} to user postgres: {error}") from error
    data_dir = base_dir / "data"
    port = free_port()
    cluster = PostgresCluster(bin_dir=bin_dir, base_dir=base_dir, port=port, run_as=run_as)

    def run(command: list[str], timeout: int) -> None:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, user=run_as,
                                cwd=base_dir)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{Path(command[0]).name} failed: {result.stdout[-1500:]}{result.stderr[-1500:]}")

    try:
        run([str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale", "--no-sync"], timeout=120)
        options = (f"-h 127.0.0.1 -p {port} -k {base_dir} -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off -c max_connections=100")
        run([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(base_dir / "server.log"),
             "-o", options, "-w", "-t", str(startup_timeout), "start"], timeout=startup_timeout + 30)
    except (OSError, subprocess.TimeoutExpired, PostgresUnavailable) as error:
        cluster.stop()
        if isinstance(error, PostgresUnavailable):
            raise
        raise PostgresUnavailable(f"cannot start PostgreSQL: {error}") from error
    return cluster
