"""Authoring tools: they write curated data for the pipeline to read, and are no stage of it.

``synth`` writes synthetic reports for the scale tests and benchmarks; ``draft`` (``kg draft``)
writes a first curated file from a report's text, for a curator to complete.
"""
