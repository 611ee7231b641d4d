"""The floor's tests share the sync tests' real backend on loopback (SQLite and PostgreSQL) and its terminals."""

from tests.sync.conftest import backend, backend_engine, terminals  # noqa: F401  (fixtures)
