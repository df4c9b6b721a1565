"""Building blocks of the transformers engine: loading, processor, generation, batching.

Everything here imports torch/transformers lazily (inside functions), so importing the package
is cheap; the engine itself lives in visdesk.engines.transformers.
"""
