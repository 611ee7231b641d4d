"""Demo routing data: each account's phone menu, and the agents' skills and languages.

Each account's menu offers its first three skill words on the keys `agentdesk simulate` presses (1, 2, 3). Each
agent learns two skill words of every account they work for, and every menu choice of an account has at least
one agent of it who has the skill; most agents speak English only, some Spanish too (every account has one who
does). Drawn from a generator of its own after every other demo row (like the quality data), so the rest of the
demo stays as it was.
"""

from __future__ import annotations

import json
import random
import sqlite3

from agentdesk.demodata.world import World

MENU_KEYS = ("1", "2", "3")
"""The keys of the demo accounts' phone menus (the digits `agentdesk simulate` sends)."""
SPANISH_SHARE = 0.3


def demo_menu(skills: tuple[str, ...]) -> dict[str, str]:
    """An account's phone menu from its skill words: key 1 the first, 2 the second, 3 the third."""
    return dict(zip(MENU_KEYS, skills, strict=False))


def add_agent_skills(conn: sqlite3.Connection, world: World, seed: int) -> dict[str, int]:
    """Write the accounts' menus and the front-line agents' skills and languages; nothing is counted as new."""
    rng = random.Random(seed * 7_919 + 57)
    skills: dict[str, set[str]] = {agent: set() for agent in sorted(world.agent_names)}
    spanish = {agent for agent in sorted(world.agent_names) if rng.random() < SPANISH_SHARE}
    for account in world.accounts:
        menu = demo_menu(account.spec.skills)
        conn.execute("UPDATE account SET ivr_menu = ? WHERE id = ?", (json.dumps(menu, sort_keys=True), account.id))
        staff = sorted(account.agent_ids)
        for agent in staff:
            skills[agent].update(rng.sample(account.spec.skills, 2))
        for skill in menu.values():
            if not any(skill in skills[agent] for agent in staff):
                skills[rng.choice(staff)].add(skill)
        if not spanish.intersection(staff):
            spanish.add(rng.choice(staff))
    for agent in sorted(world.agent_names):
        languages = ["en", "es"] if agent in spanish else ["en"]
        conn.execute("UPDATE agent SET skills = ?, languages = ? WHERE id = ?",
                     (json.dumps(sorted(skills[agent])), json.dumps(languages), agent))
    return {}
