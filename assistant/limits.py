"""Limits on what a user may ask: the question, the instructions, the passages and the answer must
fit the model's context window (settings.n_ctx), so a question too long is refused with a message
before anything is searched or generated."""

from __future__ import annotations

from tracuu.errors import TracuuError
from tracuu.settings import PROMPT_RESERVE

# a question, not a document: real questions are under 200 characters; 500 keeps retrieval and the
# first token fast (a 10,000-character question took 151 s)
MAX_QUESTION_CHARS = 500
# a byte-level BPE token covers at least one byte and a character is at most 4 bytes in UTF-8, so a
# question of n characters is at most 4n tokens, whatever its script
TOKENS_PER_CHAR_MAX = 4


class QuestionTooLong(TracuuError):
    """The question cannot fit the prompt; the message says how long it may be."""


def question_limit(settings) -> int:
    """Characters a question may have with these settings (at most MAX_QUESTION_CHARS)."""
    room = settings.n_ctx - settings.max_tokens - settings.context_tokens - PROMPT_RESERVE
    return max(0, min(MAX_QUESTION_CHARS, room // TOKENS_PER_CHAR_MAX))


def check_question(question: str, settings) -> str:
    """The question with its whitespace collapsed, or QuestionTooLong."""
    question = " ".join((question or "").split())
    limit = question_limit(settings)
    if len(question) > limit:
        raise QuestionTooLong(
            f"Câu hỏi dài {len(question):,} ký tự, quá giới hạn {limit} ký tự — hãy hỏi ngắn gọn hơn, mỗi lần "
            f"một ý (câu hỏi, các đoạn trích và câu trả lời phải vừa cửa sổ {settings.n_ctx} token của mô hình)."
            .replace(",", ".", 1)
        )
    return question
