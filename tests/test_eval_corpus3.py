"""`tracuu eval --corpus corpus3`: one temporary index holds the bundled plans and the corpus3 documents
(built with the project's own build path; a hashing embedder here), and the corpus3 questions are searched on it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.gold import CORPUS_DIRS, INDEXED_WITH, load_corpus  # noqa: E402
from tracuu.settings import Settings  # noqa: E402

C3_DIR = CORPUS_DIRS["corpus3"]


class SmallRuntime:
    """The part of tracuu.runtime.Runtime that eval.run.run_retrieval uses: settings and a searcher."""

    def __init__(self, settings, embedder):
        from index.search import Searcher

        self.settings = settings
        self.searcher = Searcher(settings, embedder)


def test_corpus3_is_a_choice_of_tracuu_eval():
    import argparse

    from eval.cli import add_eval_parser

    parser = argparse.ArgumentParser()
    add_eval_parser(parser.add_subparsers())
    args = parser.parse_args(["eval", "--corpus", "corpus3", "--retrieval"])
    assert args.corpus == "corpus3"
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "--corpus", "corpus9"])


@pytest.mark.skipif(not C3_DIR.is_dir(), reason="../shared/corpus3 not present")
def test_corpus3_index_holds_the_bundled_plans_too_and_its_questions_are_searched(tmp_path):
    from eval.cli import build_corpus_index, corpus_dir
    from eval.run import run_retrieval
    from index.embedder import HashingEmbedder
    from index.store import read_index

    embedder = HashingEmbedder()
    also = [corpus_dir(c) for c in INDEXED_WITH["corpus3"]]
    settings = build_corpus_index(Settings(), C3_DIR, tmp_path, embedder, also=also)
    assert settings.index_dir == tmp_path / "index" and settings.plans_dir == C3_DIR
    files = {d.file for d in read_index(settings.index_dir).documents}
    plans = {p.name for p in CORPUS_DIRS["plans"].glob("*.txt")}  # the five bundled plans
    corpus3 = {p.name for p in C3_DIR.glob("*.md")}
    assert corpus3 <= files and plans <= files  # one index, both folders

    items = [i for i in load_corpus("corpus3") if i.split == "tuned"][:10]
    report = run_retrieval(SmallRuntime(settings, embedder), items)
    assert set(report["modes"]["hybrid"]["by_split"]) == {"tuned"}
    top = {h["file"] for q in report["questions"] for h in q["top"]}
    assert top & corpus3
