"""Faults the index survives, counted: a reader loading the index while a writer swaps versions N
times (mixed loads must be 0), K ingests of different plans started at the same instant (lost plans
must be 0), and a writer killed at every step of the swap (each must leave a loadable index).
Real index files, the HashingEmbedder (the model is not the point).

    PYTHONPATH=. python bench/faults.py [--swaps 200] [--ingests 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLAN = """ỦY BAN NHÂN DÂN
XÃ {upper}
Số: {number}/KH-UBND

KẾ HOẠCH
Phòng, chống ma túy trên địa bàn xã {place} năm 2026

I. MỤC ĐÍCH, YÊU CẦU
Kiềm chế, làm giảm số người nghiện ma túy trên địa bàn xã {place}; phấn đấu 100% thôn không ma túy.

II. PHÂN CÔNG NHIỆM VỤ
1. Trạm y tế xã {place}
a) Phối hợp xác định tình trạng nghiện ma túy cho người sử dụng trái phép chất ma túy.
b) Tuyên truyền tác hại của ma túy tại các thôn của xã {place}, mỗi quý ít nhất một lần.
"""
PLACES = ["An Bình", "Bình Minh", "Cẩm Giàng", "Đông Hòa", "Gia Lộc", "Hòa Bình", "Kim Sơn", "Long Hải"]


def write_plans(folder: Path, places: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, place in enumerate(places, 1):
        path = folder / f"{place.lower().replace(' ', '-')}.txt"
        path.write_text(PLAN.format(place=place, upper=place.upper(), number=10 + i), encoding="utf-8")
        out.append(path)
    return out


def _settings(index_dir: Path):
    from tracuu.settings import Settings

    return Settings.from_env(index_dir=index_dir)


SWAPPER = """
import sys
from pathlib import Path
from index.lock import writer_lock
from index.store import read_index, write_index

target, a, b, n = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
versions = [read_index(a, search=True), read_index(b, search=True)]
skip = {"layout", "version", "files", "built_at"}
for i in range(n):
    s = versions[i % 2]
    with writer_lock(target):
        write_index(target, {k: v for k, v in s.manifest.items() if k not in skip}, s.documents, s.chunks,
                    s.vectors, s.faiss, s.bm25)
print(n, flush=True)
"""


def readers_during_swaps(workdir: Path, swaps: int = 200) -> dict:
    """A writer process swaps between two versions `swaps` times while this process loads the index
    as fast as it can; a load is mixed unless it is exactly one version, every part agreeing."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from index.store import read_index
    from tracuu.errors import TracuuError

    workdir = Path(workdir)
    plans = write_plans(workdir / "plans", PLACES[:3])
    a, b, target = workdir / "a", workdir / "b", workdir / "index"
    build_index(plans[:2], _settings(a), HashingEmbedder())
    build_index(plans, _settings(b), HashingEmbedder())
    build_index(plans[:2], _settings(target), HashingEmbedder())
    known = {tuple(c.chunk_id for c in read_index(x).chunks): x.name for x in (a, b)}
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    writer = subprocess.Popen([sys.executable, "-c", SWAPPER, str(target), str(a), str(b), str(swaps)], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    loads, mixed, errors, seen = 0, 0, [], set()
    while True:
        running = writer.poll() is None
        try:
            s = read_index(target, search=True)
        except TracuuError as exc:
            errors.append(str(exc))
        else:
            loads += 1
            kind = known.get(tuple(c.chunk_id for c in s.chunks))
            whole = (len(s.vectors) == len(s.chunks) == s.faiss.ntotal == s.bm25.matrix.shape[0]
                     == s.manifest["chunks"] and {d.file for d in s.documents} == set(s.manifest["documents"]))
            if kind is None or not whole:
                mixed += 1
            else:
                seen.add(kind)
        if not running:
            break
    out, err = writer.communicate()
    return {"swaps": int(out.strip() or 0), "loads": loads, "mixed": mixed, "errors": errors[:5],
            "versions_seen": len(seen), "writer_exit": writer.returncode, "writer_stderr": err[-2000:],
            "seconds": round(time.perf_counter() - started, 1)}


INGESTER = """
import sys, time
from pathlib import Path
from index.build import build_index
from index.embedder import HashingEmbedder
from tracuu.settings import Settings

class Slow(HashingEmbedder):
    def embed_documents(self, texts):
        time.sleep(0.5)  # the window in which an unlocked writer would lose another's plan
        return super().embed_documents(texts)

time.sleep(max(0, float(sys.argv[3]) - time.time()))
report = build_index([Path(sys.argv[2])], Settings.from_env(index_dir=Path(sys.argv[1])), Slow(),
                     progress=lambda m: print(m, flush=True))
print("ADDED", ",".join(report.added), flush=True)
"""


def concurrent_ingests(workdir: Path, k: int = 4) -> dict:
    """k processes each ingest a different plan into one index, started at the same instant."""
    from index.store import read_index

    workdir = Path(workdir)
    plans = [write_plans(workdir / f"p{i}", [PLACES[i % len(PLACES)]])[0] for i in range(k)]
    target = workdir / "index"
    start = str(time.time() + 2 + 0.3 * k)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", INGESTER, str(target), str(p), start], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in plans]
    outs = [p.communicate(timeout=300) for p in procs]
    present = {d.file for d in read_index(target).documents}
    return {"ingests": k, "exits": [p.returncode for p in procs], "present": len(present),
            "lost": sorted(p.name for p in plans if p.name not in present),
            "waited": sum("Đang chờ lần nạp khác" in o for o, _ in outs), "stderr": [e[-500:] for _, e in outs if e],
            "seconds": round(time.perf_counter() - started, 1)}


CRASHER = """
import sys
from pathlib import Path
from index.build import build_index
from index.embedder import HashingEmbedder
from tracuu.settings import Settings

build_index([Path(p) for p in sys.argv[2:]], Settings.from_env(index_dir=Path(sys.argv[1])), HashingEmbedder())
"""


def kills_at_every_step(workdir: Path) -> dict:
    """For each step of the swap, a writer killed there; then a load, and a next ingest."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from index.store import CRASH_ENV, SWAP_STEPS, read_index
    from tracuu.errors import TracuuError

    loadable, killed = 0, 0
    for step in SWAP_STEPS:
        folder = Path(workdir) / step
        plans = write_plans(folder / "plans", PLACES[:2])
        target = folder / "index"
        build_index(plans[:1], _settings(target), HashingEmbedder())
        env = dict(os.environ, PYTHONPATH=str(REPO), **{CRASH_ENV: step})
        done = subprocess.run([sys.executable, "-c", CRASHER, str(target), *map(str, plans)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
        killed += done.returncode == 86
        try:
            read_index(target, search=True)
            build_index(plans, _settings(target), HashingEmbedder())
            loadable += len(read_index(target).documents) == 2
        except TracuuError:
            pass
    return {"steps": len(SWAP_STEPS), "killed": killed, "loadable_after": loadable}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--swaps", type=int, default=200)
    ap.add_argument("--ingests", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracuu-faults-") as tmp:
        r = readers_during_swaps(Path(tmp) / "swaps", args.swaps)
        print(f"reader during {r['swaps']} swaps: {r['loads']} loads, {r['mixed']} mixed, {len(r['errors'])} errors, "
              f"{r['versions_seen']} versions seen ({r['seconds']} s)")
        c = concurrent_ingests(Path(tmp) / "ingests", args.ingests)
        print(f"{c['ingests']} concurrent ingests: {c['present']} plans present, {len(c['lost'])} lost, "
              f"{c['waited']} waited for the lock, exit codes {c['exits']} ({c['seconds']} s)")
        k = kills_at_every_step(Path(tmp) / "kills")
        print(f"writer killed at each of {k['steps']} swap steps: {k['killed']} killed, "
              f"{k['loadable_after']} left a loadable index that the next ingest completed")
        for e in r["errors"] + c["stderr"]:
            print("  ", textwrap.shorten(e, 300))


if __name__ == "__main__":
    main()
