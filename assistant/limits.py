"""Limits on what a user may ask: the question, the instructions, the passages and the answer must
fit the model's context window (settings.n_ctx), so a question too long is refused with a message
before anything is searched or generated. The same limits hold for every message a request carries:
the earlier questions of a conversation (`previous`, a chat's earlier user messages, the web chat),
the whole history, and the standalone question a follow-up is rewritten into. Going over any of them
is the asker's to fix (RequestTooLong: HTTP 4xx), never the service's."""

from __future__ import annotations

from tracuu.errors import TracuuError
from tracuu.settings import PROMPT_RESERVE

# a question, not a document: real questions are under 200 characters; 500 keeps retrieval and the
# first token fast (a 10,000-character question took 151 s)
MAX_QUESTION_CHARS = 500
# a byte-level BPE token covers at least one byte and a character is at most 4 bytes in UTF-8, so a
# question of n characters is at most 4n tokens, whatever its script
TOKENS_PER_CHAR_MAX = 4
# characters of all the earlier messages one request carries (questions, answers, instructions): about
# ten turns of long duty listings with their sources; a 200 KB history is over it whatever its script
MAX_HISTORY_CHARS = 40_000
# earlier questions a request may carry
MAX_EARLIER_QUESTIONS = 50
# of those, the most recent ones read for a follow-up's context: a standalone question depends on the last
# few, and rewriting one follow-up of 500 characters takes up to 0.3 s (assistant/conversation.py)
CONTEXT_QUESTIONS = 10


class RequestTooLong(TracuuError):
    """A question, an earlier message or the history is over its limit: the asker can fix it (4xx)."""


class QuestionTooLong(RequestTooLong):
    """The question cannot fit the prompt; the message says how long it may be."""


def question_limit(settings) -> int:
    """Characters a question may have with these settings (at most MAX_QUESTION_CHARS)."""
    room = settings.n_ctx - settings.max_tokens - settings.context_tokens - PROMPT_RESERVE
    return max(0, min(MAX_QUESTION_CHARS, room // TOKENS_PER_CHAR_MAX))


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def check_question(question: str, settings, what: str = "Câu hỏi") -> str:
    """The question with its whitespace collapsed, or QuestionTooLong."""
    question = " ".join((question or "").split())
    limit = question_limit(settings)
    if len(question) > limit:
        raise QuestionTooLong(
            f"{what} dài {_count(len(question))} ký tự, quá giới hạn {limit} ký tự — hãy hỏi ngắn gọn hơn, mỗi lần "
            f"một ý (câu hỏi, các đoạn trích và câu trả lời phải vừa cửa sổ {settings.n_ctx} token của mô hình)."
        )
    return question


def check_history(earlier_questions: list[str], other_messages: list[str], settings) -> list[str]:
    """The earlier questions of a conversation, whitespace collapsed, each checked like a question; the
    whole history (those and any other earlier messages: answers, instructions) at most MAX_HISTORY_CHARS.
    RequestTooLong names what is over and how to fix it."""
    total = sum(len(m or "") for m in earlier_questions) + sum(len(m or "") for m in other_messages)
    if total > MAX_HISTORY_CHARS:
        raise RequestTooLong(
            f"Lịch sử hội thoại dài {_count(total)} ký tự, quá giới hạn {_count(MAX_HISTORY_CHARS)} ký tự — "
            "bắt đầu cuộc hội thoại mới, hoặc chỉ gửi các câu hỏi gần đây.")
    if len(earlier_questions) > MAX_EARLIER_QUESTIONS:
        raise RequestTooLong(
            f"Hội thoại có {len(earlier_questions)} câu hỏi trước, quá giới hạn {MAX_EARLIER_QUESTIONS} — "
            "chỉ gửi các câu hỏi gần đây.")
    return [check_question(q, settings, what=f"Câu hỏi trước thứ {i}") for i, q in enumerate(earlier_questions, 1)]


def conversation_within(earlier_questions: list[str], settings):
    """The conversation of the last CONTEXT_QUESTIONS earlier questions (each made standalone in turn,
    as tracuu.services' conversation_from does), refused as soon as a standalone question passes the
    question's limit: a chain of follow-ups grows it, and 50 follow-ups took more than ten minutes."""
    from assistant.conversation import Conversation, rewrite

    conversation = Conversation()
    for q in earlier_questions[-CONTEXT_QUESTIONS:]:
        q = " ".join(q.split())
        if q:
            standalone = _fits_turn(rewrite(q, conversation.last_question), settings)
            conversation.add(standalone, "")
    return conversation


def _fits_turn(standalone: str, settings) -> str:
    try:
        return check_question(standalone, settings, what="Câu hỏi đầy đủ (gộp với các câu trước)")
    except QuestionTooLong as exc:
        raise QuestionTooLong(f"{exc} Bắt đầu cuộc hội thoại mới (Xoá hội thoại) rồi hỏi lại.") from None


def check_turn(question: str, conversation, places: tuple[str, ...], settings) -> str:
    """The standalone question this turn will ask (a follow-up rewritten with the conversation, as
    assistant.answer does) must fit the window too: a chain of follow-ups grows it."""
    from assistant.conversation import rewrite

    question = check_question(question, settings)
    if conversation is None or not conversation.last_question:
        return question
    return _fits_turn(rewrite(question, conversation.last_question, places, conversation.last_answer), settings)
