"""The store's connections and identity, held once and shared by the store's parts (queries, tickets, ...).

One writer connection, used under a re-entrant lock, and one read-only connection under a lock of its own, so a
screen's read never waits for a commit's fsync. The client group id lives here too: splitting off as a new
terminal changes it, and every part must see the new one.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agentdesk.clock import Clock
from agentdesk.localstore.connection import client_group_id, connect_reader


class Connections:
    """The writer and reader connections of one store file, their locks, the clock and the sync identity."""

    def __init__(self, writer: sqlite3.Connection, path: Path, clock: Clock, region: str) -> None:
        self.writer = writer
        self.lock = threading.RLock()
        """Taken by every use of the writer connection."""
        self.path = path
        self.clock = clock
        self.region = region
        """The region that phone numbers without a country code are read in (ISO 3166, e.g. "US")."""
        self.client_group_id = client_group_id(writer)
        self.client_id = str(uuid.uuid4())
        self.reader = connect_reader(path)
        self.read_lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The read-only connection, held for the block."""
        with self.read_lock:
            yield self.reader

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The writer connection, held for the block (begin a transaction inside it to write)."""
        with self.lock:
            yield self.writer

    def close(self) -> None:
        """Close both connections, each under its lock."""
        with self.read_lock:
            self.reader.close()
        with self.lock:
            self.writer.close()
