import numpy as np

from llmrec_train.pq import decode, finetune_codebooks, train_pq
from llmrec_train.text_features import hashed_tfidf


def test_pq_exact_when_centroids_cover_items():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 8)).astype(np.float32)
    books, codes = train_pq(x, m=4, k=32, iters=5)
    assert codes.dtype == np.uint8 and codes.shape == (20, 4)
    assert np.allclose(decode(books, codes), x, atol=1e-5)


def test_pq_error_drops_with_more_centroids():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 16)).astype(np.float32)
    errs = []
    for k in (4, 16, 64):
        b, c = train_pq(x, m=4, k=k, iters=10)
        errs.append(float(((decode(b, c) - x) ** 2).sum() / (x ** 2).sum()))
    assert errs[0] > errs[1] > errs[2]


def _kl_top(items, rec, users):
    def softmax(z):
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    p, q = softmax(users @ items.T), softmax(users @ rec.T)
    return float(np.mean(np.sum(p * (np.log(p + 1e-12) - np.log(q + 1e-12)), 1)))


def test_codebook_refinement_keeps_codes_and_brings_user_scores_closer():
    rng = np.random.default_rng(2)
    items = rng.standard_normal((400, 16)).astype(np.float32)
    users = (3 * rng.standard_normal((600, 16))).astype(np.float32)
    books, codes = train_pq(items, m=4, k=8, iters=10)
    before = _kl_top(items, decode(books, codes), users[:300])
    tuned, hist = finetune_codebooks(books, codes, items, users[300:], steps=200, lr=1e-2, w_recon=0.0)
    assert tuned.shape == books.shape and tuned.dtype == np.float32
    after = _kl_top(items, decode(tuned, codes), users[:300])  # held-out users
    assert after < 0.8 * before, (before, after)
    assert hist[-1] < hist[0]
    # with the reconstruction term dominant the refinement cannot wander far from the k-means centroids
    anchored, _ = finetune_codebooks(books, codes, items, users[300:], steps=200, lr=1e-2, w_recon=100.0)
    err = lambda b: float(((decode(b, codes) - items) ** 2).sum() / (items ** 2).sum())
    assert err(anchored) < err(books) * 1.05
    assert finetune_codebooks(books, codes, items, users, steps=0)[0] is books


def test_hashed_tfidf_is_deterministic_and_normalised():
    items = [{"title": "Toy Story (1995)", "text": {"genres": ["Animation", "Comedy"], "plot": "toys come alive"}},
             {"title": "Heat (1995)", "text": {"genres": ["Action"]}},
             {"title": "", "text": {}}]
    a, b = hashed_tfidf(items, 64), hashed_tfidf(items, 64)
    assert a.tobytes() == b.tobytes()
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0)
    assert not a[2].any()
    assert float(a[0] @ a[1]) < 0.5
