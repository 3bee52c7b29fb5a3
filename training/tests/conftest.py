import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    from llmrec_train.synthetic import write

    return write(str(tmp_path_factory.mktemp("ds") / "synthetic"), users=50, items=30, seed=1)
