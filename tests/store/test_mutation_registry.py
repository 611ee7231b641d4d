"""Every mutation written in the core is listed once in the registry, and the store and the backend resolve it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import agentdesk.mutations
from agentdesk.errors import UnknownMutation
from agentdesk.mutations import calls, registry

NOT_AREAS = {"access", "arguments", "registry", "shared"}


def written_mutations() -> set[str]:
    """The public functions of every area module that take (conn, args): the mutations someone wrote (a new
    area module is found on its own)."""
    found = set()
    for info in pkgutil.iter_modules(agentdesk.mutations.__path__):
        if info.name in NOT_AREAS:
            continue
        module = importlib.import_module(f"agentdesk.mutations.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                if list(inspect.signature(fn).parameters) == ["conn", "args"]:
                    found.add(f"{module.__name__}.{name}")
    return found


def test_every_written_mutation_is_listed_exactly_once() -> None:
    listed = [f"{entry.apply.__module__}.{entry.apply.__name__}" for entry in registry.SHIPPED]
    assert sorted(listed) == sorted(written_mutations())
    names = [f"{entry.name}@{entry.version}" for entry in registry.SHIPPED]
    assert len(set(names)) == len(names)


def test_names_resolve_to_their_mutation_and_unknown_ones_are_refused_in_words() -> None:
    assert registry.resolve("call.ring@1").apply is calls.ring
    assert registry.resolve("customer.create@1").uses_region
    for unknown in ("call.ring@2", "call.ring", "nothing@x", ""):
        with pytest.raises(UnknownMutation, match="does not know the change"):
            registry.resolve(unknown)
