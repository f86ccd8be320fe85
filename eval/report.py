"""Write an eval run to disk — `results.json`, `report.md` and a self-contained `report.html` (tables,
inline SVG charts, no external JS/CSS) — and compare it with the previous run in the same parent folder.

Metrics are named by their path in the report dict ("retrieval.modes.hybrid.overall.recall@5",
"answers.overall.key_phrase_coverage", "answers.timings.total_ms.p95"); `eval/gate.toml` uses the same.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

ANSWER_METRICS = ("key_phrase_coverage", "citation_precision", "citation_recall", "context_recall",
                  "unsupported_rate", "removed_rate", "unanswerable_refused", "false_refusals")
RETRIEVAL_METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10", "hit@5")
LABELS = {
    "recall@1": "độ phủ trích dẫn @1", "recall@5": "độ phủ trích dẫn @5", "recall@10": "độ phủ trích dẫn @10",
    "mrr@10": "MRR@10", "hit@5": "có đoạn đúng trong 5",
    "key_phrase_coverage": "độ phủ cụm từ khóa", "citation_precision": "độ chính xác trích dẫn",
    "citation_recall": "độ phủ trích dẫn vàng", "context_recall": "trích dẫn vàng có trong ngữ cảnh",
    "unsupported_rate": "tỷ lệ câu không có căn cứ", "removed_rate": "tỷ lệ câu mô hình bị loại",
    "unanswerable_refused": "từ chối đúng câu không trả lời được", "false_refusals": "từ chối nhầm",
    "first_token_ms": "thời gian tới chữ đầu (ms)", "total_ms": "tổng thời gian (ms)", "retrieve_ms": "thời gian tìm (ms)",
}
_LOWER_IS_BETTER = ("false_refusals", "unsupported_rate", "removed_rate", "_ms", "split_gap")
SPLIT_RETRIEVAL_METRICS = ("hit@5", "recall@5", "mrr@10")
SPLITS = ("tuned", "heldout")
GAP_METRIC = "answers.split_gap.key_phrase_coverage"  # the gap the gate bounds (eval/gate.toml)


def lookup(report: dict, path: str):
    """The value at a dotted path ("answers.overall.false_refusals"), or None if absent."""
    node = report
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def headline_metrics(report: dict) -> dict[str, float | None]:
    out = {}
    for mode in (report.get("retrieval") or {}).get("modes", {}):
        for m in RETRIEVAL_METRICS:
            out[f"retrieval.modes.{mode}.overall.{m}"] = lookup(report, f"retrieval.modes.{mode}.overall.{m}")
    for split in SPLITS:
        for m in SPLIT_RETRIEVAL_METRICS:
            path = f"retrieval.modes.hybrid.by_split.{split}.{m}"
            if lookup(report, path) is not None:
                out[path] = lookup(report, path)
    if report.get("answers"):
        for m in ANSWER_METRICS:
            out[f"answers.overall.{m}"] = lookup(report, f"answers.overall.{m}")
            for split in SPLITS:
                if lookup(report, f"answers.by_split.{split}.{m}") is not None:
                    out[f"answers.by_split.{split}.{m}"] = lookup(report, f"answers.by_split.{split}.{m}")
        if lookup(report, GAP_METRIC) is not None:
            out[GAP_METRIC] = lookup(report, GAP_METRIC)
        for t in ("first_token_ms", "total_ms"):
            for p in ("p50", "p95"):
                out[f"answers.timings.{t}.{p}"] = lookup(report, f"answers.timings.{t}.{p}")
    return out


def lower_is_better(path: str) -> bool:
    return any(key in path for key in _LOWER_IS_BETTER)


def _fmt(v, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}" if abs(v) < 10 else f"{v:.0f}"
    return str(v)


# -- comparison ----------------------------------------------------------------------------------------
def find_previous(out_dir: Path, corpus: str = "plans", tries: int = 10) -> Path | None:
    """The latest other run over the same corpus (by folder name, which starts with its timestamp)
    next to `out_dir`; a run written before corpora existed counts as "plans"."""
    out_dir = Path(out_dir).resolve()
    runs = sorted(p for p in out_dir.parent.glob("*/results.json") if p.parent != out_dir)
    for path in reversed(runs[-tries:]):
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("meta") or {}
        except (OSError, ValueError):
            continue
        if meta.get("corpus", "plans") == corpus:
            return path
    return None


def compare(current: dict, previous: dict) -> dict:
    """Better / worse per headline metric and per question (hybrid recall@5 and first rank; answer
    failures) between two reports."""
    metrics = []
    now, before = headline_metrics(current), headline_metrics(previous)
    for path in now:
        a, b = before.get(path), now[path]
        if a is None or b is None:
            continue
        diff = b - a
        verdict = "=" if abs(diff) < 1e-9 else ("tốt hơn" if (diff < 0) == lower_is_better(path) else "kém hơn")
        metrics.append({"metric": path, "previous": a, "current": b, "delta": round(diff, 4), "verdict": verdict})
    questions = []
    for section, key, lower in (("retrieval", "modes.hybrid.recall@5", False), ("answers", "n_failures", True)):
        prev = {q["id"]: q for q in (previous.get(section) or {}).get("questions", [])}
        for q in (current.get(section) or {}).get("questions", []):
            if q["id"] not in prev:
                continue
            a, b = (_qvalue(prev[q["id"]], key), _qvalue(q, key))
            if a is None or b is None or a == b:
                continue
            questions.append({"id": q["id"], "metric": f"{section}.{key}", "previous": a, "current": b,
                              "verdict": "tốt hơn" if (b < a) == lower else "kém hơn"})
    return {"metrics": metrics, "questions": questions}


def _qvalue(q: dict, key: str):
    return len(q["failures"]) if key == "n_failures" else lookup(q, key)


# -- text --------------------------------------------------------------------------------------------
def _table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_fmt(c) if not isinstance(c, str) else c for c in row) + " |" for row in rows)]


def _gap_bar() -> float | None:
    """The bound eval/gate.toml puts on the tuned-minus-heldout key-phrase gap, if any."""
    from eval.gate import load_thresholds

    try:
        return next((row.get("max") for row in load_thresholds() if row["metric"] == GAP_METRIC), None)
    except Exception:  # noqa: BLE001 — a broken gate file is reported by the gate itself
        return None


def split_tables(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) tables putting the tuned and held-out columns side by side: retrieval
    (per mode: hit@5, recall@5, MRR@10) and answers (every answer metric). Empty when the run scored
    a single split."""
    out = []
    header = ["", "tất cả", "tuned", "heldout", "tuned − heldout"]
    r = report.get("retrieval")
    if r and len(r["modes"]["hybrid"].get("by_split", {})) > 1:
        rows = []
        for mode, t in r["modes"].items():
            split, gap = t.get("by_split", {}), t.get("split_gap", {})
            for m in SPLIT_RETRIEVAL_METRICS:
                rows.append([f"{mode} {m}", t["overall"].get(m), *(split.get(sp, {}).get(m) for sp in SPLITS), gap.get(m)])
        n = {sp: r["modes"]["hybrid"]["by_split"].get(sp, {}).get("n") for sp in SPLITS}
        out.append((f"Tìm kiếm theo tập câu hỏi (có trích dẫn vàng: tuned {n['tuned']}, heldout {n['heldout']})", header, rows))
    a = report.get("answers")
    if a and len(a.get("by_split", {})) > 1:
        split, gap = a["by_split"], a.get("split_gap", {})
        rows = [[m, a["overall"].get(m), *(split.get(sp, {}).get(m) for sp in SPLITS), gap.get(m)] for m in ANSWER_METRICS]
        out.append((f"Trả lời theo tập câu hỏi (tuned {split.get('tuned', {}).get('n')}, "
                    f"heldout {split.get('heldout', {}).get('n')} câu trả lời được)",
                    header, rows))
    return out


def relevance_split_lines(rel: dict) -> list[str]:
    """The refusal threshold (current, and the best one chosen on the tuned split) on each split."""
    by_split = rel.get("by_split") or {}
    if len(by_split) < 2:
        return []
    out = [f"  relevance theo tập (ngưỡng tốt nhất chọn trên {rel.get('best_chosen_on', 'tuned')}):"]
    for split, row in by_split.items():
        cur, best = row["at_current"], row.get("at_best") or {}
        out.append(f"    {split:<8} ({row['n']} câu): ở {rel['current']} từ chối đúng {_fmt(cur['unanswerable_refused'])}, "
                   f"nhầm {_fmt(cur['false_refusals'])}; ở {_fmt(best.get('threshold'))} đúng "
                   f"{_fmt(best.get('unanswerable_refused'))}, nhầm {_fmt(best.get('false_refusals'))}")
    return out


def gap_line(report: dict) -> str | None:
    """"tuned − held-out" of key-phrase coverage against the gate's bound, when both were measured."""
    gap = lookup(report, GAP_METRIC)
    if gap is None:
        return None
    bar = _gap_bar()
    verdict = "" if bar is None else (f" (yêu cầu ≤ {bar}: " + ("đạt" if gap <= bar else "KHÔNG ĐẠT") + ")")
    return f"Độ phủ cụm từ khóa: tuned − held-out = {gap:+.3f}{verdict}"


def headline(report: dict) -> str:
    """The table printed to stdout after a run."""
    lines = []
    meta = report.get("meta", {})
    if meta.get("corpus") and meta["corpus"] != "plans":
        lines.append(f"Kho văn bản: {meta['corpus']} ({meta.get('corpus_dir')})")
    r = report.get("retrieval")
    if r:
        lines.append(f"Tìm kiếm ({r['n_scored']} câu có trích dẫn vàng / {r['n']} câu):")
        lines.append(f"  {'cách tìm':<8}" + "".join(f"{m:>11}" for m in RETRIEVAL_METRICS))
        for mode, t in r["modes"].items():
            lines.append(f"  {mode:<8}" + "".join(f"{_fmt(t['overall'].get(m)):>11}" for m in RETRIEVAL_METRICS))
        rel = r["relevance"]
        cur, best = rel["at_current"], rel["best"] or {}
        lines.append(f"  ngưỡng relevance {rel['current']}: từ chối đúng {_fmt(cur['unanswerable_refused'])}, "
                     f"từ chối nhầm {_fmt(cur['false_refusals'])}; ngưỡng tách tốt nhất {_fmt(best.get('threshold'))} "
                     f"(đúng {_fmt(best.get('unanswerable_refused'))}, nhầm {_fmt(best.get('false_refusals'))})")
        lines += relevance_split_lines(rel)
    a = report.get("answers")
    if a:
        lines.append(f"Trả lời ({a['n']} câu, mô hình {a['model']}):")
        for m in ANSWER_METRICS:
            lines.append(f"  {m:<22} {_fmt(a['overall'].get(m)):>7}  {LABELS[m]}")
        for t in ("first_token_ms", "total_ms"):
            lat = a["timings"][t]
            lines.append(f"  {t:<22} p50 {_fmt(lat['p50'])} ms, p95 {_fmt(lat['p95'])} ms")
        for mode, t in a["timings"].get("by_mode", {}).items():
            lines.append(f"    {mode} ({t['total_ms']['n']} câu): chữ đầu p50 {_fmt(t['first_token_ms']['p50'])} ms, "
                         f"tổng p50 {_fmt(t['total_ms']['p50'])} ms, p95 {_fmt(t['total_ms']['p95'])} ms")
    for title, header, rows in split_tables(report):
        lines.append(f"{title}:")
        lines.append(f"  {'':<22}" + "".join(f"{h:>16}" for h in header[1:]))
        lines += [f"  {row[0]:<22}" + "".join(f"{_fmt(c):>16}" for c in row[1:]) for row in rows]
    gap = gap_line(report)
    if gap:
        lines.append(gap)
    return "\n".join(lines)


def markdown(report: dict, comparison: dict | None = None) -> str:
    meta = report.get("meta", {})
    out = [f"# Đánh giá tracuu — {meta.get('started_at', '')}", "",
           f"Chỉ mục {meta.get('index_built_at')} ({meta.get('chunks')} đoạn, {meta.get('embed_model')}); "
           f"cài đặt `{json.dumps(meta.get('settings', {}), ensure_ascii=False)}`; tập con `{meta.get('subset')}`; "
           f"kho `{meta.get('corpus', 'plans')}`.", ""]
    tables = split_tables(report)
    if tables:
        out += ["## Tuned và held-out", "",
                "Các ngưỡng và danh sách từ được chọn trên tập tuned; tập held-out chưa bao giờ được dùng để chỉnh.", ""]
        for title, header, rows in tables:
            out += [f"### {title}", "", *_table(header, rows), ""]
        gap = gap_line(report)
        out += [gap, ""] if gap else []
    r = report.get("retrieval")
    if r:
        out += ["## Tìm kiếm", ""]
        out += _table(["cách tìm", *RETRIEVAL_METRICS, "p50 ms"],
                      [[m, *(t["overall"].get(k) for k in RETRIEVAL_METRICS), _fmt(t["latency_ms"]["p50"], 1)] for m, t in r["modes"].items()])
        for by in ("by_type", "by_variant"):
            groups = sorted({g for t in r["modes"].values() for g in t[by]})
            out += ["", f"### recall@5 / MRR@10 theo {'loại câu hỏi' if by == 'by_type' else 'biến thể'}", ""]
            out += _table(["nhóm", "n", *(f"{m} r@5" for m in r["modes"]), *(f"{m} mrr" for m in r["modes"])],
                          [[g, r["modes"]["hybrid"][by].get(g, {}).get("n"),
                            *(t[by].get(g, {}).get("recall@5") for t in r["modes"].values()),
                            *(t[by].get(g, {}).get("mrr@10") for t in r["modes"].values())] for g in groups])
        rel = r["relevance"]
        out += ["", "### Tín hiệu relevance (hybrid)", ""]
        out += _table(["nhóm", "n", "min", "p10", "p25", "p50", "p75", "max"],
                      [[g, *(rel[g][k] for k in ("n", "min", "p10", "p25", "p50", "p75", "max"))]
                       for g in ("answerable", "unanswerable")])
        out += ["", f"Trợ lý từ chối khi relevance < {rel['current']}. Ngưỡng tách tốt nhất: "
                    f"`{json.dumps(rel['best'], ensure_ascii=False)}`.", ""]
        split_lines = relevance_split_lines(rel)
        out += ["```", *split_lines, "```", ""] if split_lines else []
        out += _table(["ngưỡng", "từ chối đúng", "từ chối nhầm", "J"],
                      [[row["threshold"], row["unanswerable_refused"], row["false_refusals"], row["j"]] for row in rel["thresholds"]])
        out += ["", f"Câu trả lời được nhưng dưới ngưỡng: {', '.join(rel['answerable_below_current']) or '—'}; "
                    f"câu không trả lời được nhưng đạt ngưỡng: {', '.join(rel['unanswerable_at_or_above_current']) or '—'}.", ""]
    a = report.get("answers")
    if a:
        out += ["## Câu trả lời", "", f"Mô hình `{a['model']}`, {a['n']} câu, chế độ {a['modes']}.", ""]
        out += _table(["chỉ số", "giá trị", "ý nghĩa"], [[m, a["overall"].get(m), LABELS[m]] for m in ANSWER_METRICS])
        out += ["", "### Theo loại câu hỏi", ""]
        out += _table(["loại", "n", *ANSWER_METRICS], [[g, row["n"], *(row.get(m) for m in ANSWER_METRICS)]
                                                       for g, row in sorted(a["by_type"].items())])
        out += ["", "### Thời gian (ms)", ""]
        out += _table(["", "p50", "p95", "max", "n"],
                      [[t, *(a["timings"][t][k] for k in ("p50", "p95", "max", "n"))] for t in ("retrieve_ms", "first_token_ms", "total_ms")])
    if comparison:
        out += ["", "## So với lần chạy trước", ""]
        out += _table(["chỉ số", "trước", "nay", "Δ", ""], [[c["metric"], c["previous"], c["current"], c["delta"], c["verdict"]]
                                                           for c in comparison["metrics"] if c["verdict"] != "="])
        out += ["", *(f"- {q['id']} {q['metric']}: {_fmt(q['previous'])} → {_fmt(q['current'])} ({q['verdict']})"
                      for q in comparison["questions"])]
    out += ["", "## Từng câu hỏi", ""]
    for q in _questions(report):
        out += _question_md(q)
    return "\n".join(out) + "\n"


def _questions(report: dict) -> list[dict]:
    """Retrieval and answer records merged per id, failing ones first."""
    merged: dict[str, dict] = {}
    for section in ("retrieval", "answers"):
        for q in (report.get(section) or {}).get("questions", []):
            merged.setdefault(q["id"], {"id": q["id"], "type": q["type"], "variant": q["variant"],
                                        "split": q.get("split"), "question": q["question"], "failures": []})
            merged[q["id"]][section] = q
            merged[q["id"]]["failures"] += q["failures"]
    return sorted(merged.values(), key=lambda q: (not q["failures"], q["id"]))


def _question_md(q: dict) -> list[str]:
    mark = "✗" if q["failures"] else "✓"
    split = f" / {q['split']}" if q.get("split") else ""
    out = [f"### {mark} {q['id']} — {q['type']} / {q['variant']}{split}", "", f"**Hỏi:** {q['question']}", ""]
    r = q.get("retrieval")
    if r:
        ranks = ", ".join(f"{m} hạng {v['rank']}" for m, v in r["modes"].items())
        out += [f"Truy vấn: `{r['query']}` — relevance {r['relevance']} — {ranks}", ""]
        out += [f"{h['rank']}. {'✔' if h['relevant'] else '·'} {h['file']} — {h['section']}" for h in r["top"]]
        out.append("")
    a = q.get("answers")
    if a:
        out += [f"**Trả lời** ({a['mode']}, {a['timings'].get('total_ms')} ms):", "", *("> " + line for line in a["answer"].splitlines()), ""]
        out += [f"- [{c['n']}] {'✔' if c['ok'] else '✗'} {c['label']} — {c['section']}" for c in a["citations"]]
        out.append("")
    out += [f"- ⚠ {f}" for f in q["failures"]]
    return out + [""]


def write(report: dict, out_dir: Path) -> dict[str, Path]:
    """Write results.json, report.md, report.html (with a comparison to the previous run, if any)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    previous_path = find_previous(out_dir, (report.get("meta") or {}).get("corpus", "plans"))
    comparison = None
    if previous_path:
        comparison = compare(report, json.loads(previous_path.read_text(encoding="utf-8")))
        comparison["previous_run"] = str(previous_path.parent)
    report = report | {"comparison": comparison}
    paths = {"json": out_dir / "results.json", "md": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(markdown(report, comparison), encoding="utf-8")
    paths["html"].write_text(render_html(report, comparison), encoding="utf-8")
    return paths


# -- HTML --------------------------------------------------------------------------------------------
_CSS = """body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.bad{color:#b00}.good{color:#070}details{margin:.3em 0}
summary{cursor:pointer}blockquote{border-left:3px solid #ccc;margin:.4em 0;padding-left:.8em;white-space:pre-wrap}
svg{margin:.5em 1em .5em 0}.f{color:#b00}"""
_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")
E = html.escape


def _html_table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{E(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{E(c if isinstance(c, str) else _fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def svg_bars(groups: list[str], series: dict[str, list], title: str, vmax: float = 1.0) -> str:
    """Grouped vertical bars: one group per label, one bar per series."""
    bw, gap, h, top, bottom = 14, 18, 160, 24, 95
    width = max(60 + len(groups) * (len(series) * bw + gap), 50 + sum(30 + 7 * len(n) for n in series))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h + top + bottom}" role="img">',
             f'<text x="4" y="14" font-size="12" font-weight="bold">{E(title)}</text>']
    for tick in (0, 0.5, 1.0):
        y = top + h - tick * h
        parts.append(f'<line x1="34" x2="{width}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                     f'<text x="2" y="{y + 4}" font-size="10">{_fmt(tick * vmax, 1)}</text>')
    for gi, g in enumerate(groups):
        x0 = 40 + gi * (len(series) * bw + gap)
        for si, (name, values) in enumerate(series.items()):
            v = values[gi]
            bh = 0 if v is None else max(0.0, min(1.0, v / vmax)) * h
            parts.append(f'<rect x="{x0 + si * bw}" y="{top + h - bh}" width="{bw - 2}" height="{bh}" '
                         f'fill="{_COLORS[si % 4]}"><title>{E(name)} {E(g)}: {_fmt(v)}</title></rect>')
        parts.append(f'<text transform="translate({x0 + 4},{top + h + 8}) rotate(40)" font-size="10">{E(g)}</text>')
    x = 40
    for si, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{h + top + bottom - 12}" width="10" height="10" fill="{_COLORS[si % 4]}"/>'
                     f'<text x="{x + 14}" y="{h + top + bottom - 3}" font-size="11">{E(name)}</text>')
        x += 30 + 7 * len(name)
    return "".join(parts) + "</svg>"


def svg_histogram(values: list[float], title: str, bins: int = 12) -> str:
    """A histogram of values (milliseconds)."""
    values = [v for v in values if v is not None]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    step = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / step))] += 1
    labels = [f"{(lo + i * step) / 1000:.1f}s" if hi >= 2000 else f"{lo + i * step:.0f}ms" for i in range(bins)]
    return svg_bars(labels, {"số câu": counts}, title, vmax=max(counts))


def render_html(report: dict, comparison: dict | None = None) -> str:
    md_meta = report.get("meta", {})
    body = [f"<h1>Đánh giá tracuu — {E(str(md_meta.get('started_at', '')))}</h1>",
            f"<p>Chỉ mục {E(str(md_meta.get('index_built_at')))} ({md_meta.get('chunks')} đoạn); cài đặt "
            f"<code>{E(json.dumps(md_meta.get('settings', {}), ensure_ascii=False))}</code>; tập con "
            f"<code>{E(str(md_meta.get('subset')))}</code>; kho <code>{E(str(md_meta.get('corpus', 'plans')))}</code></p>"]
    tables = split_tables(report)
    if tables:
        body.append("<h2>Tuned và held-out</h2><p>Các ngưỡng và danh sách từ được chọn trên tập tuned; "
                    "tập held-out chưa bao giờ được dùng để chỉnh.</p>")
        for title, header, rows in tables:
            body.append(f"<h3>{E(title)}</h3>" + _html_table(header, rows))
        gap = gap_line(report)
        if gap:
            body.append(f"<p><b>{E(gap)}</b></p>")
    r = report.get("retrieval")
    if r:
        modes = r["modes"]
        body.append("<h2>Tìm kiếm</h2>")
        body.append(_html_table(["cách tìm", *RETRIEVAL_METRICS, "p50 ms"],
                                [[m, *(t["overall"].get(k) for k in RETRIEVAL_METRICS), _fmt(t["latency_ms"]["p50"], 1)] for m, t in modes.items()]))
        for by in ("by_type", "by_variant"):
            groups = sorted({g for t in modes.values() for g in t[by]})
            body.append(svg_bars(groups, {m: [t[by].get(g, {}).get("recall@5") for g in groups] for m, t in modes.items()},
                                 f"recall@5 theo {'loại' if by == 'by_type' else 'biến thể'}"))
        rel = r["relevance"]
        body.append(svg_bars([f"{b / 10:.1f}" for b in range(10)],
                             {g: rel[g]["histogram"] for g in ("answerable", "unanswerable")},
                             "phân bố relevance", vmax=max(1, *rel["answerable"]["histogram"], *rel["unanswerable"]["histogram"])))
        body.append(f"<p>Ngưỡng hiện tại {rel['current']}; tốt nhất <code>{E(json.dumps(rel['best'], ensure_ascii=False))}</code></p>")
        body.append(_html_table(["ngưỡng", "từ chối đúng", "từ chối nhầm", "J"],
                                [[x["threshold"], x["unanswerable_refused"], x["false_refusals"], x["j"]] for x in rel["thresholds"]]))
    a = report.get("answers")
    if a:
        body.append(f"<h2>Câu trả lời — {E(a['model'])} ({a['n']} câu)</h2>")
        body.append(_html_table(["chỉ số", "giá trị", "ý nghĩa"], [[m, a["overall"].get(m), LABELS[m]] for m in ANSWER_METRICS]))
        types = sorted(a["by_type"])
        body.append(svg_bars(types, {m: [a["by_type"][t].get(m) for t in types]
                                     for m in ("key_phrase_coverage", "citation_precision", "citation_recall")}, "câu trả lời theo loại"))
        body.append(_html_table(["", "p50", "p95", "max", "n"],
                                [[t, *(a["timings"][t][k] for k in ("p50", "p95", "max", "n"))] for t in ("retrieve_ms", "first_token_ms", "total_ms")]))
        body.append(svg_histogram([q["timings"].get("total_ms") for q in a["questions"]], "tổng thời gian trả lời"))
        body.append(svg_histogram([q["timings"].get("first_token_ms") for q in a["questions"]], "thời gian tới chữ đầu"))
    elif r:
        body.append(svg_histogram([q["modes"]["hybrid"]["ms"] for q in r["questions"]], "thời gian tìm kiếm hybrid"))
    if comparison:
        body.append(f"<h2>So với lần chạy trước</h2><p>{E(str(comparison.get('previous_run', '')))}</p>")
        body.append(_html_table(["chỉ số", "trước", "nay", "Δ", ""],
                                [[c["metric"], c["previous"], c["current"], c["delta"], c["verdict"]] for c in comparison["metrics"]]))
        body.append(_html_table(["câu", "chỉ số", "trước", "nay", ""],
                                [[q["id"], q["metric"], q["previous"], q["current"], q["verdict"]] for q in comparison["questions"]]))
    body.append("<h2>Từng câu hỏi</h2>")
    body += [_question_html(q) for q in _questions(report)]
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>tracuu eval</title>'
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")


def _question_html(q: dict) -> str:
    mark = '<span class="bad">✗</span>' if q["failures"] else '<span class="good">✓</span>'
    split = f"/{q['split']}" if q.get("split") else ""
    out = [f"<details{' open' if q['failures'] else ''}><summary>{mark} <b>{E(q['id'])}</b> {E(q['type'])}/{E(q['variant'])}{E(split)} — "
           f"{E(q['question'])}</summary>"]
    r = q.get("retrieval")
    if r:
        ranks = ", ".join(f"{m} hạng {v['rank']}" for m, v in r["modes"].items())
        out.append(f"<p>Truy vấn <code>{E(r['query'])}</code> — relevance {r['relevance']} — {E(ranks)}</p><ol>")
        out += [f"<li>{'✔' if h['relevant'] else '·'} {E(h['file'])} — {E(h['section'])}<br><small>{E(h['text'])}</small></li>"
                for h in r["top"]]
        out.append("</ol>")
    a = q.get("answers")
    if a:
        out.append(f"<p><b>Trả lời</b> ({E(a['mode'])}, {a['timings'].get('total_ms')} ms)</p><blockquote>{E(a['answer'])}</blockquote><ul>")
        out += [f"<li>[{c['n']}] {'✔' if c['ok'] else '✗'} {E(c['label'])} — {E(c['section'])}<br><small>{E(c['quote'])}</small></li>"
                for c in a["citations"]]
        out.append(f"</ul><p><small>Đáp án vàng: {E(a['gold_answer'])}</small></p>")
    out += [f'<p class="f">⚠ {E(f)}</p>' for f in q["failures"]]
    return "".join(out) + "</details>"
