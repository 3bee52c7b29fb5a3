"""Soft-token projectors of DynMM-Explain-LLMRec: 2-layer MLPs from the joint latent space (dim 128) into
the frozen LLM's input-embedding space for user, item and evidence tokens, trained by contrastive
alignment with the LLM's own embeddings of the items' text (no backpropagation through the LLM)."""
