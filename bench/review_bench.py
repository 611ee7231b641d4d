"""`review_next_ms`: the review queue's next item, read from the bench store and made into the card's text (what
the screen shows on a score key), p95 over a reviewer's session that rates every other item."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path


def review_figures(store_path: Path, items: int = 200) -> dict[str, float]:
    """Walk `items` of the queue as the reviewer of the bench store, rating every other one; the p95."""
    from agentdesk.clock import SystemClock, iso
    from agentdesk.store import Store
    from widgets.review_card import card_text

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "review.db"
        shutil.copyfile(store_path, copy)
        clock = SystemClock()
        store = Store.open(copy, clock)
        try:
            reviewer = next(a for a in store.agents() if a.role == "qc")
            accounts = store.agent_accounts(reviewer.id)
            samples: list[float] = []
            after = None
            for n in range(items):
                started = time.perf_counter()
                item = store.ratings.next_to_review(accounts, reviewer.id, clock.now(), after)
                if item is None:
                    break
                averages = store.ratings.averages([item.agent_id], clock.now()) if item.agent_id else []
                card_text(item, None, 78, averages)
                samples.append((time.perf_counter() - started) * 1000)
                if n % 2 == 0:
                    target = {"interaction_id": item.id} if item.kind == "interaction" else {"message_id": item.id}
                    store.mutate("rating.record@1", {
                        "rating_id": str(uuid.uuid4()), "account_id": item.account_id, **target, "source": "qc",
                        "score": 1 + n % 5, "comment": "", "agent_id": reviewer.id, "at": iso(clock.now())})
                after = item.cursor
        finally:
            store.close()
    samples.sort()
    return {"review_next_ms": samples[max(0, int(len(samples) * 0.95) - 1)] if samples else float("nan")}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(review_figures(Path(sys.argv[1]))))
