"""Run a command the way a person starts it from a shell: in its own process group, with
everything it prints kept, waiting (on its output, never on a clock) until it is ready, and
stopped with its children at the end. The smoke suite starts `make run`, gunicorn and the
commands around them with this; another long-running process is one more `Process`."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"

# Variables the app reads (README "Configuration") and make's own: a person's shell has none
# of them unless they set them, so a smoke process starts without whatever the test run has.
APP_VARIABLES = (
    "DATABASE_URL", "SECRET_KEY", "SITE_URL", "SITE_DOMAIN", "MAIL_BACKEND", "MAIL_SERVER",
    "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER", "FEED_PAST_DAYS", "FEED_CANCELLED_DAYS", "AGENDA_PAGE_SIZE",
    "DEFAULT_EVENT_TIMEZONE", "REPORT_TIMEZONE", "RATELIMIT_STORAGE_URI", "SIGNIN_RATE_LIMIT",
    "SESSION_COOKIE_SECURE", "HOST", "PORT", "FLASK_APP", "FLASK_DEBUG",
    "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES",
)


def clean_environment(**values: str) -> dict[str, str]:
    """This machine's environment without the app's settings, plus `values`."""
    env = {k: v for k, v in os.environ.items()
           if k not in APP_VARIABLES and not k.startswith(("PYTEST_", "FLASK_"))}
    env.update(values)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def checkout_copy(target: Path) -> Path:
    """The repository's layout in `target` (links to every top-level entry) with an instance/
    folder of its own, so a process started there has a fresh database and secret key."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name not in ("instance", "test-artifacts", ".pytest_cache"):
            (target / entry.name).symlink_to(entry)
    return target


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    """Run a command to its end; its output, or an AssertionError that shows it."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=timeout, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{output}"
    return output


class Process:
    """One long-running command; `output` is everything it has printed so far."""

    def __init__(self, name: str, args: list[str], *, cwd: Path, env: dict[str, str]):
        self.name, self.args, self.cwd, self.env = name, args, cwd, env
        self.popen: subprocess.Popen | None = None
        self._chunks: list[str] = []
        self._changed = threading.Condition()
        self._reader: threading.Thread | None = None

    def start(self) -> "Process":
        self.popen = subprocess.Popen(  # noqa: S603 — our own commands
            self.args, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"{self.name}-output",
                                        daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        stream = self.popen.stdout
        for raw in iter(stream.readline, b""):
            with self._changed:
                self._chunks.append(raw.decode("utf-8", "replace"))
                self._changed.notify_all()
        stream.close()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "".join(self._chunks)

    def mark(self) -> int:
        """A position in the output; `wait_for(..., since=mark)` looks only after it."""
        return len(self.output)

    def tail(self, chars: int = 6000) -> str:
        return self.output[-chars:]

    def wait_for(self, pattern: str, *, since: int = 0, timeout: float = 120,
                 flags: int = re.MULTILINE) -> re.Match:
        """Block until `pattern` appears in the output (after `since`); fail if the process
        ends first or nothing comes within `timeout` seconds."""
        regex = re.compile(pattern, flags)
        with self._changed:
            while True:
                found = regex.search("".join(self._chunks), since)
                if found:
                    return found
                if self.popen.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(
                        f"{self.name} exited ({self.popen.returncode}) before printing "
                        f"{pattern!r}:\n{''.join(self._chunks)[-6000:]}")
                if not self._changed.wait(timeout):
                    raise AssertionError(f"{self.name} printed no {pattern!r} within "
                                         f"{timeout}s:\n{''.join(self._chunks)[-6000:]}")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the whole process group (make and its flask, gunicorn and its workers),
        then SIGKILL if it lingers."""
        if self.popen is None:
            return
        self._signal(signal.SIGTERM)
        # Output ends when every process of the group has closed it, i.e. has exited.
        self._reader.join(timeout)
        if self._reader.is_alive():
            self._signal(signal.SIGKILL)
            self._reader.join(timeout)
        self.popen.wait(timeout)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)
