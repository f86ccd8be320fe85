"""A deadline and a cancel flag for one answer, seen where the time goes: waiting for the model (one
generation at a time) and writing token by token. A server sets them around an answer (`within`); the
generators (assistant/generator.py) wait with `acquire` and call `check` between tokens, so an answer
past its deadline, or whose asker went away, stops and frees the model for the next one. Without a
budget set (the CLI, the evaluation) nothing is checked.

    budget = Budget.starting(seconds=300)
    with within(budget):
        answer = assistant.answer(question)   # raises Cancelled past 300 s, or once budget.cancel is set
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from tracuu.errors import TracuuError

_WAIT_STEP = 0.25  # seconds between two looks at the flag while waiting for the model


class Cancelled(TracuuError):
    """An answer stopped: past its deadline (`timed_out`), or its asker went away."""

    def __init__(self, message: str, timed_out: bool):
        super().__init__(message)
        self.timed_out = timed_out


@dataclass
class Budget:
    until: float  # time.monotonic() past which the answer stops
    seconds: float  # the deadline as given, for messages
    cancel: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def starting(cls, seconds: float, cancel: threading.Event | None = None) -> "Budget":
        return cls(time.monotonic() + seconds, seconds, cancel or threading.Event())

    def left(self) -> float:
        return self.until - time.monotonic()

    def check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("Người hỏi đã ngắt kết nối — câu trả lời đã dừng.", timed_out=False)
        if self.left() <= 0:
            raise Cancelled(f"Câu trả lời vượt thời hạn {self.seconds:.0f} giây (máy đang bận) — hỏi lại sau ít "
                            "phút, hoặc đặt TRACUU_ANSWER_SECONDS lớn hơn.", timed_out=True)


_current: ContextVar[Budget | None] = ContextVar("tracuu_budget", default=None)


@contextmanager
def within(budget: Budget | None):
    """Answers made inside this block (in this thread or context) obey `budget`."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def check() -> None:
    """Raise Cancelled when the current answer is past its deadline or cancelled; nothing without one."""
    budget = _current.get()
    if budget is not None:
        budget.check()


def acquire(lock: threading.Lock) -> None:
    """Take the model's lock, giving up (Cancelled) when the current answer's time runs out or it is
    cancelled while waiting; without a budget, wait as long as it takes."""
    budget = _current.get()
    if budget is None:
        lock.acquire()
        return
    while not lock.acquire(timeout=max(0.0, min(_WAIT_STEP, budget.left()))):
        budget.check()
    try:
        budget.check()  # the lock came at the last moment, or after a cancel
    except Cancelled:
        lock.release()
        raise
