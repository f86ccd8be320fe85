"""Answer speed with each model: time to first token and total for 14 typical questions (10 answered by
code, 4 by the model), retrieval time broken out, and the bare llama.cpp time for the same prompt as the
floor. Prints a table.

    .venv/bin/python bench/answers.py [--models fast,default]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "Sở Y tế phải làm gì?",
    "Công an phường Tân Hưng có nhiệm vụ gì?",
    "Chỉ tiêu xã, phường không ma túy năm 2026 của Cần Thơ là bao nhiêu?",
    "Thời hạn các sở gửi kế hoạch về Ủy ban nhân dân thành phố Cần Thơ là khi nào?",
    "Phạm vi thời gian của kế hoạch phường Tân Hưng đến năm nào?",
    "Ai chủ trì theo dõi, đôn đốc thực hiện kế hoạch của tỉnh Nam Định?",
    "Định kỳ báo cáo kết quả thực hiện kế hoạch của Vĩnh Yên như thế nào?",
    "Đối tượng thụ hưởng của Chương trình ở Cần Thơ gồm những ai?",
    "Nam Định phấn đấu đến năm 2030 có bao nhiêu phần trăm xã không ma túy?",
    "Ngân sách cho Sở Y tế là bao nhiêu tỷ đồng?",
]
# tuned gold questions (eval/gold/gold.jsonl) that the model answers (no record or listing does): its first
# token is what these measure
MODEL_QUESTIONS = ("q012", "q042", "q107", "q112")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="fast,default")
    args = ap.parse_args()
    from assistant.answer import Assistant
    from tracuu.runtime import Runtime

    rt = Runtime()
    from eval.gold import load_gold

    model_questions = [it.question for it in load_gold() if it.id in MODEL_QUESTIONS]
    rt.searcher.search("khởi động")
    for choice in args.models.split(","):
        gen = rt.generator(choice)
        t = time.perf_counter()
        gen.count_tokens("khởi động")
        load = time.perf_counter() - t
        captured = []

        class Recording:
            """Passes through to the real generator, keeping the prompt for the floor measurement."""
            name = gen.name

            def count_tokens(self, text):
                return gen.count_tokens(text)

            def stream(self, messages, max_tokens=None):
                captured.append(messages)
                yield from gen.stream(messages, max_tokens)

        rec = Recording()
        assistant = Assistant(rt.searcher, lambda _c: rec, rt.settings)
        print(f"\n## {gen.name} (load {load:.1f} s)\n")
        print("| question | mode | retrieve ms | first token s | total s | prompt tokens | bare llama.cpp first token s / total s |")
        print("|---|---|---|---|---|---|---|")
        firsts, totals, model_firsts = [], [], []
        for q in QUESTIONS + model_questions:
            captured.clear()
            a = assistant.answer(q)
            t = a.timings
            floor, tokens = "—", "—"
            if captured:
                msgs = captured[-1]
                tokens = sum(gen.count_tokens(m["content"]) for m in msgs)
                gen.forget_cache()  # else llama.cpp reuses the prompt it just processed and the floor reads 0 s
                s = time.perf_counter()
                first = None
                for _ in gen.stream(msgs):
                    first = first or time.perf_counter() - s
                floor = f"{first or 0:.1f} / {time.perf_counter() - s:.1f}"
            firsts.append(t["first_token_ms"] / 1000)
            if captured:
                model_firsts.append(t["first_token_ms"] / 1000)
            totals.append(t["total_ms"] / 1000)
            print(f"| {q} | {a.mode} | {t['retrieve_ms']:.0f} | {t['first_token_ms'] / 1000:.1f} | "
                  f"{t['total_ms'] / 1000:.1f} | {tokens} | {floor} |")
        print(f"\nfirst token p50 {pct(firsts, 50):.1f} s, p95 {pct(firsts, 95):.1f} s; "
              f"total p50 {pct(totals, 50):.1f} s, p95 {pct(totals, 95):.1f} s")
        if model_firsts:
            print(f"the {len(model_firsts)} answers the model wrote: first token p50 {pct(model_firsts, 50):.1f} s, "
                  f"max {max(model_firsts):.1f} s")


if __name__ == "__main__":
    main()
