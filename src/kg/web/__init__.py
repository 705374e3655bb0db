"""The web layer: a Flask app over one store (see ``kg.store``), in three tiers.

* ``views/`` — blueprints (``sparql``: the SPARQL 1.1 Protocol endpoint, service description,
  VoID; ``api``: JSON and CSV for the explorer; ``pages``: the explorer, scorecard, query editor,
  downloads; ``linked_data``: every IRI of ours, as HTML or RDF). Thin: request in, response out.
* ``readmodels/`` — pure ``Store -> data`` functions, each with its SPARQL in one place.
* ``negotiation`` (which format) and ``renderers`` (one per format), shared by every view.

``app`` is the factory, ``context`` what views take from the running app. ``create_app`` is
re-exported here for ``kg serve`` and the tests.
"""

from kg.web.app import create_app

__all__ = ["create_app"]
