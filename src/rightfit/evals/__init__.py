"""Evaluation: data formats, metrics and runners. Quality is measured here, never asserted by hand."""
