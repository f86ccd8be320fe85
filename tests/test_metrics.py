"""eval.metrics on small hand-made inputs; every expected value is worked out by hand in a comment."""

from __future__ import annotations

import pytest

from eval.gold import Quote
from eval.metrics import (
    Passage, best_threshold, citation_precision, false_refusal_rate, group_mean, hit_at_k, holds,
    key_phrase_coverage, latency, mrr_at_k, percentile, quote_recall, recall_at_k, refusal_accuracy,
    relevance_matrix, removed_rate, threshold_table, unsupported_rate,
)

F = "can-tho_kh-153-ubnd_2025.txt"
OTHER = "nam-dinh_kh-kl132_2025.txt"
DUTY = "Chỉ đạo các cơ sở y tế trực thuộc thực hiện xác định tình trạng nghiện ma túy trên địa bàn toàn thành phố."
# 30 word tokens, numbered so that runs are easy to count
LONG = " ".join(f"từ{i}" for i in range(1, 31))


# -- relevance ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("passage, quote, expected", [
    # rule 1: markup, case, old tone placement ("tuý") and line breaks are ignored
    (Passage(F, "b) **Chỉ đạo** các cơ sở y tế trực thuộc thực hiện xác định tình trạng\nnghiện ma tuý trên địa bàn toàn thành phố."),
     Quote(F, DUTY), True),
    # the same words in another plan do not count
    (Passage(OTHER, DUTY), Quote(F, DUTY), False),
    # rule 2: a heading quote is held by a passage of that section (via its section path)
    (Passage(F, "a) Tổ chức hướng dẫn thực hiện phác đồ điều trị.", "IV. Phân công nhiệm vụ › 3. Sở Y tế › a)"),
     Quote(F, "3. Sở Y tế"), True),
    # … but not by a passage that merely mentions the sector (rules 3–4 skip short quotes)
    (Passage(F, "Phối hợp với Sở Y tế và các ngành liên quan.", "IV. Phân công nhiệm vụ › 5. Sở Tư pháp"),
     Quote(F, "3. Sở Y tế"), False),
    # rule 3: 15 of the 30 quote tokens (= SPLIT_SHARE) carried contiguously, as after a chunk split
    (Passage(F, " ".join(f"từ{i}" for i in range(16, 31)) + " và phần sau"), Quote(F, LONG), True),
    # 14 of 30 is less than half
    (Passage(F, " ".join(f"từ{i}" for i in range(17, 31)) + " và phần sau"), Quote(F, LONG), False),
    # rule 4: the whole passage (9 tokens ≥ MIN_RUN_TOKENS) lies inside the quote
    (Passage(F, " ".join(f"từ{i}" for i in range(5, 14))), Quote(F, LONG), True),
    # a 5-token passage inside the quote is too short to count
    (Passage(F, " ".join(f"từ{i}" for i in range(5, 10))), Quote(F, LONG), False),
    # rule 5: a table row as the reader writes it, with its column labels, holds the row quoted from the source
    # table, with its cell borders or without
    (Passage(F, "- TT: 75. · Tên nhiệm vụ: Thành lập Ủy ban Dữ liệu · Cơ quan chủ trì: Bộ Công an · Thời gian: 3/2025"),
     Quote(F, "75. | Thành lập Ủy ban Dữ liệu | Bộ Công an | | 3/2025"), True),
    (Passage(F, "Mở đầu.\n- TT: 75. · Tên nhiệm vụ: Thành lập Ủy ban Dữ liệu · Cơ quan chủ trì: Bộ Công an"),
     Quote(F, "75. Thành lập Ủy ban Dữ liệu Bộ Công an"), True),
    # … but not a row of other cells, nor running text that is no row
    (Passage(F, "- TT: 76. · Tên nhiệm vụ: Thành lập Hội đồng · Cơ quan chủ trì: Bộ Công an · Thời gian: 3/2025"),
     Quote(F, "75. | Thành lập Ủy ban Dữ liệu | Bộ Công an | | 3/2025"), False),
    (Passage(F, "TT: 75. Tên nhiệm vụ: Thành lập Ủy ban Dữ liệu; Cơ quan chủ trì: Bộ Công an"),
     Quote(F, "75. Thành lập Ủy ban Dữ liệu Bộ Công an"), False),
])
def test_holds(passage, quote, expected):
    assert holds(passage, quote) is expected


def test_relevance_matrix_rows_are_quotes():
    passages = [Passage(F, "không liên quan gì"), Passage(F, DUTY), Passage(OTHER, DUTY)]
    assert relevance_matrix(passages, [Quote(F, DUTY), Quote(OTHER, DUTY)]) == [
        [False, True, False],
        [False, False, True],
    ]
    assert relevance_matrix(passages, []) == []


# -- retrieval ----------------------------------------------------------------------------------------
T, _ = True, False
MATRICES = [
    [[_, _, T, _], [T, _, _, T]],  # A: quote 1 at rank 3, quote 2 at ranks 1 and 4
    [[_, T, _]],  # B: one quote, at rank 2
    [],  # C: unanswerable, not scored
    [[_, _], [_, _], [_, _]],  # D: three quotes, none found
]


def test_recall_at_k():
    # @1: A 1/2, B 0, D 0 -> 1/6; @3: A 2/2, B 1, D 0 -> 2/3
    overall, per = recall_at_k(MATRICES, 1)
    assert per == [0.5, 0.0, None, 0.0] and overall == pytest.approx(1 / 6)
    overall, per = recall_at_k(MATRICES, 3)
    assert per == [1.0, 1.0, None, 0.0] and overall == pytest.approx(2 / 3)


def test_hit_at_k():
    overall, per = hit_at_k(MATRICES, 1)
    assert per == [1.0, 0.0, None, 0.0] and overall == pytest.approx(1 / 3)


def test_mrr_at_k():
    # first relevant rank: A 1, B 2, D none -> (1 + 1/2 + 0) / 3
    overall, per = mrr_at_k(MATRICES, 3)
    assert per == [1.0, 0.5, None, 0.0] and overall == pytest.approx(0.5)
    # B's rank 2 falls outside k = 1
    overall, per = mrr_at_k(MATRICES, 1)
    assert per == [1.0, 0.0, None, 0.0] and overall == pytest.approx(1 / 3)


def test_all_unscored_gives_none():
    assert recall_at_k([[], []], 5) == (None, [None, None])


# -- answers ------------------------------------------------------------------------------------------
def test_key_phrase_coverage():
    answers = ["Năm 2026 đạt 25% xã, phường không ma tuý.", "Không rõ.", "bất kỳ"]
    phrases = [["25%", "không ma túy", "năm 2027"], ["Dự án 6", "Bộ Y tế"], []]
    overall, per = key_phrase_coverage(answers, phrases)
    # 2 of 3 ("tuý" = "túy"), 0 of 2, not scored -> (2/3 + 0) / 2
    assert per == [pytest.approx(2 / 3), 0.0, None] and overall == pytest.approx(1 / 3)


def test_citation_precision():
    gold = Quote(F, DUTY)
    right = Passage(F, DUTY)  # holds the gold quote
    supporting = Passage(F, "Công an thành phố tổ chức tập huấn nghiệp vụ cho lực lượng chuyên trách.")
    unrelated = Passage(F, "Tổ chức các hoạt động văn hóa, thể thao tại cơ sở.")
    text = ("Các cơ sở y tế xác định tình trạng nghiện [1]. "
            "Công an thành phố tổ chức tập huấn nghiệp vụ cho lực lượng chuyên trách [2]. "
            "Ngoài ra còn nhiều việc khác [3].")
    overall, per = citation_precision([text, "Không có trích dẫn."], [[right, supporting, unrelated], []], [[gold], []])
    # [1] holds the quote, [2] supports its statement word for word, [3] neither -> 2/3; no citations: not scored
    assert per == [pytest.approx(2 / 3), None] and overall == pytest.approx(2 / 3)


def test_quote_recall():
    q1, q2 = Quote(F, DUTY), Quote(F, "3. Sở Y tế")
    overall, per = quote_recall([[Passage(F, DUTY)], [], []], [[q1, q2], [q1], []])
    # first item 1 of 2, second 0 of 1, third not scored
    assert per == [0.5, 0.0, None] and overall == pytest.approx(0.25)


def test_unsupported_rate():
    cited = [Passage(F, "Câu một được hỗ trợ.")]
    texts = [
        # the first claim is word for word in [1]; "hai bịa đặt hoàn toàn khác" shares only "câu" -> 1 of 2
        "Câu một được hỗ trợ [1]. Câu hai bịa đặt hoàn toàn khác [1].",
        # a lead-in ending in ':' is not a claim -> 0 of 1
        "Nhiệm vụ như sau:\n- Câu một được hỗ trợ [1]",
        "Các kế hoạch hiện có không nêu thông tin này.",
    ]
    overall, per = unsupported_rate(texts, [cited, cited, []], [False, False, True])
    assert per == [0.5, 0.0, None] and overall == pytest.approx(0.25)


def test_markers_after_the_full_stop_stay_with_their_sentence():
    # as answers print them: "sentence. [n] next sentence. [m]" — read as two claims, one unsupported
    cited = [Passage(F, "Câu một được hỗ trợ."), Passage(F, "Đoạn khác hẳn.")]
    text = "Câu một được hỗ trợ. [1] - Câu hai bịa đặt hoàn toàn khác. [2]"
    assert unsupported_rate([text], [cited], [False]) == (0.5, [0.5])
    # [1] supports its sentence; [2] holds no quote and supports nothing -> 1/2
    assert citation_precision([text], [cited], [[]]) == (0.5, [0.5])


def test_refusals():
    refused, answerable = [True, False, True, False], [False, False, True, True]
    assert refusal_accuracy(refused, answerable) == (0.5, [1.0, 0.0, None, None])
    assert false_refusal_rate(refused, answerable) == (0.5, [None, None, 1.0, 0.0])


def test_removed_rate():
    overall, per = removed_rate([1, 0, 0], [3, 0, 2])
    # 1/(1+3), nothing said, 0/2 -> (0.25 + 0) / 2
    assert per == [0.25, None, 0.0] and overall == pytest.approx(0.125)


# -- thresholds, latency, groups ----------------------------------------------------------------------
def test_threshold_table_and_best():
    scores = [0.9, 0.8, 0.4, 0.3, 0.7]
    answerable = [True, True, True, False, False]
    rows = threshold_table(scores, answerable, [0.75, 0.5])
    # t=0.5: unanswerable {0.3, 0.7} -> 1/2 refused; answerable {0.9, 0.8, 0.4} -> 1/3 refused; J = 1/6
    # t=0.75: 2/2 refused, 1/3 falsely; J = 2/3
    assert [r["threshold"] for r in rows] == [0.5, 0.75]
    assert rows[0]["unanswerable_refused"] == 0.5 and rows[0]["false_refusals"] == pytest.approx(1 / 3)
    assert rows[0]["j"] == pytest.approx(1 / 6) and rows[1]["j"] == pytest.approx(2 / 3)
    assert best_threshold(rows)["threshold"] == 0.75


def test_percentile_and_latency():
    # p50 of 1..4 = 2.5; p95: position 3 × 0.95 = 2.85 -> 3 + 0.85 × (4 - 3)
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([4, 1, 3, 2], 95) == pytest.approx(3.85)
    assert latency([4, 1, None, 3, 2]) == {"p50": 2.5, "p95": 3.9, "max": 4, "n": 4}  # 3.85 rounds to 3.9
    assert latency([]) == {"p50": None, "p95": None, "max": None, "n": 0}


def test_group_mean():
    assert group_mean([1.0, 0.0, None, 0.5], ["a", "a", "a", "b"]) == {"a": 0.5, "b": 0.5}
