"""The parts behind `agentdesk.store.Store`: opening and checking the file, lookups, history, FAQ search.

Each module takes a `sqlite3.Connection` and returns the records of `agentdesk.records`; `Store` holds the
connection and its lock. Nothing here imports SQLModel, Textual, screens or widgets.
"""
