"""`voiceconsole simulator --port N`: run the platform simulator in the foreground.

`run_simulator` is what the `voiceconsole` command calls; `python -m
voiceconsole.platforms.simulator.cli --port N` runs it without the main CLI.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import datetime

from voiceconsole.platforms.simulator.generator import PLATFORMS
from voiceconsole.platforms.simulator.server import create_app
from voiceconsole.platforms.simulator.state import SimulatorState

DEFAULT_CALLS = 2000
DEFAULT_AGENTS = 12
_KEY_HEADER = {"retell": "Authorization: Bearer", "vapi": "Authorization: Bearer", "elevenlabs": "xi-api-key:"}


def run_simulator(
    port: int,
    host: str = "127.0.0.1",
    seed: int = 7,
    calls: int = DEFAULT_CALLS,
    agents: int = DEFAULT_AGENTS,
    days: int = 90,
    now: datetime | None = None,
    api_keys: Mapping[str, str] | None = None,
    log_level: str = "warning",
    echo: Callable[[str], None] = print,
) -> None:
    """Generate the data (`calls` and `agents` per platform), print the base URLs and keys, serve."""
    state = SimulatorState(
        seed=seed, agents_per_platform=agents, calls_per_platform=calls, days=days, api_keys=api_keys, now=now
    )
    echo(f"Generating {agents} agents and {calls:,} calls per platform (seed {seed})…")
    state.warm()  # so the first request isn't the slow one
    base = f"http://{host}:{port}"
    for platform in PLATFORMS:
        echo(f"  {platform:<11} {base}/{platform:<11}  {_KEY_HEADER[platform]} {state.api_keys[platform]}")
    echo(f"  control     {base}/_sim  (faults, new calls, webhooks: see server/control.py)")
    import uvicorn  # a test extra today; `voiceconsole simulator` needs it installed

    uvicorn.run(create_app(state), host=host, port=port, log_level=log_level)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Retell, Vapi and ElevenLabs APIs over generated data.")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS, help="calls per platform")
    parser.add_argument("--agents", type=int, default=DEFAULT_AGENTS, help="agents per platform")
    parser.add_argument("--days", type=int, default=90, help="days of history")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    run_simulator(
        args.port,
        host=args.host,
        seed=args.seed,
        calls=args.calls,
        agents=args.agents,
        days=args.days,
        log_level=args.log_level,
    )


if __name__ == "__main__":
    main()
