"""The light query path (index.embedder.NumpyBert): the same e5 weights in plain numpy must give the
vectors sentence-transformers gives, to 1e-4, without importing torch or sentence-transformers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
TEXTS = [
    "Sở Y tế phải làm gì?",
    "so y te phai lam gi",
    "Chỉ tiêu xã, phường không ma túy năm 2030 là bao nhiêu?",
    "query: " + "Kế hoạch phòng, chống ma túy giai đoạn 2021–2025 " * 40,  # past 512 tokens: truncated alike
    "",
]


@pytest.fixture(scope="module")
def e5_path():
    from tracuu.models.provision import provision
    from tracuu.settings import Settings

    (path,) = provision(Settings.from_env(), which=("embed",), progress=lambda m: None)
    return path


@pytest.mark.slow
def test_numpy_query_vectors_equal_sentence_transformers(e5_path):
    from index.embedder import E5Embedder, NumpyBert

    embedder = E5Embedder(e5_path, precision="float32")  # the float32 reference (documents may be bf16)
    light = np.vstack([embedder.embed_query(t) for t in TEXTS])
    assert embedder._model is None, "a query must not load sentence-transformers"
    heavy = np.vstack([embedder._encode([t], "query")[0] for t in TEXTS])
    assert light.dtype == np.float32 and light.shape == (len(TEXTS), 384)
    assert np.abs(light - heavy).max() < 1e-4
    assert np.allclose(np.linalg.norm(light, axis=1), 1.0, atol=1e-5)
    assert isinstance(embedder._light(), NumpyBert)
    # different texts stay apart: the check above is not passed by a constant vector
    assert float(light[0] @ light[2]) < 0.95


@pytest.mark.slow
def test_a_query_imports_neither_torch_nor_sentence_transformers(e5_path):
    code = ("import sys; from index.embedder import E5Embedder; "
            f"v = E5Embedder({str(e5_path)!r}).embed_query('Sở Y tế phải làm gì?'); "
            "print(len(v), 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.stdout.split() == ["384", "False", "False"], out.stderr


def test_folders_it_cannot_run_fall_back(tmp_path):
    from index.embedder import NumpyBert

    assert NumpyBert.open(tmp_path) is None  # nothing there
    (tmp_path / "modules.json").write_text('[{"type": "x.Transformer", "path": ""}, {"type": "x.Dense", "path": "1"}]')
    assert NumpyBert.open(tmp_path) is None  # not Transformer -> Pooling -> Normalize
