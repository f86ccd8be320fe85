"""Small real classes behind the project's seams, for unit tests."""

from __future__ import annotations


class ScriptedGenerator:
    """A Generator that answers with fixed text (one piece per word), recording what it was asked."""

    def __init__(self, text: str, name: str = "scripted"):
        self.text = text
        self.name = name
        self.calls: list[list[dict]] = []

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 3)

    def stream(self, messages, max_tokens=None):
        self.calls.append(messages)
        for word in self.text.split(" "):
            yield word + " "
