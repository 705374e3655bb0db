// Comunica (npm @comunica/query-sparql) as a client of a SPARQL endpoint: node comunica_client.mjs URL
// Prints the answers of a SELECT, an ASK, a CONSTRUCT and a DESCRIBE as JSON, for tests/test_clients.py.
import { QueryEngine } from '@comunica/query-sparql';

const endpoint = process.argv[2];
const context = { sources: [{ type: 'sparql', value: endpoint }], lenient: false };
const engine = new QueryEngine();

const select = await engine.queryBindings(
  'SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s ?label LIMIT 5',
  context,
);
const rows = (await select.toArray()).map((b) => ({ s: b.get('s').value, label: b.get('label').value }));
const ask = await engine.queryBoolean('ASK { ?s a <https://w3id.org/cnkg/ontology#Official> }', context);
const construct = await engine.queryQuads(
  'CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/cnkg/ontology#Agency> ; ?p ?o }',
  context,
);
const describe = await engine.queryQuads(
  'DESCRIBE ?s WHERE { ?s a <https://w3id.org/cnkg/ontology#Agency> }',
  context,
);
console.log(JSON.stringify({
  select: rows,
  ask,
  construct: (await construct.toArray()).length,
  describe: (await describe.toArray()).length,
}));
