"""Run the real `agentdesk` command in a pseudo-terminal and read every byte it writes."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_CONFIG = ROOT / "tests" / "agentdesk-test.toml"


def agentdesk_command(store: Path, *extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("agentdesk")
    return [str(exe), "--config", str(TEST_CONFIG), "--store", str(store), *extra]


class Terminal:
    """A pty of a fixed size with `agentdesk` inside; `output` holds the raw bytes it wrote."""

    def __init__(self, command: list[str], cols: int = 120, rows: int = 35) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
        env.update(TERM="xterm-256color", COLORTERM="truecolor")
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, cwd=ROOT
        )
        os.close(slave)
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self._chunks.append(chunk)

    @property
    def output(self) -> bytes:
        return b"".join(self._chunks)

    def wait_for(self, text: bytes, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output:
                return True
            time.sleep(0.05)
        return False

    def type(self, keys: str | bytes, pause: float = 0.3) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)
        time.sleep(pause)

    def close(self) -> int:
        if self.process.poll() is None:
            self.type(b"\x11", pause=0.5)  # Ctrl+Q
        try:
            code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        os.close(self.master)
        return code
