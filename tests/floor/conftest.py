"""The floor's tests share the sync tests' real backend on loopback (SQLite and PostgreSQL)."""

from tests.sync.conftest import backend, backend_engine  # noqa: F401  (fixtures)
