"""Benchmarks for visdesk: accuracy (synthetic dev set, realdev) and speed. Run `python -m bench`."""
