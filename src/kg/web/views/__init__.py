"""Views: thin Flask blueprints. Each reads the request, calls a read model (``kg.web.readmodels``)
or the store, and hands the result to a renderer (``kg.web.renderers``). They import their
siblings and ``kg.web.context``, never the ``kg.web`` package."""
