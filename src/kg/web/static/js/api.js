// The JSON API of the server (see kg/web/views/api.py). Responses are cached for the page's lifetime:
// the data of one build does not change under a page.

const cache = new Map();

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function getJSON(path, { signal, useCache = true } = {}) {
  if (useCache && cache.has(path)) return cache.get(path);
  const promise = (async () => {
    const response = await fetch(path, { headers: { Accept: "application/json" }, signal });
    let body = null;
    try {
      body = await response.json();
    } catch {
      /* not JSON */
    }
    if (!response.ok) throw new ApiError((body && body.error) || `${response.status} ${response.statusText}`, response.status);
    return body;
  })();
  if (useCache) {
    cache.set(path, promise);
    promise.catch(() => cache.delete(path));
  }
  return promise;
}

const q = encodeURIComponent;

export const api = {
  search: (text, { signal, limit = 12 } = {}) => getJSON(`/api/search?q=${q(text)}&limit=${limit}`, { signal }),
  entity: (iri) => getJSON(`/api/entity?iri=${q(iri)}`),
  neighbours: (iri) => getJSON(`/api/neighbours?iri=${q(iri)}`),
  reports: () => getJSON("/api/reports"),
  report: (id) => getJSON(`/api/report/${q(id)}`),
  facts: () => getJSON("/api/facts"),
  orgchart: () => getJSON("/api/orgchart"),
  types: () => getJSON("/api/types"),
  queries: () => getJSON("/api/queries"),
};

/** A SELECT query on the endpoint; returns the bindings. */
export async function sparqlSelect(query) {
  const key = `sparql:${query}`;
  if (cache.has(key)) return cache.get(key);
  const promise = (async () => {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) throw new ApiError(`${response.status} ${response.statusText}`, response.status);
    return (await response.json()).results.bindings;
  })();
  cache.set(key, promise);
  promise.catch(() => cache.delete(key));
  return promise;
}
