"""Many officials at once, two ways of serving the model, side by side in one run.

N simultaneous users (default 1, 4, 20) each ask one question that the model must write (questions of
the plans' gold files that the records do not answer by code) through a real `tracuu api`
on a loopback port, streamed (POST /v1/ask, "stream": true):

  in-process   `tracuu api` with today's GGUF in its own process: one answer at a time
  llama-server `tracuu api` with TRACUU_LLM_URL pointing at llama.cpp's own server on the same GGUF,
               `--parallel 4` (continuous batching); evidence, checks and refusals stay in tracuu

Prints, per setup and N: answers per minute, latency p50/p95, first token p50/p95, and how many
answers came back with verified citations. Loopback only; bounded (each user asks once, every
request has a deadline). Numbers on a shared machine are noisy: run it when the machine is quiet.

    .venv/bin/python bench/serving.py [--model fast] [--users 1,4,20] [--parallel 4]
        [--llama-server PATH]   # default: the binary `make llama-server` built
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
MAX_USERS = 50  # a bound on what this script sends, whatever it is asked


def questions(limit: int) -> list[str]:
    """Plain tuned questions of the gold set that reach the model: the assistant answers many from its
    records by code (duties, targets, deadlines), which would measure no model at all. Told by asking each
    with a generator that records being called and writes nothing."""
    from assistant.answer import Assistant
    from tracuu.runtime import Runtime

    class Recording:
        name = "recording"
        called = False

        def count_tokens(self, text: str) -> int:
            return max(1, len(text) // 3)

        def stream(self, messages):
            Recording.called = True
            return iter(())

    rows = [json.loads(line) for name in ("gold.jsonl", "heldout.jsonl")  # load only: no answer is judged here
            for line in (REPO / "eval" / "gold" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    rt = Runtime()
    assistant = Assistant(rt.searcher, lambda _: Recording(), rt.settings)
    picked = []
    for r in rows:
        if not r["key_phrases"] or r.get("follows"):
            continue
        Recording.called = False
        assistant.answer(r["question"])
        if Recording.called:
            picked.append(r["question"])
        if len(picked) >= limit:
            break
    return picked


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200 and json.loads(r.read() or b"{}").get("ready", True):
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


def start_api(env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tracuu.cli", "api", "--port", str(port)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/v1/health", proc, 300)
    return proc, url


def start_llama_server(binary: Path, gguf: Path, parallel: int, ctx_per_slot: int, threads: int):
    port = free_port()
    proc = subprocess.Popen([str(binary), "-m", str(gguf), "--host", "127.0.0.1", "--port", str(port),
                             "--parallel", str(parallel), "-c", str(ctx_per_slot * parallel), "-t", str(threads),
                             "--cont-batching", "--cache-ram", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health", proc, 180)
    return proc, url


def ask(url: str, question: str, model: str, deadline: float) -> dict:
    body = json.dumps({"question": question, "model": model, "stream": True}).encode()
    request = urllib.request.Request(url + "/v1/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "text/event-stream"})
    started, first, event = time.perf_counter(), None, None
    try:
        with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.time())) as response:
            for raw in response:
                line = raw.decode("utf-8").strip()
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    if event == "token" and first is None:
                        first = time.perf_counter() - started
                    if event == "answer":
                        obj = json.loads(line[5:])
                        return {"ok": True, "seconds": time.perf_counter() - started, "first": first,
                                "cited": bool(obj["citations"]) and not obj["refused"], "mode": obj["mode"]}
                    if event == "error":
                        return {"ok": False, "seconds": time.perf_counter() - started, "error": line[5:]}
    except OSError as exc:
        return {"ok": False, "seconds": time.perf_counter() - started, "error": str(exc)}
    return {"ok": False, "seconds": time.perf_counter() - started, "error": "stream ended without an answer"}


def round_of(url: str, users: int, qs: list[str], model: str, deadline_s: float) -> dict:
    results: list[dict] = [{}] * users
    gate = threading.Barrier(users)
    deadline = time.time() + deadline_s

    def user(i: int) -> None:
        gate.wait()
        results[i] = ask(url, qs[i % len(qs)], model, deadline)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    done = [r for r in results if r.get("ok")]
    return {"users": users, "wall": wall, "answered": len(done), "cited": sum(r["cited"] for r in done),
            "per_min": 60 * len(done) / wall, "lat": [r["seconds"] for r in done],
            "first": [r["first"] for r in done if r.get("first") is not None],
            "errors": [r.get("error") for r in results if not r.get("ok")][:3]}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="fast", help="default | fast (the same GGUF for both setups)")
    ap.add_argument("--users", default="1,4,20", help="simultaneous users per round, comma-separated")
    ap.add_argument("--parallel", type=int, default=4, help="llama-server --parallel (slots batched together)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads of either engine")
    ap.add_argument("--llama-server", type=Path, default=None, help="the binary (default: `make llama-server`'s)")
    ap.add_argument("--deadline", type=float, default=1800, help="seconds a round may take before requests give up")
    ap.add_argument("--only", choices=["in-process", "llama-server"], help="run one setup only")
    args = ap.parse_args()
    counts = [min(MAX_USERS, int(n)) for n in args.users.split(",")]
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # stop the servers it started

    from tracuu.models.provision import require_llm
    from tracuu.settings import Settings

    settings = Settings.from_env()
    gguf = require_llm(settings, args.model)
    binary = args.llama_server or next(iter(sorted(Path.home().glob(".cache/tracuu/llama-server/*/bin/llama-server"))), None)
    *qs, warm_question = questions(max(counts) + 1)  # the warm-up question is asked in no round (no cached prompt)
    base = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                HF_HUB_OFFLINE="1", TRACUU_URL="off", TRACUU_N_THREADS=str(args.threads))
    base.pop("TRACUU_LLM_URL", None)
    setups = []
    if args.only != "llama-server":
        setups.append(("in-process", None))
    if args.only != "in-process":
        if binary is None or not binary.is_file():
            sys.exit("llama-server not found: run `make llama-server` or pass --llama-server")
        setups.append(("llama-server", binary))
    print(f"GGUF {gguf.name}; {len(qs)} distinct questions; users {counts}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    table = []
    for name, server_binary in setups:
        procs = []
        try:
            env = dict(base)
            if server_binary is not None:
                engine, engine_url = start_llama_server(server_binary, gguf, args.parallel, settings.n_ctx, args.threads)
                procs.append(engine)
                env["TRACUU_LLM_URL"] = engine_url + "/v1"
            api, url = start_api(env)
            procs.append(api)
            ask(url, warm_question, args.model, time.time() + 600)  # warm-up: load the model
            for n in counts:
                row = round_of(url, n, qs, args.model, args.deadline)
                row["setup"] = name
                table.append(row)
                print(f"{name:>12}  N={n:>2}  {row['answered']:>2}/{n} answered ({row['cited']} cited)  "
                      f"{row['per_min']:5.2f} answers/min  latency p50 {pct(row['lat'], 50):6.1f} s  "
                      f"p95 {pct(row['lat'], 95):6.1f} s  first token p50 {pct(row['first'], 50):6.1f} s  "
                      f"p95 {pct(row['first'], 95):6.1f} s  wall {row['wall']:6.1f} s  "
                      f"load {os.getloadavg()[0]:.1f}" + (f"  errors: {row['errors']}" if row["errors"] else ""),
                      flush=True)
        finally:
            for p in reversed(procs):
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
    print("\n| setup | users | answers/min | latency p50 | latency p95 | first token p50 | first token p95 | cited |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in table:
        print(f"| {r['setup']} | {r['users']} | {r['per_min']:.2f} | {pct(r['lat'], 50):.1f} s | {pct(r['lat'], 95):.1f} s "
              f"| {pct(r['first'], 50):.1f} s | {pct(r['first'], 95):.1f} s | {r['cited']}/{r['answered']} |")
    by = {(r["setup"], r["users"]): r for r in table}
    for n in counts:
        if ("in-process", n) in by and ("llama-server", n) in by and by[("in-process", n)]["per_min"]:
            print(f"N={n}: llama-server --parallel {args.parallel} gives "
                  f"{by[('llama-server', n)]['per_min'] / by[('in-process', n)]['per_min']:.2f}x the answers per minute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
