"""The gold evaluation set: questions an official would ask, with answers and verbatim quotes.

`load_gold()` reads one file, by default `eval/gold/gold.jsonl` (one JSON object per line; schema in
`eval/gold/README.md`), into frozen `GoldItem`s. A malformed line raises `GoldFormatError` naming the file
and line number. `load_corpus(corpus)` reads every gold file and keeps the items about one corpus:
"plans" (the tuned `gold.jsonl` and the held-out `heldout.jsonl`), "corpus2" (`corpus2.jsonl`), "corpus3"
(`corpus3.jsonl`, both splits; its documents are evaluated added to the bundled plans, see `INDEXED_WITH`) or
"corpus4" (`corpus4.jsonl`, both splits: documents of ../shared/library that nothing was tuned on before their
questions were written).
Each item carries its `split` ("tuned" or "heldout"; a record without the field is tuned) and its
`corpus` ("plans" when absent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tracuu.errors import TracuuError

GOLD_DIR = Path(__file__).resolve().parent / "gold"
DEFAULT_PATH = GOLD_DIR / "gold.jsonl"  # the tuned split
HELDOUT_PATH = GOLD_DIR / "heldout.jsonl"  # held-out questions about the bundled plans
CORPUS2_PATH = GOLD_DIR / "corpus2.jsonl"  # held-out questions about ../shared/corpus2
CORPUS3_PATH = GOLD_DIR / "corpus3.jsonl"  # tuned and held-out questions about ../shared/corpus3
CORPUS3_BODIES_PATH = GOLD_DIR / "corpus3_bodies.json"  # bodies each corpus3 document gives work to
CORPUS4_PATH = GOLD_DIR / "corpus4.jsonl"  # tuned and held-out questions about documents of ../shared/library
GOLD_FILES = (DEFAULT_PATH, HELDOUT_PATH, CORPUS2_PATH, CORPUS3_PATH, CORPUS4_PATH)
REPO_ROOT = Path(__file__).resolve().parent.parent
# where each corpus's documents live by default (the quotes' `file` names are files of that folder)
CORPUS_DIRS = {"plans": REPO_ROOT / "data" / "plans", "corpus2": REPO_ROOT.parent / "shared" / "corpus2",
               "corpus3": REPO_ROOT.parent / "shared" / "corpus3", "corpus4": REPO_ROOT.parent / "shared" / "library"}
# corpora whose documents are indexed together with another corpus's when evaluated: corpus3 measures each
# document added to the bundled plans, so its temporary index holds both folders
INDEXED_WITH = {"corpus3": ("plans",), "corpus4": ("plans",)}
# corpora whose folder is a library far larger than its questions: only the documents the questions name are
# indexed (the library's 442 documents are for scale and speed, `bench/library.py`, not for these questions)
SAMPLED = ("corpus4",)
SPLITS = ("tuned", "heldout")
CORPORA = tuple(CORPUS_DIRS)

TYPES = (
    "agency_duty",
    "numeric_target",
    "deadline",
    "who_responsible",
    "scope",
    "cross_plan",
    "unanswerable",
    "follow_up",
    # added with the held-out files
    "funding",
    "legal_basis",
    "definition",
    "legal_provision",
    "substance_list",
    # added with corpus3.jsonl
    "reporting",
    "signer",
    "issuer",
    "count",
)
VARIANTS = ("plain", "no_diacritics", "typo", "alias", "polite")

_FIELDS = ("id", "question", "type", "variant", "answer", "quotes", "key_phrases", "plans", "follows")
_OPTIONAL = {"split": SPLITS, "corpus": CORPORA}  # field -> allowed values; absent = the first one


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
    split: str = "tuned"  # "tuned" (thresholds were fitted on it) or "heldout" (never tuned on)
    corpus: str = "plans"  # "plans" (data/plans), "corpus2", "corpus3" (../shared/corpusN) or "corpus4" (library)

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
    unknown = sorted(set(record) - set(_FIELDS) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"trường lạ {', '.join(unknown)}")
    for name in ("id", "question", "type", "variant", "answer"):
        if not isinstance(record[name], str) or not record[name].strip():
            raise ValueError(f"'{name}' phải là chuỗi không rỗng")
    if record["type"] not in TYPES:
        raise ValueError(f"type '{record['type']}' không hợp lệ (chọn một trong {', '.join(TYPES)})")
    if record["variant"] not in VARIANTS:
        raise ValueError(f"variant '{record['variant']}' không hợp lệ (chọn một trong {', '.join(VARIANTS)})")
    for name, allowed in _OPTIONAL.items():
        if name in record and record[name] not in allowed:
            raise ValueError(f"{name} '{record[name]}' không hợp lệ (chọn một trong {', '.join(allowed)})")
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
        split=record.get("split", SPLITS[0]),
        corpus=record.get("corpus", CORPORA[0]),
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


def load_all() -> list[GoldItem]:
    """Every gold file (tuned, held-out, corpus2, corpus3) in that order; ids are unique across them."""
    items = [item for path in GOLD_FILES if path.is_file() for item in load_gold(path)]
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise GoldFormatError(f"Id {item.id} xuất hiện hai lần trong các tệp gold ({GOLD_DIR}); đặt id khác.")
        seen.add(item.id)
    return items


@dataclass(frozen=True)
class GoldBody:
    file: str  # a corpus3 document, e.g. "nq_cp_03_2025_ctrhd_nq57_khcn_cds.md"
    body: str  # a body the document gives work to, as the document names it
    items: int  # approximate number of items/rows addressed to it (chủ trì or thực hiện)
    where: str  # the sections or appendix rows those items are in


def load_bodies(path: str | Path | None = None) -> list[GoldBody]:
    """The hand-checked bodies of `eval/gold/corpus3_bodies.json` (schema in eval/gold/README.md)."""
    path = Path(path) if path is not None else CORPUS3_BODIES_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [GoldBody(file=name, body=b["body"], items=int(b["items"]), where=b["where"])
                for name, bodies in data["files"].items() for b in bodies]
    except FileNotFoundError as exc:
        raise GoldFormatError(f"Không tìm thấy tệp {path}.") from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GoldFormatError(f"{path}: không đúng lược đồ ({exc}). Sửa theo eval/gold/README.md, "
                              f"mục corpus3_bodies.json.") from exc


def named_files(items: list[GoldItem]) -> list[str]:
    """The documents some question answers from, in the order first named: what a sampled corpus indexes."""
    return list(dict.fromkeys(name for item in items for name in (*item.plans, *(q.file for q in item.quotes))))


def load_corpus(corpus: str = "plans") -> list[GoldItem]:
    """The gold items about one corpus (both splits), in file order."""
    if corpus not in CORPORA:
        raise GoldFormatError(f"Không có bộ câu hỏi cho kho '{corpus}'; chọn một trong {', '.join(CORPORA)}.")
    return [item for item in load_all() if item.corpus == corpus]
