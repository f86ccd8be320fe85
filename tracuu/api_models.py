"""The HTTP API's request and response shapes (pydantic), for validation and for the OpenAPI schema.
The response models document the JSON contracts; the routes return the contract objects themselves
(made by tracuu.services), so a field is never dropped by a model that lags behind."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.limits import MAX_EARLIER_QUESTIONS, MAX_HISTORY_CHARS
from tracuu.api import MAX_MESSAGES, MAX_QUESTION

NOT_BLANK = r"\S"  # at least one character that is not a space


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION, pattern=NOT_BLANK, description="câu hỏi")
    model: str | None = Field(None, max_length=200, description="default | fast (mặc định: của máy chủ)")
    doc: list[str] | str | None = Field(None, description="chỉ tìm trong kế hoạch này (tên tệp); một hoặc nhiều")
    locality: str | None = Field(None, max_length=200, description="chỉ các kế hoạch của địa phương này")
    year: int | None = Field(None, ge=1900, le=2200, description="chỉ các kế hoạch ban hành năm này")
    agency: str | None = Field(None, max_length=200, description="chỉ các mục giao cho cơ quan này")
    issuer: str | None = Field(None, max_length=200, description="chỉ văn bản của cơ quan ban hành này")
    level: str | None = Field(None, max_length=20, description="chỉ văn bản của cấp: trung ương, tỉnh, huyện, xã")
    kind: str | None = Field(None, max_length=100, description="chỉ loại văn bản này: quyết định, công văn …")
    since: str | None = Field(None, max_length=20, description="chỉ văn bản ký từ ngày (2025-11-01 hoặc 01/11/2025)")
    until: str | None = Field(None, max_length=20, description="chỉ văn bản ký đến ngày")
    previous: list[str] = Field(default_factory=list, max_length=MAX_EARLIER_QUESTIONS,
                                description="các câu hỏi trước trong cuộc hội thoại (như `tracuu chat`)")
    stream: bool = Field(False, description="server-sent events: `token` (câu trả lời đã kiểm chứng, từng câu) rồi `answer`")
    stream_draft: bool = Field(False, description="cả bản nháp chưa kiểm chứng của mô hình: `token` khi đang viết, "
                                                  "và `model_text` (mặc định để trống)")

    @field_validator("doc")
    @classmethod
    def _docs_bounded(cls, value):
        if isinstance(value, list) and len(value) > 50:
            raise ValueError("tối đa 50 kế hoạch trong 'doc'")
        if isinstance(value, str) and len(value) > 500 or isinstance(value, list) and any(len(d) > 500 for d in value):
            raise ValueError("tên kế hoạch trong 'doc' quá dài (tối đa 500 ký tự)")
        return value

    @field_validator("previous")
    @classmethod
    def _previous_bounded(cls, value):
        if any(len(q) > MAX_QUESTION for q in value):
            raise ValueError(f"mỗi câu hỏi trong 'previous' tối đa {MAX_QUESTION} ký tự")
        if sum(len(q) for q in value) > MAX_HISTORY_CHARS:
            raise ValueError(f"các câu hỏi trong 'previous' tối đa {MAX_HISTORY_CHARS} ký tự cộng lại")
        return value

    def docs(self) -> tuple[str, ...]:
        if self.doc is None:
            return ()
        return (self.doc,) if isinstance(self.doc, str) else tuple(self.doc)


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int
    doc_id: str
    file: str
    title: str
    number: str | None
    section: str
    quote: str
    label: str | None = None
    date: str | None = None


class Timings(BaseModel):
    model_config = ConfigDict(extra="allow")
    retrieve_ms: float
    first_token_ms: float | None
    total_ms: float | None


class AskAnswer(BaseModel):
    """The `tracuu ask --json` object."""

    model_config = ConfigDict(extra="allow")
    question: str
    answer: str
    refused: bool
    citations: list[CitationOut]
    timings: Timings
    model: str
    standalone_question: str
    mode: str
    closest: list[CitationOut]
    removed_statements: list[str]
    model_text: str = Field(description="bản nháp chưa kiểm chứng của mô hình: rỗng trừ khi yêu cầu có "
                                        "`stream_draft: true`")


class Hit(BaseModel):
    model_config = ConfigDict(extra="allow")
    rank: int
    chunk_id: str
    doc_id: str
    file: str
    title: str
    number: str | None
    section: str
    agency: str | None
    text: str
    score: float


class SearchResult(BaseModel):
    """The `tracuu search --json` object."""

    model_config = ConfigDict(extra="allow")
    query: str
    hits: list[Hit]
    relevance: float
    sectors: list[str]


class DutyRow(BaseModel):
    """One row of `tracuu duties --format json`."""

    model_config = ConfigDict(extra="allow")
    agency: str
    canonical: str
    level: str | None
    sector: str | None
    role: str
    text: str
    deadline_text: str | None
    deadline: str | None
    recurrence: str | None
    doc_id: str
    file: str
    plan_label: str
    section: str
    chunk_id: str
    quote: str


class ErrorDetail(BaseModel):
    message: str
    type: str
    code: int


class ErrorBody(BaseModel):
    """Every error: the Vietnamese message in `detail`, and in `error.message` for OpenAI clients."""

    model_config = ConfigDict(extra="allow")
    detail: str
    error: ErrorDetail


class Health(BaseModel):
    status: str
    ready: bool


class ModelCard(BaseModel):
    id: str
    object: str
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: str
    data: list[ModelCard]


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(max_length=50)
    text: str | None = Field(None, max_length=MAX_HISTORY_CHARS)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = Field(None, description="chuỗi, hoặc các phần {type: text, text}")

    @field_validator("content")
    @classmethod
    def _content_bounded(cls, value):
        if isinstance(value, list) and len(value) > MAX_MESSAGES:
            raise ValueError(f"tối đa {MAX_MESSAGES} phần trong một tin nhắn")
        if isinstance(value, str) and len(value) > MAX_HISTORY_CHARS:
            raise ValueError(f"một tin nhắn tối đa {MAX_HISTORY_CHARS} ký tự")
        return value

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; fields tracuu does not use (temperature, …) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(max_length=200, description="tracuu | tracuu-default | tracuu-fast (GET /v1/models)")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    stream_draft: bool = Field(False, description="stream cả bản nháp chưa kiểm chứng của mô hình trước câu trả lời "
                                                  "đã kiểm chứng (mặc định: chỉ câu trả lời đã kiểm chứng)")

    @field_validator("messages")
    @classmethod
    def _history_bounded(cls, value):
        total = sum(len(m.text()) for m in value[:-1])
        if total > MAX_HISTORY_CHARS:  # refused before any of it is read (assistant/limits.py)
            raise ValueError(f"lịch sử hội thoại dài {total} ký tự, tối đa {MAX_HISTORY_CHARS} ký tự — "
                             "bắt đầu cuộc hội thoại mới, hoặc chỉ gửi các tin nhắn gần đây")
        return value

    def question_and_previous(self) -> tuple[str, list[str], list[str]]:
        """The last message's text (it must be the user's question), the earlier user questions, and the
        text of the other earlier messages (answers, instructions: counted in the history's limit)."""
        from fastapi import HTTPException

        last = self.messages[-1]
        question = " ".join(last.text().split())
        if last.role != "user" or not question:
            raise HTTPException(400, "Tin nhắn cuối phải là câu hỏi của người dùng (role 'user', có nội dung).")
        if len(question) > MAX_QUESTION:
            raise HTTPException(400, f"Câu hỏi quá dài (tối đa {MAX_QUESTION} ký tự).")
        earlier = self.messages[:-1]
        return (question, [m.text() for m in earlier if m.role == "user"],
                [m.text() for m in earlier if m.role != "user"])


class ChatChoice(BaseModel):
    model_config = ConfigDict(extra="allow")
    index: int
    message: dict
    finish_reason: str


class ChatCompletion(BaseModel):
    """OpenAI's chat completion, plus `citations` and `tracuu` (the whole `ask --json` object)."""

    model_config = ConfigDict(extra="allow")
    id: str
    object: str
    created: int
    model: str
    choices: list[ChatChoice]
    citations: list[CitationOut]
    tracuu: AskAnswer


_ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in (
    (400, "yêu cầu sai (ví dụ mô hình không có)"), (401, "thiếu hoặc sai khoá API"),
    (403, "khoá không có vai trò được làm việc này (tải lên, gỡ: bien-tap hoặc quan-tri)"),
    (409, "chỉ mục đang được ghi bởi việc khác, hoặc không đổi được"),
    (413, "nội dung quá lớn"), (422, "nội dung không hợp lệ"),
    (502, "máy chủ mô hình không trả lời được"), (503, "chưa sẵn sàng (chưa có chỉ mục, chưa có mô hình)"),
)}


def json_responses(model) -> dict:
    return {200: {"model": model, "description": "kết quả"}, **_ERRORS}


def _event(kinds: list[str] | None) -> dict:
    """The schema of one server-sent event (OpenAPI 3.1: `schema` of text/event-stream is per event)."""
    properties = {"data": {"type": "string", "description": "JSON"}}
    if kinds:
        properties["event"] = {"type": "string", "enum": kinds}
    return {"text/event-stream": {"schema": {"type": "object", "required": ["data"], "properties": properties}}}


def ask_responses() -> dict:
    return {200: {"model": AskAnswer, "content": _event(["token", "answer", "error"]),
                  "description": "câu trả lời; khi stream: `token` {text}…, rồi `answer` (cùng đối tượng) hoặc `error`"},
            **_ERRORS}


def chat_responses() -> dict:
    return {200: {"model": ChatCompletion, "content": _event(None),
                  "description": "câu trả lời; khi stream: các chunk chat.completion.chunk rồi [DONE]"}, **_ERRORS}
