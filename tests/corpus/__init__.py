"""Adversarial corpus of data files (a package, so that ``corpus.cases`` imports by name)."""
