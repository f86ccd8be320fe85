"""Several officials at once: N simulated users ask the running web assistant one question each, at
the same moment, through gradio_client (the browser's own path: /start then /respond, each user in
its own session). Prints completed answers, errors, and latency p50/p95. Loopback only, bounded in
count and time: it stops by itself.

    .venv/bin/tracuu serve --port 7860 &          # or: .venv/bin/python -m tracuu.web --port 7860
    .venv/bin/python bench/load_web.py [--url http://127.0.0.1:7860] [--users 20] [--deadline 900]
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

QUESTIONS = [
    "Sở Y tế phải làm gì?",
    "Chỉ tiêu xã, phường không ma túy năm 2030 là bao nhiêu?",
    "Công an phường có nhiệm vụ gì?",
    "Thời hạn gửi kế hoạch về Ủy ban nhân dân thành phố là khi nào?",
]
MAX_USERS = 50  # a bound on what this script will send, whatever it is asked


def loopback_only(url: str) -> None:
    host = urlparse(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"refusing {url}: this load test only targets this machine (127.0.0.0/8, ::1)")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def text_of(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def one_user(i: int, args, start_gate: threading.Barrier, deadline: float) -> dict:
    from gradio_client import Client

    question = QUESTIONS[i % len(QUESTIONS)]
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    client = Client(args.url, auth=auth, verbose=False, download_files=False)
    start_gate.wait(timeout=120)  # everyone asks at the same moment
    started = time.perf_counter()
    first = None
    try:
        _, history = client.predict(question, [], api_name="/start")
        job = client.submit(history, [], args.model, api_name="/respond")
        for _ in job:  # each streamed update of the answer
            if first is None:
                first = time.perf_counter() - started
            if time.monotonic() > deadline:
                job.cancel()
                return {"user": i, "question": question, "outcome": "timeout", "seconds": time.perf_counter() - started}
        history, _panel = job.result(timeout=max(1.0, deadline - time.monotonic()))
        answer = text_of([m for m in history if m.get("role") == "assistant" and not m.get("metadata")][-1])
        outcome = "error" if answer.startswith("**Lỗi:**") or answer.startswith("_Đang") else "answered"
        return {"user": i, "question": question, "outcome": outcome, "seconds": time.perf_counter() - started,
                "first": first, "answer": answer}
    except Exception as exc:  # counted and shown, never retried
        return {"user": i, "question": question, "outcome": "error", "seconds": time.perf_counter() - started,
                "first": first, "answer": f"{type(exc).__name__}: {exc}"}
    finally:
        client.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--users", type=int, default=20, help=f"simulated users, one question each (at most {MAX_USERS})")
    ap.add_argument("--model", default="fast", help="default | fast")
    ap.add_argument("--deadline", type=float, default=900, help="seconds after which unfinished answers are cancelled")
    ap.add_argument("--auth", help="user:password when the server asks for a login")
    args = ap.parse_args()
    loopback_only(args.url)
    users = max(1, min(args.users, MAX_USERS))
    deadline = time.monotonic() + args.deadline
    gate = threading.Barrier(users)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = list(pool.map(lambda i: one_user(i, args, gate, deadline), range(users)))
    wall = time.perf_counter() - began

    for r in sorted(results, key=lambda r: r["seconds"]):
        first = f"{r['first']:6.1f}" if r.get("first") is not None else "     -"
        answer = " ".join(r.get("answer", "").split())[:70]
        print(f"user {r['user']:>2}  {r['outcome']:<8} {r['seconds']:6.1f} s  first update {first} s  {r['question'][:40]:<40}  {answer}")
    done = [r["seconds"] for r in results if r["outcome"] == "answered"]
    firsts = [r["first"] for r in results if r.get("first") is not None]
    count = {k: sum(r["outcome"] == k for r in results) for k in ("answered", "error", "timeout")}
    print(f"\n{users} users, model {args.model}, wall {wall:.1f} s")
    print(f"answered {count['answered']}, errors {count['error']}, timed out {count['timeout']}")
    print(f"latency p50 {pct(done, 50):.1f} s, p95 {pct(done, 95):.1f} s, max {max(done, default=float('nan')):.1f} s; "
          f"first update p50 {pct(firsts, 50):.1f} s")
    return 0 if count["answered"] == users else 1


if __name__ == "__main__":
    sys.exit(main())
