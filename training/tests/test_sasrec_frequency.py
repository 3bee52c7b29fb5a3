"""The BSARec frequency branch of SASRec (option freq_alpha): the fixed low-pass matrix is the rFFT truncation,
its causal form gives every position what BSARec computes for the history ending there, trimming left padding keeps
outputs, and the option exports to ONNX (opset 17) as plain MatMuls whose outputs onnxruntime reproduces."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch

from llmrec_train.export_onnx import OPSET, SasrecScorer, export
from llmrec_train.sasrec import SASRec, causal_lowpass, lowpass_matrix

REPO = os.path.join(os.path.dirname(__file__), "..", "..")


def fft_lowpass(x, c):
    """BSARec's filter written with torch.fft, along dim -2 ([..., n, d])."""
    f = torch.fft.rfft(x, dim=-2, norm="ortho")
    f[..., c // 2 + 1:, :] = 0
    return torch.fft.irfft(f, n=x.shape[-2], dim=-2, norm="ortho")


@pytest.mark.parametrize("n,c", [(50, 5), (12, 3), (9, 5), (8, 7), (4, 9)])
def test_lowpass_matrix_equals_the_fft_truncation(n, c):
    x = torch.randn(3, n, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(n))
    m = lowpass_matrix(n, c).double()
    assert torch.allclose(m @ x, fft_lowpass(x, c), atol=1e-5)
    assert not torch.allclose(m @ x, x, atol=1e-2) or c // 2 + 1 > n // 2  # it does filter unless every bin is kept


def test_causal_lowpass_gives_each_position_bsarecs_filter_of_its_prefix():
    maxlen, c = 10, 5
    x = torch.randn(maxlen, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    got = causal_lowpass(maxlen, c).double() @ x
    for t in range(maxlen):
        window = torch.zeros(maxlen, 4, dtype=torch.float64)
        window[maxlen - 1 - t:] = x[:t + 1]  # the history ending at t, left-padded to the window as BSARec feeds it
        assert torch.allclose(got[t], fft_lowpass(window, c)[-1], atol=1e-5), t
    assert torch.equal(causal_lowpass(maxlen, c).triu(1), torch.zeros(maxlen, maxlen))


def _model(seed=0, **kw):
    torch.manual_seed(seed)
    m = SASRec(20, hidden=8, maxlen=10, dropout=0.0, freq_alpha=0.7, freq_c=5, **kw).eval()
    with torch.no_grad():  # layer norms as after training (a fresh one maps a zero padded step to zero)
        for mod in m.modules():
            if isinstance(mod, torch.nn.LayerNorm):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.normal_()
    return m


def test_frequency_branch_changes_outputs_and_trimming_keeps_them():
    m = _model()
    x = torch.tensor([[0, 0, 0, 0, 0, 0, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0, 0, 7, 8, 9]])
    with torch.no_grad():
        full = m.seq_repr(x)[:, -4:]
        trimmed = m.seq_repr(x[:, -4:])
        plain = SASRec(20, hidden=8, maxlen=10, dropout=0.0).eval()
        plain.load_state_dict({k: v for k, v in m.state_dict().items() if not k.startswith("freq.")})
        assert not torch.allclose(plain.seq_repr(x), m.seq_repr(x), atol=1e-3)
    assert torch.allclose(full, trimmed, atol=1e-6)
    assert any(k.endswith("sqrt_beta") for k in m.state_dict()) and not any("lowpass" in k for k in m.state_dict())


def test_frequency_option_survives_side_info_folding():
    from llmrec_train.sasrec import SideInfo

    torch.manual_seed(0)
    m = SASRec(4, hidden=8, maxlen=6, dropout=0.0, side=SideInfo([[0], [1], [], [0, 1]], 2, 8), freq_alpha=0.5, freq_c=3).eval()
    plain = m.fold_side_info().eval()
    x = torch.tensor([[0, 0, 1, 2, 3, 4]])
    with torch.no_grad():
        assert torch.allclose(m.score_all(x), plain.score_all(x), atol=1e-6)
    assert plain.freq_alpha == 0.5 and plain.freq_c == 3


def test_frequency_option_exports_to_onnx_and_onnxruntime_reproduces_it(tmp_path):
    m = _model()
    path = str(tmp_path / "sasrec.onnx")
    export(SasrecScorer(m), path, ["user_repr", "scores"], m.maxlen)
    raw = open(path, "rb").read()
    assert b"MatMul" in raw and b"DFT" not in raw and OPSET <= 17
    node = shutil.which("node")
    if node is None:
        pytest.skip("node (onnxruntime-node) not installed")
    hists = [[0, 0, 0, 0, 0, 0, 3, 4, 5, 6], [0, 0, 0, 0, 1, 2, 3, 4, 5, 6]]
    script = """
const ort = require('onnxruntime-node');
(async () => {
  const s = await ort.InferenceSession.create(process.argv[1]);
  const out = {};
  for (const l of [10, 4]) {
    const h = JSON.parse(process.argv[2]).map((r) => r.slice(-l));
    const t = new ort.Tensor('int64', BigInt64Array.from(h.flat().map(BigInt)), [h.length, l]);
    out[l] = Array.from((await s.run({ history: t })).scores.data);
  }
  console.log(JSON.stringify(out));
})();"""
    res = subprocess.run([node, "-e", script, path, json.dumps(hists)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    with torch.no_grad():
        want = m.score_all(torch.tensor(hists)).numpy().ravel()
        want4 = m.score_all(torch.tensor(hists)[:, -4:]).numpy().ravel()
    assert np.allclose(got["10"], want, atol=1e-4)
    assert np.allclose(got["4"], want4, atol=1e-4)
