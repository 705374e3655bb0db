"""SPARQL handling independent of the web layer and of the store: safety analysis and result formats."""
