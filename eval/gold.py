"""The gold evaluation set: questions an official would ask, with answers and verbatim quotes.

`load_gold()` reads `eval/gold/gold.jsonl` (one JSON object per line; schema in `eval/gold/README.md`)
into frozen `GoldItem`s. A malformed line raises `GoldFormatError` naming the file and line number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tracuu.errors import TracuuError

DEFAULT_PATH = Path(__file__).resolve().parent / "gold" / "gold.jsonl"

TYPES = (
    "agency_duty",
    "numeric_target",
    "deadline",
    "who_responsible",
    "scope",
    "cross_plan",
    "unanswerable",
    "follow_up",
)
VARIANTS = ("plain", "no_diacritics", "typo", "alias")

_FIELDS = ("id", "question", "type", "variant", "answer", "quotes", "key_phrases", "plans", "follows")


class GoldFormatError(TracuuError):
    """A line of the gold file does not follow the schema."""


@dataclass(frozen=True)
class Quote:
    file: str  # plan file name in data/plans, e.g. "can-tho_kh-153-ubnd_2025.txt"
    text: str  # answer-bearing passage copied verbatim from that plan


@dataclass(frozen=True)
class GoldItem:
    id: str  # "q001"
    question: str  # as an official would type it
    type: str  # one of TYPES
    variant: str  # one of VARIANTS
    answer: str  # gold answer in Vietnamese
    quotes: tuple[Quote, ...]  # empty for unanswerable
    key_phrases: tuple[str, ...]  # phrases a correct answer must contain; empty for unanswerable
    plans: tuple[str, ...]  # plan files that answer it; empty for unanswerable
    follows: str | None  # for follow_up: id of the earlier question it follows

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def _str_list(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{name}' phải là danh sách chuỗi")
    return tuple(value)


def _parse(record: object) -> GoldItem:
    if not isinstance(record, dict):
        raise ValueError("mỗi dòng phải là một đối tượng JSON")
    missing = [f for f in _FIELDS if f not in record]
    if missing:
        raise ValueError(f"thiếu trường {', '.join(missing)}")
    unknown = sorted(set(record) - set(_FIELDS))
    if unknown:
        raise ValueError(f"trường lạ {', '.join(unknown)}")
    for name in ("id", "question", "type", "variant", "answer"):
        if not isinstance(record[name], str) or not record[name].strip():
            raise ValueError(f"'{name}' phải là chuỗi không rỗng")
    if record["type"] not in TYPES:
        raise ValueError(f"type '{record['type']}' không hợp lệ (chọn một trong {', '.join(TYPES)})")
    if record["variant"] not in VARIANTS:
        raise ValueError(f"variant '{record['variant']}' không hợp lệ (chọn một trong {', '.join(VARIANTS)})")
    if record["follows"] is not None and not isinstance(record["follows"], str):
        raise ValueError("'follows' phải là id (chuỗi) hoặc null")
    if not isinstance(record["quotes"], list):
        raise ValueError("'quotes' phải là danh sách")
    quotes = []
    for q in record["quotes"]:
        if not (isinstance(q, dict) and set(q) == {"file", "text"}
                and isinstance(q["file"], str) and isinstance(q["text"], str)):
            raise ValueError('mỗi quote phải có đúng hai trường chuỗi "file" và "text"')
        quotes.append(Quote(file=q["file"], text=q["text"]))
    return GoldItem(
        id=record["id"],
        question=record["question"],
        type=record["type"],
        variant=record["variant"],
        answer=record["answer"],
        quotes=tuple(quotes),
        key_phrases=_str_list(record["key_phrases"], "key_phrases"),
        plans=_str_list(record["plans"], "plans"),
        follows=record["follows"],
    )


def load_gold(path: str | Path | None = None) -> list[GoldItem]:
    """Read the gold set (default: eval/gold/gold.jsonl next to this module); blank lines are skipped."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.is_file():
        raise GoldFormatError(f"Không tìm thấy tệp gold tại {path}.")
    items = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                items.append(_parse(json.loads(line)))
            except (json.JSONDecodeError, ValueError) as exc:
                raise GoldFormatError(f"{path}:{lineno}: dòng không hợp lệ — {exc}. Sửa dòng này theo "
                                      f"lược đồ trong eval/gold/README.md.") from exc
    return items
