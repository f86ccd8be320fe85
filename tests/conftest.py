"""Shared fixtures. Real models load once per session; unit tests use small real test doubles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parent.parent
PLANS = REPO / "data" / "plans"


@pytest.fixture(scope="session")
def runtime():
    """The real runtime (e5 embedder, FAISS + BM25 index of the bundled plans, GGUF models).
    Builds the index if `make` has not."""
    from index.build import build_index
    from tracuu.runtime import Runtime

    rt = Runtime()
    build_index([rt.settings.plans_dir], rt.settings, rt.embedder)
    return rt


@pytest.fixture
def hashing_settings(tmp_path):
    """Settings writing the index into tmp_path, for builds with the HashingEmbedder."""
    from tracuu.settings import Settings

    return Settings.from_env(index_dir=tmp_path / "index")


@pytest.fixture
def plans_copy(tmp_path):
    """A private copy of the bundled plans (with their sidecar metadata) that a test may change."""
    import shutil

    folder = tmp_path / "plans"
    shutil.copytree(PLANS, folder, ignore=shutil.ignore_patterns("README.md", "uploads"))
    return folder


@pytest.fixture(scope="module")
def code_assistant():
    """The assistant over the real index of the bundled plans as it stands (data/index, not rebuilt here),
    with a generator that writes nothing: what is asked is answered by code. (runtime, assistant, generator)"""
    from assistant.answer import Assistant
    from tests.fakes import ScriptedGenerator
    from tracuu.errors import TracuuError
    from tracuu.runtime import Runtime

    rt = Runtime()
    try:
        rt.searcher.index
    except TracuuError as exc:
        pytest.skip(f"no index of the bundled plans ({exc}): run `make index`")
    gen = ScriptedGenerator("")
    return rt, Assistant(rt.searcher, lambda _: gen, rt.settings), gen
