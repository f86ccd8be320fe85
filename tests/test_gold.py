"""The gold evaluation set is well formed and every quote really occurs in its plan."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from eval.gold import DEFAULT_PATH, TYPES, VARIANTS, GoldFormatError, GoldItem, load_gold
from ingest.normalize import contains_quote

PLANS_DIR = Path(__file__).resolve().parents[1] / "data" / "plans"
REQUIRED = ("id", "question", "type", "variant", "answer", "quotes", "key_phrases", "plans", "follows")

MIN_TOTAL = 100
MIN_PER_TYPE = {
    "agency_duty": 25,
    "numeric_target": 15,
    "deadline": 10,
    "who_responsible": 10,
    "scope": 8,
    "cross_plan": 8,
    "unanswerable": 12,
    "follow_up": 8,
}
MIN_PER_VARIANT = {"no_diacritics": 15, "typo": 8, "alias": 8}
MAX_QUOTE_CHARS = 300

ITEMS = load_gold()


def by_id(item: GoldItem) -> str:
    return item.id


@lru_cache(maxsize=None)
def plan_text(name: str) -> str:
    return (PLANS_DIR / name).read_text(encoding="utf-8")


def test_every_line_is_nfc_json_with_required_fields():
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= MIN_TOTAL
    for lineno, line in enumerate(lines, 1):
        record = json.loads(line)
        assert set(record) == set(REQUIRED), f"line {lineno}: fields {sorted(record)}"
        assert line == unicodedata.normalize("NFC", line), f"line {lineno} is not NFC"
        assert "\\u" not in line, f"line {lineno}: write with ensure_ascii=False"


def test_allowed_values_and_unique_ids():
    ids = [item.id for item in ITEMS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for item in ITEMS:
        assert item.type in TYPES
        assert item.variant in VARIANTS
        assert item.question.strip() and item.answer.strip()


def test_first_question_is_the_health_department_one():
    first = ITEMS[0]
    assert first.question == "Sở Y tế phải làm gì?"
    assert first.type == "agency_duty"
    assert "can-tho_kh-153-ubnd_2025.txt" in first.plans
    assert "Dự án 6" in first.key_phrases


def test_minimum_counts():
    assert len(ITEMS) >= MIN_TOTAL
    types = Counter(item.type for item in ITEMS)
    variants = Counter(item.variant for item in ITEMS)
    for name, minimum in MIN_PER_TYPE.items():
        assert types[name] >= minimum, f"{name}: {types[name]} < {minimum}"
    for name, minimum in MIN_PER_VARIANT.items():
        assert variants[name] >= minimum, f"{name}: {variants[name]} < {minimum}"


def test_every_plan_has_agency_duty_questions():
    covered = {plan for item in ITEMS if item.type == "agency_duty" for plan in item.plans}
    assert covered == {p.name for p in PLANS_DIR.glob("*.txt")}


def test_cross_plan_questions_quote_several_plans():
    for item in ITEMS:
        if item.type == "cross_plan":
            quoted = {q.file for q in item.quotes}
            assert len(item.plans) >= 2 and quoted == set(item.plans), item.id


def test_follow_ups_point_to_earlier_questions():
    seen: set[str] = set()
    for item in ITEMS:
        if item.type == "follow_up":
            assert item.follows in seen, f"{item.id} follows {item.follows!r}, not an earlier id"
        else:
            assert item.follows is None, f"{item.id} is not a follow_up but has follows"
        seen.add(item.id)


@pytest.mark.parametrize("item", ITEMS, ids=by_id)
def test_answerable_shape(item: GoldItem):
    if item.answerable:
        assert item.quotes and item.plans, "answerable questions need quotes and plans"
        assert 2 <= len(item.key_phrases) <= 5
        assert len(set(item.plans)) == len(item.plans)
        assert {q.file for q in item.quotes} <= set(item.plans), "a quote's file is not in plans"
        for plan in item.plans:
            assert (PLANS_DIR / plan).is_file(), f"no plan {plan}"
    else:
        assert not item.quotes and not item.plans and not item.key_phrases


@pytest.mark.parametrize("item", [i for i in ITEMS if i.answerable], ids=by_id)
def test_quotes_occur_in_their_plan(item: GoldItem):
    for quote in item.quotes:
        assert len(quote.text) <= MAX_QUOTE_CHARS, f"quote too long ({len(quote.text)}): {quote.text[:60]}"
        assert contains_quote(plan_text(quote.file), quote.text), f"not in {quote.file}: {quote.text}"


@pytest.mark.parametrize("item", [i for i in ITEMS if i.answerable], ids=by_id)
def test_key_phrases_occur_in_quotes_or_plans(item: GoldItem):
    for phrase in item.key_phrases:
        in_quotes = any(contains_quote(q.text, phrase) for q in item.quotes)
        in_plans = any(contains_quote(plan_text(p), phrase) for p in item.plans)
        assert in_quotes or in_plans, f"key phrase {phrase!r} found in no quote or plan"


def test_load_gold_names_file_and_line_of_a_malformed_record(tmp_path):
    good = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "gold.jsonl"
    path.write_text(good + "\n\n" + '{"id": "q999", "question": "…"\n', encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"gold\.jsonl:3"):
        load_gold(path)


def test_load_gold_rejects_unknown_type(tmp_path):
    record = json.loads(DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0])
    record["type"] = "trivia"
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r":1: .*trivia"):
        load_gold(path)


def test_gold_items_are_frozen_and_hashable():
    item = ITEMS[0]
    with pytest.raises(AttributeError):
        item.id = "x"  # type: ignore[misc]
    assert hash(item) == hash(load_gold()[0])
