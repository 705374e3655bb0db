// Pages rendered on the server in one language (/facts, /search): when the top bar's language
// toggle changes the language (it has already put ?lang= into the address), load the page again
// in that language. The rows-per-page choice applies at once.

window.addEventListener("kg:lang", () => location.reload());

for (const select of document.querySelectorAll("form.analyst-filter select[name='size']")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}

// On a phone the facets come before the table: only the chosen ones stay open.
if (window.matchMedia("(max-width: 760px)").matches) {
  for (const facet of document.querySelectorAll("details.facet")) {
    if (!facet.querySelector("[aria-current]")) facet.open = false;
  }
}
