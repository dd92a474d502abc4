"""Herald's benchmarks: figures, never assertions. Run `python -m bench [--quick]` (see bench/__main__.py)."""
