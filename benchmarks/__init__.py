"""Ratio benchmarks: each case is timed side by side with its baseline in one process."""
