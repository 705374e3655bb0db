"""Authoring tools: they write curated data for the pipeline to read, and are no stage of it.

``synth`` writes synthetic reports for the scale tests and benchmarks. ``kg draft`` (a first
curated file from a report's text) is the package ``kg.draft``, kept where it is while it is
being changed elsewhere; it belongs here too.
"""
