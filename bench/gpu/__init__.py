"""GPU benchmark of the transformers engine: `python -m bench.gpu` (see bench/gpu/run.py)."""
