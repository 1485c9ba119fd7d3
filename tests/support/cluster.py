"""Several VoiceConsole hosts on one machine: for the multi-host test (tests/cluster) and the scale benchmark
(benchmarks/scale.py).

`Network` gives each host its own address. Where this process may (root, `ip` from iproute2, `ip netns add`
works), every host is a network namespace with a veth pair on a bridge in the root namespace, on a private
/24 picked at random (10.200-249.x.0/24): the bridge holds `.1` (the gateway), hosts get `.10`, `.11`, ….
PostgreSQL and Redis listen on 127.0.0.1 only, so the gateway runs a TCP relay for each (`socat`, or a
small Python relay when socat is missing) to the root namespace's loopback: a host reaches PostgreSQL at
`<gateway>:5432` and Redis at `<gateway>:6379`, over its own interface, as a machine on a LAN would.
Elsewhere (not root, no `ip`, namespaces refused) every "host" is a process on 127.0.0.1 (`mode ==
"loopback"`): the same processes and the same assertions, without separate network stacks.

`Cluster` owns one deployment: a fresh PostgreSQL database (`vc_cluster_<random>`, migrated with
`voiceconsole db upgrade`, dropped on `close`), a Redis database (flushed before and after), and the
processes started on the hosts (`web`: uvicorn serving `voiceconsole.api.main:api`; `worker`: `voiceconsole
worker`; `simulator`: the platform simulator in the root namespace), each in its own process group, so
`kill_host` can SIGKILL a host's processes together as losing the machine would.

Run as `python -m tests.support.cluster simulator …` it serves the platform simulator with one platform's
call listing slowed (`--slow-platform`, `--page-delay`): a sync long enough to kill a worker mid-job.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_PORT, REDIS_PORT = 5432, 6379
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


# --------------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------------


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=True, capture_output=True, text=True)


def netns_unavailable() -> str | None:
    """Why hosts cannot be network namespaces here (None when they can)."""
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    probe = f"vcprobe{secrets.token_hex(3)}"
    try:
        _run("ip", "netns", "add", probe)
    except subprocess.CalledProcessError as exc:
        return f"`ip netns add` refused: {exc.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


@dataclass
class Host:
    name: str
    address: str
    netns: str | None = None  # None: a process on the root namespace's loopback

    def argv(self, command: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *command] if self.netns else command


class _PipeHandler(socketserver.BaseRequestHandler):
    target: tuple[str, int]

    def handle(self) -> None:
        upstream = socket.create_connection(self.target)

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        back.start()
        pump(self.request, upstream)
        back.join()
        upstream.close()


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Relay:
    """Forwards `listen` → `target` (TCP): socat when installed, else threads in this process."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]):
        self.listen, self.target = listen, target
        self.proc: subprocess.Popen | None = None
        self.server: _ThreadingServer | None = None
        if shutil.which("socat"):
            self.proc = subprocess.Popen(
                [
                    "socat",
                    f"TCP-LISTEN:{listen[1]},bind={listen[0]},fork,reuseaddr,backlog=512",
                    f"TCP:{target[0]}:{target[1]}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        else:
            handler = type("Handler", (_PipeHandler,), {"target": target})
            self.server = _ThreadingServer(listen, handler)
            threading.Thread(target=self.server.serve_forever, daemon=True).start()
        _wait_port(*listen)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(5)
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Network:
    """Hosts with their own addresses (namespaces), or all on loopback where namespaces are unavailable."""

    def __init__(self, *, force_loopback: bool = False):
        self.why_loopback = "asked for loopback" if force_loopback else netns_unavailable()
        self.mode = "loopback" if self.why_loopback else "netns"
        self.tag = secrets.token_hex(2)
        self.hosts: dict[str, Host] = {}
        self.relays: list[Relay] = []
        self._links: list[str] = []
        if self.mode == "loopback":
            self.gateway = "127.0.0.1"
            return
        self.subnet = f"10.{random.randint(200, 249)}.{random.randint(0, 255)}"
        self.gateway = f"{self.subnet}.1"
        self.bridge = f"vcbr{self.tag}"
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        self._links.append(self.bridge)
        _run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        for port in (PG_PORT, REDIS_PORT):
            self.relays.append(Relay((self.gateway, port), ("127.0.0.1", port)))

    def describe(self) -> str:
        if self.mode == "netns":
            return (
                f"network namespaces on {self.subnet}.0/24 (bridge {self.bridge}, gateway {self.gateway}; "
                f"PostgreSQL and Redis relayed at the gateway)"
            )
        return f"LOOPBACK: every host is a process on 127.0.0.1 ({self.why_loopback}); no separate network stacks"

    def add_host(self, name: str) -> Host:
        if self.mode == "loopback":
            host = Host(name, "127.0.0.1")
        else:
            index = len(self.hosts)
            netns, veth = f"vc{self.tag}-{name}", f"vc{self.tag}h{index}"
            address = f"{self.subnet}.{10 + index}"
            _run("ip", "netns", "add", netns)
            _run("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
            self._links.append(veth)
            _run("ip", "link", "set", f"{veth}p", "netns", netns)
            _run("ip", "link", "set", veth, "master", self.bridge, "up")
            _run("ip", "-n", netns, "link", "set", f"{veth}p", "name", "eth0")
            _run("ip", "-n", netns, "addr", "add", f"{address}/24", "dev", "eth0")
            _run("ip", "-n", netns, "link", "set", "eth0", "up")
            _run("ip", "-n", netns, "link", "set", "lo", "up")
            _run("ip", "-n", netns, "route", "add", "default", "via", self.gateway)
            host = Host(name, address, netns)
        self.hosts[name] = host
        return host

    def close(self) -> None:
        for relay in self.relays:
            relay.close()
        for host in self.hosts.values():
            if host.netns:
                subprocess.run(["ip", "netns", "del", host.netns], capture_output=True)
        for link in reversed(self._links):
            subprocess.run(["ip", "link", "del", link], capture_output=True)


def _wait_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc: children, their children, …)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------------
# Processes on hosts
# --------------------------------------------------------------------------------------------------


@dataclass
class Proc:
    host: Host
    role: str
    popen: subprocess.Popen
    log: Path
    url: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the process and everything it started (a worker's work horse): the host is lost."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the process only (a worker's warm shutdown), then SIGKILL its group if it lingers."""
        if self.alive():
            self.popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        self.kill()


class Cluster:
    """One deployment: its database, its Redis database, and the processes on its hosts."""

    def __init__(
        self,
        network: Network,
        log_dir: Path,
        *,
        redis_db: int = 9,
        settings: Mapping[str, str] | None = None,
        db_prefix: str = "vc_cluster",
    ):
        import psycopg
        import redis

        self.network, self.log_dir = network, log_dir
        self.procs: list[Proc] = []
        self.db_name = f"{db_prefix}_{secrets.token_hex(4)}"
        self.redis_db = redis_db
        self.redis = redis.Redis(host="127.0.0.1", port=REDIS_PORT, db=redis_db)
        self.redis.flushdb()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.local_db_url = f"postgresql://postgres@127.0.0.1:{PG_PORT}/{self.db_name}"
        self.settings = dict(settings or {})
        # What every host is given: the deployment's database and Redis over the gateway's address.
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICECONSOLE_", "PROMETHEUS_"))}
        self.env = {
            **base_env,
            "DATABASE_URL": f"postgresql://postgres@{network.gateway}:{PG_PORT}/{self.db_name}",
            "REDIS_URL": f"redis://{network.gateway}:{REDIS_PORT}/{redis_db}",
            "VOICECONSOLE_DATA_DIR": str(log_dir / "data"),
            "VOICECONSOLE_SECRET_KEY": "cluster-test-secret-key-0123456789abcdef",
            "VOICECONSOLE_ENV": "test",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }
        self.cli(["db", "upgrade"])

    # -- commands --------------------------------------------------------------------------------
    def cli(self, args: list[str], host: Host | None = None) -> str:
        """`voiceconsole …` on a host (the first host by default; any host can run operator commands)."""
        argv = [str(BIN / "voiceconsole"), *args]
        if host is not None:
            argv = host.argv(argv)
        done = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"voiceconsole {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout.strip()

    def _start(self, host: Host, role: str, command: list[str], *, env: Mapping[str, str] | None = None) -> Proc:
        log = self.log_dir / f"{host.name}-{role}-{len(self.procs)}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(
                host.argv(command),
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: kill_host takes the work horse too
            )
        proc = Proc(host, role, popen, log)
        self.procs.append(proc)
        return proc

    def web(self, host: Host, port: int | None = None, *, workers: int = 1, env: Mapping[str, str] | None = None):
        port = port or free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "voiceconsole.api.main:api",
            "--host",
            host.address,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if workers > 1:
            command += ["--workers", str(workers)]
        proc = self._start(host, "web", command, env=env)
        proc.url = f"http://{host.address}:{port}"
        return proc

    def worker(self, host: Host, *, env: Mapping[str, str] | None = None) -> Proc:
        return self._start(host, "worker", [str(BIN / "voiceconsole"), "worker"], env=env)

    def simulator(
        self, *, calls: int, agents: int, slow_platform: str | None = None, page_delay: float = 0.0, seed: int = 7
    ) -> Proc:
        """The platform simulator in the root namespace, on the gateway's address (every host reaches it)."""
        host = Host("sim", self.network.gateway)
        port = free_port(host.address)
        command = [sys.executable, "-m", "tests.support.cluster", "simulator", "--host", host.address]
        command += ["--port", str(port), "--calls", str(calls), "--agents", str(agents), "--seed", str(seed)]
        if slow_platform:
            command += ["--slow-platform", slow_platform, "--page-delay", str(page_delay)]
        proc = self._start(host, "simulator", command)
        proc.url = f"http://{host.address}:{port}"
        return proc

    def wait_ready(self, procs: Iterable[Proc], path: str = "/api/health", timeout: float = 90.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        for proc in procs:
            while True:
                if not proc.alive():
                    raise RuntimeError(f"{proc.role} on {proc.host.name} exited:\n{proc.log_text()[-3000:]}")
                try:
                    if httpx.get(f"{proc.url}{path}", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{proc.role} on {proc.host.name} not ready:\n{proc.log_text()[-3000:]}")
                time.sleep(0.2)

    def kill_host(self, host: Host) -> None:
        """SIGKILL every process of the host: the machine is lost. That includes RQ's work horses, which
        leave their worker's process group (RQ forks them into a session of their own)."""
        pids: set[int] = set()
        for proc in self.procs:
            if proc.host is host and proc.alive():
                pids |= {proc.pid, *_descendants(proc.pid)}
        if host.netns:
            listed = subprocess.run(["ip", "netns", "pids", host.netns], capture_output=True, text=True).stdout
            pids |= {int(pid) for pid in listed.split()}
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for proc in self.procs:
            if proc.host is host:
                proc.popen.wait(10)

    # -- reading the deployment ------------------------------------------------------------------
    def sql(self, query: str, *params: object) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.local_db_url, autocommit=True) as conn:
            cursor = conn.execute(query, params)  # type: ignore[arg-type]
            return list(cursor.fetchall()) if cursor.description else []

    def instance_prefix(self) -> str:
        """The prefix of the deployment's policy job ids (enqueue.scoped): `i` + 8 hex digits + `-`."""
        instance = self.sql("SELECT instance_id FROM deployment ORDER BY id LIMIT 1")[0][0]
        return f"i{instance.replace('-', '')[:8]}-"

    def close(self) -> None:
        import psycopg

        for proc in self.procs:
            if proc.alive():
                proc.stop(timeout=5)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        self.redis.flushdb()
        self.redis.close()


# --------------------------------------------------------------------------------------------------
# A receiver on a given address (tests/support/receivers.py binds 127.0.0.1 only)
# --------------------------------------------------------------------------------------------------


def receiver_on(address: str):
    """tests.support.receivers.Receiver, listening on `address` (the gateway: hosts in namespaces reach it)."""
    from tests.support import receivers

    class HostReceiver(receivers.Receiver):
        def __init__(self) -> None:
            self.address = address
            super().__init__()

        def url(self, path: str = "/hook") -> str:
            return f"http://{self.address}:{self.port}{path}"

        def start(self) -> None:
            handler = receivers._handler(self)
            self._server = receivers._Server((self.address, self.port), handler)
            self._server.daemon_threads = True
            self._server.block_on_close = False
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    return HostReceiver()


# --------------------------------------------------------------------------------------------------
# `python -m tests.support.cluster simulator`: the simulator with one platform's call listing slowed
# --------------------------------------------------------------------------------------------------

# The request that lists a page of calls, per platform (the sync's slow part when the platform is slow).
CALL_LIST_PATHS = {
    "retell": ("POST", "/retell/v3/list-calls"),
    "vapi": ("GET", "/vapi/call"),
    "elevenlabs": ("GET", "/elevenlabs/v1/convai/conversations"),
}


def _serve_simulator(argv: list[str]) -> None:
    import asyncio

    import uvicorn

    from voiceconsole.platforms.simulator.server import create_app
    from voiceconsole.platforms.simulator.state import SimulatorState

    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--agents", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--slow-platform")
    ap.add_argument("--page-delay", type=float, default=0.0)
    args = ap.parse_args(argv)
    state = SimulatorState(seed=args.seed, agents_per_platform=args.agents, calls_per_platform=args.calls, days=30)
    state.warm()
    app = create_app(state)
    slow = CALL_LIST_PATHS.get(args.slow_platform or "")

    async def slowed(scope, receive, send):
        if slow and scope["type"] == "http" and (scope["method"], scope["path"].rstrip("/")) == slow:
            await asyncio.sleep(args.page_delay)
        await app(scope, receive, send)

    uvicorn.run(slowed, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    if sys.argv[1:2] == ["simulator"]:
        _serve_simulator(sys.argv[2:])
    else:
        raise SystemExit("usage: python -m tests.support.cluster simulator --port N [--slow-platform P --page-delay S]")
