"""CNKG: a Chinese government report as a validated, queryable knowledge graph.

The pipeline, one module per stage:
source text + curated facts -> ``curated`` / ``source`` -> ``compile`` -> ``validate``
-> ``publish`` -> ``store`` -> ``web`` (served by ``serve``).
"""

__version__ = "1.0.0"
