"""The quality gate: a run's report checked against the committed thresholds in `eval/gate.toml`.

A threshold applies to runs over one corpus (`corpus = "corpus2"`; "plans" when absent), so that
`tracuu eval --corpus corpus2 --gate` is judged by that corpus's bars only. The release bars are on the
held-out column (`….by_split.heldout.…`) and on the tuned-minus-heldout gap (`answers.split_gap.…`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from eval.report import lookup
from tracuu.errors import TracuuError

DEFAULT_PATH = Path(__file__).resolve().parent / "gate.toml"


@dataclass(frozen=True)
class Outcome:
    metric: str  # dotted path into the report, e.g. "answers.overall.false_refusals"
    label: str  # Vietnamese description
    bound: str  # "≥ 0.95" or "≤ 0.05"
    value: float | None  # None when the run did not compute the metric
    passed: bool | None  # None = skipped

    def __str__(self) -> str:
        shown = "không đo" if self.value is None else f"{self.value:.3f}"
        return f"{self.label} ({self.metric}) = {shown}, yêu cầu {self.bound}"


def load_thresholds(path: str | Path | None = None) -> list[dict]:
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TracuuError(f"Không đọc được tệp ngưỡng {path}: {exc}. Khôi phục eval/gate.toml.") from exc
    rows = data.get("threshold", [])
    for row in rows:
        if "metric" not in row or not ({"min", "max"} & row.keys()):
            raise TracuuError(f"{path}: mỗi [[threshold]] cần 'metric' và 'min' hoặc 'max' — sửa mục {row}.")
    return rows


def applies(row: dict, report: dict) -> bool:
    """Whether a threshold row is for the corpus this run measured."""
    return row.get("corpus", "plans") == (report.get("meta") or {}).get("corpus", "plans")


def outcomes(report: dict, path: str | Path | None = None) -> list[Outcome]:
    """Every threshold with the report's value and whether it passed (None: the run did not measure it)."""
    out = []
    for row in load_thresholds(path):
        if not applies(row, report):
            continue
        value = lookup(report, row["metric"])
        checks, bounds = [], []
        if "min" in row:
            bounds.append(f"≥ {row['min']}")
            checks.append(value is not None and value >= row["min"])
        if "max" in row:
            bounds.append(f"≤ {row['max']}")
            checks.append(value is not None and value <= row["max"])
        passed = None if value is None else all(checks)
        out.append(Outcome(row["metric"], row.get("label", row["metric"]), " và ".join(bounds), value, passed))
    return out


def check(report: dict, path: str | Path | None = None) -> list[Outcome]:
    """The thresholds the report fails (skipped ones are not failures)."""
    return [o for o in outcomes(report, path) if o.passed is False]
