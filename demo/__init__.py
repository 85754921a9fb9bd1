"""Demo data for `make run` and synthetic data for the benchmarks, refused on real data."""
