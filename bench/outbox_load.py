"""Registrations under load with the outbox and its worker, against a real SMTP server that is
healthy or hangs: gunicorn on a fresh PostgreSQL database, the task queue in Redis, one
`flask worker`, an SMTP server on 127.0.0.1 (aiosmtpd, or a socket that accepts and never
answers). Reports registration throughput, the CPU time gunicorn's workers spend per
registration, `GET /` latency measured during the burst, and how long the worker takes to
deliver every mail.

    .venv/bin/python bench/outbox_load.py [--people 200] [--seats 50] [--workers 4]
        [--concurrency 50] [--write]

Uses bench/registrations_load.py's setup and clients (the real sign-in form, CSRF tokens).
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (database 13, flushed)."""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import registrations_load as base  # noqa: E402

REDIS_DB = 13


class Silent:
    """Accepts SMTP connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(200)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def stop(self):
        self.sock.close()


class Sink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.count = 0
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                sink.count += 1
                return "250 OK"

        self.port = base.free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


def cpu_seconds(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def env_for(url: str, port: int, smtp_port: int) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
            "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT": "10", "TASK_QUEUE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "SIGNIN_RATE_LIMIT": "100000 per minute", "SITE_URL": f"http://127.0.0.1:{port}"}


def get_root_latencies(port: int, stop: threading.Event) -> list[float]:
    out = []
    while not stop.is_set():
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/")
        conn.getresponse().read()
        conn.close()
        out.append(time.perf_counter() - began)
    return out


def one_round(args, smtp: str) -> dict:
    import psycopg
    import redis

    redis.Redis(db=REDIS_DB).flushdb()
    name = f"je_bench_outbox_{os.getpid()}_{smtp}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    base.admin(f'CREATE DATABASE "{name}"')
    server = Sink() if smtp == "healthy" else Silent()
    gunicorn = worker = None
    try:
        event_id, emails = base.prepare(url, args.people, args.seats)
        port = base.free_port()
        env = env_for(url, port, server.port)
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60",
             "app:create_app()"], cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        worker = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "worker", "--workers", "4"],
                                  cwd=ROOT, env=env, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        clients = [base.Client(port) for _ in emails]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda pair: pair[0].sign_in(pair[1], event_id),
                          zip(clients, emails, strict=True)))
        idle = []
        for _ in range(30):        # GET / with nothing else going on
            began = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/")
            conn.getresponse().read()
            idle.append(time.perf_counter() - began)
        pids = children(gunicorn.pid)
        cpu_before = cpu_seconds(pids)
        stop = threading.Event()
        probe_result = []
        probe = threading.Thread(target=lambda: probe_result.extend(
            get_root_latencies(port, stop)))
        probe.start()
        latencies, statuses, elapsed = base.burst(clients, event_id, args.concurrency)
        stop.set()
        probe.join()
        cpu = cpu_seconds(pids) - cpu_before
        assert statuses == [302] * len(clients), sorted(set(statuses))
        base.check_counts(url, event_id, args.people, args.seats)
        delivered_after = None
        if smtp == "healthy":
            began = time.perf_counter()
            while time.perf_counter() - began < 120:
                with psycopg.connect(url) as conn:
                    left = conn.execute("SELECT count(*) FROM outbox_messages "
                                        "WHERE status <> 'sent'").fetchone()[0]
                if left == 0:
                    delivered_after = time.perf_counter() - began
                    break
                time.sleep(0.2)
        with psycopg.connect(url) as conn:
            states = dict(conn.execute("SELECT status, count(*) FROM outbox_messages "
                                       "GROUP BY status").fetchall())
        return {"smtp": smtp, "n": len(latencies), "rps": len(latencies) / elapsed,
                "p50": statistics.median(latencies) * 1000,
                "cpu_ms": 1000 * cpu / len(latencies),
                "busy_ms": 1000 * args.workers * elapsed / len(latencies),
                "root_idle": statistics.median(idle) * 1000,
                "root_burst": statistics.median(probe_result) * 1000 if probe_result else 0,
                "root_n": len(probe_result),
                "delivered_after": delivered_after, "states": states,
                "received": getattr(server, "count", 0)}
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        server.stop()
        base.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    signal.alarm(900)
    rounds = [one_round(args, "healthy"), one_round(args, "hanging")]
    lines = [
        "# Registrations with the outbox and its worker",
        "",
        f"`bench/outbox_load.py --people {args.people} --seats {args.seats} --workers "
        f"{args.workers} --concurrency {args.concurrency}`: as bench/registrations_load.py "
        "(gunicorn sync workers on a fresh PostgreSQL database, signed-in clients posting the "
        "register form together), plus the task queue in Redis, one `flask worker` (4 threads) "
        "and SMTP on 127.0.0.1 that is healthy (aiosmtpd) or hangs (accepts, never answers). "
        "`GET /` is requested in a loop by one more client during the burst.",
        "",
        "| SMTP | registrations | req/s | p50 ms | workers × time / registrations ms "
        "| gunicorn CPU ms / registration "
        "| GET / idle p50 ms | GET / during burst p50 ms (n) | all mail delivered after "
        "| outbox afterwards |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rounds:
        delivered = f"{r['delivered_after']:.1f} s" if r["delivered_after"] is not None else "—"
        lines.append(
            f"| {r['smtp']} | {r['n']} | {r['rps']:.0f} | {r['p50']:.0f} | {r['busy_ms']:.0f} | "
            f"{r['cpu_ms']:.1f} | "
            f"{r['root_idle']:.0f} | {r['root_burst']:.0f} ({r['root_n']}) | {delivered} | "
            f"{r['states']} |")
    lines += ["", f"Machine: {os.cpu_count()} CPUs shared with other work; figures are "
              "indicative."]
    report = "\n".join(lines)
    print(report)
    if args.write:
        (ROOT / "bench" / "results" / "outbox.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
