"""Accuracy dev set: a seeded generator of customer-support images + questions, a scorer, a runner."""
