"""Arithmetic over the catalogue and ratings: summaries, common measures, deadlines, suggestions."""
