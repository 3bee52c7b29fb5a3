import numpy as np

from llmrec_train.pq import decode, train_pq
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


def test_hashed_tfidf_is_deterministic_and_normalised():
    items = [{"title": "Toy Story (1995)", "text": {"genres": ["Animation", "Comedy"], "plot": "toys come alive"}},
             {"title": "Heat (1995)", "text": {"genres": ["Action"]}},
             {"title": "", "text": {}}]
    a, b = hashed_tfidf(items, 64), hashed_tfidf(items, 64)
    assert a.tobytes() == b.tobytes()
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0)
    assert not a[2].any()
    assert float(a[0] @ a[1]) < 0.5
