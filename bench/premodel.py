"""What the assistant decides before any model call, over a gold file: refused, answered by code (duties,
records), or sent to the model; with the relevance of the top passages and the key-phrase coverage of
the answers made by code. No LLM is loaded (a generator that writes nothing stands in), so it runs in
seconds; use it to choose a threshold on the tuned split, then read the held-out split.

    python bench/premodel.py [eval/gold/gold.jsonl] [--threshold 0.75] [--split tuned]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class Silent:
    """A generator that writes nothing: the answer then shows what the evidence alone gives."""
    name = "silent"

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 3)

    def stream(self, messages):
        return iter(())


def main() -> None:
    from assistant.answer import Assistant
    from assistant.conversation import Conversation
    from eval.gold import load_gold
    from eval.metrics import key_phrase_coverage
    from tracuu.runtime import Runtime

    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", default=None)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--split", choices=("tuned", "heldout"), default=None,
                    help="only the questions of this split (a file with both, like corpus3.jsonl: read the "
                         "held-out split only to report it)")
    args = ap.parse_args()
    rt = Runtime()
    items = [it for it in load_gold(args.gold) if args.split is None or it.split == args.split]
    kwargs = {"min_relevance": args.threshold} if args.threshold is not None else {}
    assistant = Assistant(rt.searcher, lambda _: Silent(), rt.settings, **kwargs)
    convs: dict[str, Conversation] = {}
    rows = []
    for it in items:
        conv = convs.get(it.follows) if it.follows else None
        conv = Conversation(list(conv.turns)) if conv else Conversation()
        a = assistant.answer(it.question, conv)
        convs[it.id] = conv
        cov = key_phrase_coverage([a.text], [list(it.key_phrases)])[0] if it.key_phrases else None
        rows.append((it, a, cov))
    answerable = [(it, a, c) for it, a, c in rows if it.answerable]
    unanswerable = [(it, a, c) for it, a, c in rows if not it.answerable]
    false = [it.id for it, a, _ in answerable if a.refused]
    print(f"{len(items)} questions; answerable refused {len(false)}/{len(answerable)}: {' '.join(false)}")
    print(f"unanswerable refused {sum(a.refused for _, a, _ in unanswerable)}/{len(unanswerable)}: "
          f"{' '.join(it.id for it, a, _ in unanswerable if not a.refused)} not refused")
    by_mode: dict[str, list] = {}
    for it, a, c in answerable:
        by_mode.setdefault(a.mode, []).append(c)
    for mode, covs in sorted(by_mode.items()):
        scored = [c for c in covs if c is not None]
        mean = sum(scored) / len(scored) if scored else 0.0
        print(f"  {mode:10s} {len(covs):3d} answerable, key-phrase coverage of the code's text {mean:.3f}")
    for it, a, c in rows:
        if (it.answerable and a.refused) or (not it.answerable and not a.refused):
            print(f"  {it.id} {'REFUSED' if a.refused else a.mode}: {it.question} -> {a.text[:160]!r}")


if __name__ == "__main__":
    main()
