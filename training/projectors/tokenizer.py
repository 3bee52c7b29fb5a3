"""SentencePiece-style BPE over a Hugging Face tokenizer.json (the same algorithm as the worker's
TypeScript tokenizer): used to turn item titles into the LLM's token ids for the alignment targets."""
import json

SPACE = "\u2581"


class Tokenizer:
    def __init__(self, path):
        t = json.load(open(path, encoding="utf-8"))
        m = t["model"]
        if m.get("type") != "BPE":
            raise ValueError(f"{path}: only SentencePiece-style BPE tokenizers are supported")
        self.vocab = dict(m["vocab"])
        for a in t.get("added_tokens", []):
            self.vocab.setdefault(a["content"], a["id"])
        self.pieces = {i: p for p, i in self.vocab.items()}
        self.byte_ids = {}
        for piece, i in self.vocab.items():
            if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
                self.byte_ids.setdefault(int(piece[3:5], 16), i)
        token_rank, self.pair_rank = {}, {}
        for rank, mg in enumerate(m["merges"]):
            a, b = mg.split(" ", 1) if isinstance(mg, str) else mg
            token_rank.setdefault(a + b, rank)
            self.pair_rank[(a, b)] = token_rank[a + b]
        self.unk = self.vocab.get(m.get("unk_token") or "<unk>", 0)
        self.bos = self.vocab.get("<s>", 1)

    def encode(self, text, bos=False):
        ids = [self.bos] if bos else []
        if not text:
            return ids
        syms = []
        for ch in SPACE + text.replace(" ", SPACE):
            if ch in self.vocab:
                syms.append(ch)
            else:
                for b in ch.encode("utf-8"):
                    syms.append(self.pieces.get(self.byte_ids.get(b, self.unk), "<unk>"))
        while True:
            best, at = None, -1
            for i in range(len(syms) - 1):
                r = self.pair_rank.get((syms[i], syms[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if at < 0:
                break
            syms[at:at + 2] = [syms[at] + syms[at + 1]]
        return ids + [self.vocab.get(s, self.unk) for s in syms]
