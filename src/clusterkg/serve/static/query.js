// The query page: runs the query against /sparql and shows a results table.
// Same origin only; every value is inserted as text (textContent), never as HTML.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const base = form.dataset.base || "";

  function localHref(iri) {
    if (base && iri.startsWith(base)) return "/" + iri.slice(base.length);
    return iri;
  }

  function termNode(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") {
      const a = document.createElement("a");
      const href = localHref(term.value);
      if (/^(https?:|\/)/.test(href)) a.href = href;
      a.textContent = term.value;
      return a;
    }
    if (term.type === "bnode") return document.createTextNode("_:" + term.value);
    if (term.type === "triple") {
      const v = term.value;
      return document.createTextNode("<< " + [v.subject, v.predicate, v.object].map((t) => t.value).join(" ") + " >>");
    }
    const span = document.createElement("span");
    span.className = "literal";
    span.textContent = term.value;
    if (term["xml:lang"]) {
      span.lang = term["xml:lang"];
      span.append(Object.assign(document.createElement("span"), { className: "lang", textContent: " @" + term["xml:lang"] }));
    }
    return span;
  }

  function showTable(data, truncated) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    const count = Object.assign(document.createElement("p"), { className: "count", textContent: rows.length + " rows" });
    results.append(count);
    if (truncated) {
      results.append(Object.assign(document.createElement("p"), {
        className: "truncated",
        textContent: "Only the first " + truncated + " rows are shown: the result was cut at the server's row limit.",
      }));
    }
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    vars.forEach((v) => head.append(Object.assign(document.createElement("th"), { textContent: v })));
    const body = table.createTBody();
    rows.forEach((row) => {
      const tr = body.insertRow();
      vars.forEach((v) => tr.insertCell().append(termNode(row[v])));
    });
    results.append(table);
  }

  async function run(event) {
    event.preventDefault();
    results.replaceChildren();
    status.textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        status.textContent = "Error " + response.status;
        results.append(Object.assign(document.createElement("pre"), { className: "error", textContent: await response.text() }));
        return;
      }
      status.textContent = "Done in " + seconds + " s";
      if (type.includes("json")) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          results.append(Object.assign(document.createElement("p"), { className: "boolean", textContent: String(data.boolean) }));
        } else {
          showTable(data, response.headers.get("X-Result-Row-Limit"));
        }
      } else {
        results.append(Object.assign(document.createElement("pre"), { className: "graph", textContent: await response.text() }));
      }
    } catch (error) {
      status.textContent = "The request failed: " + error;
    }
  }

  form.addEventListener("submit", run);
})();
