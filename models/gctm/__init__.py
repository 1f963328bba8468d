"""Generalized Consistency Trajectory Models: training, evaluation and export for Onestep's tools."""
