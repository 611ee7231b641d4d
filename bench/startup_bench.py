"""Start-up side by side: the desk's first frame against a bare Textual app's, in alternating pairs in a real pty.

The machine's load moves both the same way within a pair, so the median of the pair ratios says how much the
desk adds to what Textual itself costs (goal: at most 1.5). `python bench/startup_bench.py STORE [PAIRS]` prints
the figures for one store without the rest of the benchmarks.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = Path(__file__).with_name("bare_textual.py")


def _first_frame_ms(command: list[str], probe: Path) -> float:
    """Process start to the first frame the command reports in `probe`, in a 120x35 pty."""
    from tests.e2e.terminal import Terminal

    started = time.time()
    terminal = Terminal(command)
    terminal.process.wait(timeout=60)
    terminal.close()
    return (float(probe.read_text()) - started) * 1000


def startup_vs_textual(store: Path, pairs: int) -> dict[str, float]:
    """`startup_vs_textual`: the median of (desk ms / bare Textual ms) over `pairs` alternating pairs (after one
    pair that warms the page cache), with both medians in ms."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.e2e.terminal import agentdesk_command

    desk, bare, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "startup.db"
        shutil.copyfile(store, copy)
        for n in range(pairs + 1):
            # Alternate which runs first, so neither always follows the other's page-cache and CPU state.
            order = ("desk", "bare") if n % 2 else ("bare", "desk")
            took: dict[str, float] = {}
            for which in order:
                probe = Path(tmp) / f"{which}-{n}"
                command = (agentdesk_command(copy, "--startup-probe", str(probe)) if which == "desk"
                           else [sys.executable, str(BARE), str(probe)])
                took[which] = _first_frame_ms(command, probe)
            if n:
                desk.append(took["desk"])
                bare.append(took["bare"])
                ratios.append(took["desk"] / took["bare"])
    return {
        "startup_vs_textual": statistics.median(ratios),
        "startup_desk_ms": statistics.median(desk),
        "startup_bare_textual_ms": statistics.median(bare),
    }


if __name__ == "__main__":
    print(json.dumps({k: round(v, 2) for k, v in
                      startup_vs_textual(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7).items()}))
