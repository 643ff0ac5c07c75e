"""A child of the epoch store process tests (epochstore, js, python): the
Python package's EpochStore raising one file together with other processes.

    python3 raise.py FILE K N ROUNDS

Once its standard input ends (the start, given to every child at once), it
raises "own-K" through 1..ROUNDS and "shared" through i*N+K+1 for i in
0..ROUNDS-1, one raise after another. It loads the store's module from the
source tree by its path, so that it needs neither the package installed
nor wasmtime."""

import importlib.util
import sys
from pathlib import Path

source = Path(__file__).resolve().parents[2] / "python" / "src" / "licverify" / "_epochs.py"
spec = importlib.util.spec_from_file_location("licverify_epochs", source)
assert spec is not None and spec.loader is not None
epochs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(epochs)

file, k, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sys.stdin.read()
store = epochs.EpochStore(file)
for i in range(rounds):
    store.raise_to(f"own-{k}", i + 1)
    store.raise_to("shared", i * n + k + 1)
