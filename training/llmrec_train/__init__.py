"""Offline training for llmrec-edge: SASRec backbone, base aligner, ONNX export, product quantization."""
