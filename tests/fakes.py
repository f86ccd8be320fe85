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


class SlowGenerator(ScriptedGenerator):
    """A model that writes one word every `pause` seconds, one answer at a time, under the answer's
    deadline exactly as the real generators are (assistant/deadline.py: it waits for its lock with
    `acquire` and checks between tokens); it counts the words it wrote and the answers it stopped."""

    def __init__(self, words: int = 40, pause: float = 0.05):
        import threading

        super().__init__(" ".join(["Đến năm 2030, 100% xã, phường không ma túy [1]."] + ["thêm"] * words), "slow")
        self.pause = pause
        self.written = 0
        self.stopped = 0
        self._lock = threading.Lock()

    def stream(self, messages, max_tokens=None):
        import time

        from assistant import deadline

        self.calls.append(messages)
        deadline.acquire(self._lock)
        try:
            for word in self.text.split(" "):
                try:
                    deadline.check()
                except Exception:
                    self.stopped += 1
                    raise
                time.sleep(self.pause)
                self.written += 1
                yield word + " "
        finally:
            self._lock.release()
