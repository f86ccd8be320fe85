"""The reader report: for every document of some folders, the form recognised, its signer, sections, records,
duty rows and bodies, and the rows whose body the lexicon lacks (to find junk such as "… Báo cáo" where a table's
columns ran into a name). No index and no model: the reader alone, as `tracuu ingest` runs it.

    python bench/forms.py ../shared/corpus3 [../shared/library] [--bodies] [--limit N] [--json out.json]
    python bench/forms.py ../shared/corpus3 --expect eval/gold/corpus3_bodies.json   # hand-checked bodies found?
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def report(path: Path) -> dict:
    """One document's row of the report (or its reason for being skipped)."""
    from ingest.canonical import lookup
    from ingest.pipeline import parse_file
    from ingest.readers import SkipFile
    from ingest.records import duties_of, extract_records

    started = time.perf_counter()
    try:
        doc, chunks = parse_file(path)
    except SkipFile as exc:
        return {"file": path.name, "skipped": str(exc)}
    except Exception as exc:  # as `tracuu ingest` does: the file is reported and skipped
        return {"file": path.name, "skipped": f"lỗi khi đọc ({type(exc).__name__}: {exc})"}
    records = extract_records([doc], chunks)
    duties = duties_of(records)
    bodies = Counter(d.canonical for d in duties)
    unknown = sorted({d.canonical for d in duties if not lookup(d.agency, doc.locality).known})
    return {
        "file": path.name, "kind": doc.kind, "form": doc.form, "number": doc.number, "date": doc.date,
        "issuer": doc.issuer, "level": doc.level, "signer": doc.signer, "chars": len(doc.text),
        "sections": len({c.section for c in chunks}), "chunks": len(chunks),
        "records": len(records), "kinds": dict(Counter(r.kind for r in records)),
        "duty_rows": len(duties), "bodies": dict(bodies.most_common()), "unknown_bodies": unknown,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--bodies", action="store_true", help="list every document's bodies and their row counts")
    ap.add_argument("--limit", type=int, default=0, help="at most N documents per folder (0: all)")
    ap.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    ap.add_argument("--expect", type=Path, default=None,
                    help="hand-checked bodies per file (eval/gold/corpus3_bodies.json): which have no duty row")
    args = ap.parse_args()
    from ingest.readers import SUPPORTED

    rows = []
    for folder in args.folders:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUPPORTED and p.name.lower() != "readme.md")
        files = files[: args.limit] if args.limit else files
        for i, path in enumerate(files, 1):
            row = report(path)
            rows.append(row)
            print(f"\r{folder.name}: {i}/{len(files)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    _print(rows, args.bodies)
    if args.expect:
        _expected(rows, json.loads(args.expect.read_text(encoding="utf-8"))["files"])
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def _print(rows: list[dict], bodies: bool) -> None:
    print(f"{'file':44} {'form':34} {'sect':>4} {'rec':>4} {'duty':>4} {'bod':>3} {'unk':>3}")
    forms, skipped = Counter(), []
    for r in rows:
        if "skipped" in r:
            skipped.append(r)
            continue
        forms[r["form"]] += 1
        print(f"{r['file'][:44]:44} {r['form'][:34]:34} {r['sections']:4} {r['records']:4} {r['duty_rows']:4} "
              f"{len(r['bodies']):3} {len(r['unknown_bodies']):3}")
        if bodies:
            for body, n in r["bodies"].items():
                print(f"    {n:3}  {body}{'   (ngoài từ điển)' if body in r['unknown_bodies'] else ''}")
    read = [r for r in rows if "skipped" not in r]
    print(f"\n{len(read)} read, {len(skipped)} skipped; duty rows {sum(r['duty_rows'] for r in read)}; "
          f"documents with no duty row {sum(1 for r in read if not r['duty_rows'])}; "
          f"bodies outside the lexicon {sum(len(r['unknown_bodies']) for r in read)}; "
          f"with a signer {sum(1 for r in read if r.get('signer'))}; "
          f"{sum(r['seconds'] for r in read):.1f} s")
    print("forms: " + ", ".join(f"{f} {n}" for f, n in forms.most_common()))
    for r in skipped:
        print(f"skipped {r['file']}: {r['skipped']}")


def _expected(rows: list[dict], expected: dict[str, list[dict]]) -> None:
    """Each hand-checked body with the rows found for it (by its canonical name, as `tracuu duties --agency`
    matches it), and the share of bodies and of their items found."""
    from ingest.canonical import lookup

    bodies = found = items = items_found = 0
    print("\nhand-checked bodies without duty rows:")
    for r in rows:
        for want in expected.get(r["file"], []):
            name = lookup(want["body"], None).canonical
            have = sum(n for body, n in r.get("bodies", {}).items() if lookup(body, None).canonical == name)
            bodies += 1
            items += want["items"]
            found += bool(have)
            items_found += min(have, want["items"])
            if not have:
                print(f"  {r['file'][:40]:40} {want['body']}")
    print(f"bodies with rows {found}/{bodies}; items {items_found}/{items}")


if __name__ == "__main__":
    main()
