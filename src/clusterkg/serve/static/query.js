// The query page: a SPARQL editor (CodeMirror, vendored under /static/vendor) that runs the query
// against /sparql and shows the result. Same origin only; every value from the server is inserted as
// text (textContent), never as HTML. Without CodeMirror the plain textarea keeps working.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  if (!form) return;
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const base = form.dataset.base || "";
  const prefixes = JSON.parse(form.dataset.prefixes || "{}");
  const texts = JSON.parse(form.dataset.texts || "{}");
  const RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  const SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
  const MAX_LABELLED = 500; // as the server's lookup: one small query, never the whole result
  const UNSAFE_IRI = /[\u0000-\u0020<>"{}|^`\\]/;

  function say(key, fields) {
    return (texts[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (fields && name in fields ? fields[name] : whole));
  }

  // ------------------------------------------------------------------ the editor

  let editor = null;
  const getQuery = () => (editor ? editor.getValue() : textarea.value);
  const setQuery = (text) => (editor ? editor.setValue(text) : (textarea.value = text));

  function submit() {
    run(getQuery(), true);
  }

  // Prefix completion: on a PREFIX line `name: <namespace>`; elsewhere a predeclared prefix name,
  // and after `name:` the classes and properties the graph declares in that namespace.
  const vocabulary = new Map(); // namespace -> Promise of local names

  function localNames(namespace) {
    if (!vocabulary.has(namespace)) {
      const query =
        "SELECT DISTINCT ?t WHERE { VALUES ?k { owl:Class rdfs:Class rdf:Property owl:ObjectProperty " +
        "owl:DatatypeProperty owl:AnnotationProperty } ?t a ?k FILTER(STRSTARTS(STR(?t), " +
        JSON.stringify(namespace) + ")) } ORDER BY ?t LIMIT 1000";
      vocabulary.set(
        namespace,
        sparql(query)
          .then((r) => (r.ok ? r.json() : { results: { bindings: [] } }))
          .then((data) => data.results.bindings.map((b) => b.t.value.slice(namespace.length)).filter((n) => n))
          .catch(() => [])
      );
    }
    return vocabulary.get(namespace);
  }

  function prefixHint(cm, callback) {
    const cursor = cm.getCursor();
    const before = cm.getLine(cursor.line).slice(0, cursor.ch);
    const word = /([A-Za-z][\w.-]*)?(:([\w.-]*))?$/.exec(before);
    const name = word[1] || "";
    const from = CodeMirror.Pos(cursor.line, cursor.ch - word[0].length);
    const done = (list) => callback(list.length ? { list, from, to: cursor } : null);
    if (/^\s*PREFIX\s+[\w.-]*:?$/i.test(before)) {
      return done(
        Object.keys(prefixes)
          .filter((p) => p.startsWith(name))
          .map((p) => ({ text: p + ": <" + prefixes[p] + ">", displayText: p + ": <" + prefixes[p] + ">" }))
      );
    }
    const token = cm.getTokenAt(cursor);
    if (/string|comment|variable-2/.test(token.type || "") || before.endsWith("?" + name)) return callback(null);
    if (word[2] !== undefined) {
      if (!(name in prefixes)) return callback(null);
      const typed = word[3] || "";
      return localNames(prefixes[name]).then((names) =>
        done(names.filter((n) => n.startsWith(typed)).map((n) => name + ":" + n))
      );
    }
    if (!name) return callback(null);
    done(Object.keys(prefixes).filter((p) => p.startsWith(name) && p !== name).map((p) => p + ":"));
  }
  prefixHint.async = true;

  if (window.CodeMirror) {
    editor = CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      lineWrapping: true,
      viewportMargin: Infinity,
      extraKeys: { "Ctrl-Enter": submit, "Cmd-Enter": submit, "Ctrl-Space": "autocomplete" },
      hintOptions: { hint: prefixHint, completeSingle: false, closeCharacters: /[\s()\[\]{};>,]/ },
    });
    // Offer completions unasked only where they are likely wanted: after `name:`, on a PREFIX line,
    // or once two letters of a name are typed (one letter would pop up on every keyword).
    editor.on("inputRead", (cm, change) => {
      const typed = change.text.join("");
      if (cm.state.completionActive || !/^[A-Za-z:]$/.test(typed)) return;
      const before = cm.getLine(change.from.line).slice(0, change.from.ch + 1);
      const word = /[A-Za-z][\w.-]*:?[\w.-]*$/.exec(before);
      if (typed === ":" || /^\s*PREFIX\s/i.test(before) || (word && word[0].length >= 2)) cm.showHint();
    });
  } else {
    textarea.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        submit();
      }
    });
  }

  // ------------------------------------------------------------------ results

  // As the server's context.href: IRIs under the base and EU country IRIs have pages here.
  const country = form.dataset.country || "";
  function localHref(iri) {
    const code = country && iri.startsWith(country) ? iri.slice(country.length) : "";
    if (/^[A-Z]{3}$/.test(code)) return "/country/" + code;
    if (base && iri.startsWith(base)) return "/" + iri.slice(base.length);
    return iri;
  }

  function compact(iri) {
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      if (iri.startsWith(namespace) && iri.length > namespace.length) return prefix + ":" + iri.slice(namespace.length);
    }
    return iri;
  }

  function small(className, text) {
    return Object.assign(document.createElement("span"), { className, textContent: text });
  }

  function termNode(term) {
    if (!term) return document.createTextNode("");
    if (term.type === "uri") {
      const href = localHref(term.value);
      const link = document.createElement(/^(https?:|\/)/.test(href) ? "a" : "span");
      if (link.tagName === "A") link.href = href;
      link.title = term.value;
      link.dataset.iri = term.value;
      link.textContent = compact(term.value);
      return link;
    }
    if (term.type === "bnode") return small("bnode", "_:" + term.value);
    if (term.type === "triple") {
      const v = term.value;
      return document.createTextNode("<< " + [v.subject, v.predicate, v.object].map((t) => t.value).join(" ") + " >>");
    }
    const cell = document.createDocumentFragment();
    const literal = small("literal", term.value);
    cell.append(literal);
    if (term["xml:lang"]) {
      literal.lang = term["xml:lang"];
      cell.append(" ", small("lang", "@" + term["xml:lang"]));
    } else if (term.datatype) {
      cell.append(" ", small("datatype", "^^" + compact(term.datatype)));
    }
    return cell;
  }

  function showTable(data, truncated) {
    const vars = data.head.vars || [];
    const rows = data.results.bindings;
    results.append(Object.assign(document.createElement("p"), { className: "count", textContent: say("rows", { count: rows.length }) }));
    if (truncated) {
      results.append(Object.assign(document.createElement("p"), { className: "truncated", textContent: say("truncated", { rows: truncated }) }));
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

  function pickLabel(byLang) {
    const wanted = [document.documentElement.lang, ...(navigator.languages || []), "en"].filter((l) => l);
    for (const lang of wanted) {
      const primary = lang.toLowerCase().split("-")[0];
      const tag = Object.keys(byLang).find((t) => t && t.toLowerCase().split("-")[0] === primary);
      if (tag !== undefined) return byLang[tag];
    }
    if ("" in byLang) return byLang[""];
    const first = Object.keys(byLang).sort()[0];
    return first === undefined ? null : byLang[first];
  }

  // IRIs show their labels: one second query for the IRIs on the page (at most MAX_LABELLED).
  async function labelIris(ticket) {
    const nodes = Array.from(results.querySelectorAll("[data-iri]"));
    const iris = Array.from(new Set(nodes.map((n) => n.dataset.iri))).filter((i) => !UNSAFE_IRI.test(i)).slice(0, MAX_LABELLED);
    if (!iris.length) return;
    const query =
      "SELECT ?s ?label WHERE { VALUES ?s { " + iris.map((i) => "<" + i + ">").join(" ") + " } ?s <" +
      RDFS_LABEL + ">|<" + SKOS_PREF_LABEL + "> ?label }";
    const response = await sparql(query);
    if (!response.ok || ticket !== runs) return;
    const labels = {};
    (await response.json()).results.bindings.forEach((b) => {
      const byLang = (labels[b.s.value] = labels[b.s.value] || {});
      const tag = b.label["xml:lang"] || "";
      if (!(tag in byLang)) byLang[tag] = b.label.value;
    });
    if (ticket !== runs) return;
    nodes.forEach((node) => {
      const label = labels[node.dataset.iri] && pickLabel(labels[node.dataset.iri]);
      if (label) node.textContent = label;
    });
  }

  function showDownloads(query, kind) {
    const formats = kind === "graph" ? [["turtle", "Turtle", "ttl"], ["json-ld", "JSON-LD", "jsonld"]] : [["csv", "CSV", "csv"], ["json", "JSON", "json"]];
    downloads.replaceChildren(say("download"));
    formats.forEach(([format, name, ext], i) => {
      const link = Object.assign(document.createElement("a"), { textContent: name, download: "result." + ext });
      link.href = "/sparql?" + new URLSearchParams({ query, format });
      link.dataset.format = format;
      downloads.append(i ? " · " : " ", link);
    });
    downloads.hidden = false;
  }

  function sparql(query) {
    return fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query }),
    });
  }

  // ------------------------------------------------------------------ running, and the URL as history

  let runs = 0; // a newer run makes the answers of older ones stale
  let shown = results.dataset.query || "";
  const snapshots = new Map(); // query -> what the page showed for it (results, downloads, status)

  function keep() {
    snapshots.set(shown, [results, downloads, status].map((node) => node.cloneNode(true)));
  }

  function restore(query) {
    const saved = snapshots.get(query);
    if (!saved) return false;
    [results, downloads, status].forEach((node, i) => {
      node.replaceChildren(...Array.from(saved[i].cloneNode(true).childNodes));
      node.hidden = saved[i].hidden;
    });
    return true;
  }

  async function run(query, push) {
    if (push && query.trim()) {
      keep();
      history.pushState({ query }, "", "/query?" + new URLSearchParams({ query }));
    }
    shown = query;
    const ticket = ++runs;
    results.replaceChildren();
    status.textContent = say("running");
    const started = performance.now();
    try {
      const response = await sparql(query);
      if (ticket !== runs) return;
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        downloads.hidden = true; // nothing to download from a query that failed
        status.textContent = say("error", { status: response.status });
        results.append(Object.assign(document.createElement("pre"), { className: "error", textContent: await response.text() }));
        return;
      }
      status.textContent = say("done", { seconds });
      if (type.includes("json")) {
        const data = await response.json();
        if (ticket !== runs) return;
        if (typeof data.boolean === "boolean") {
          results.append(Object.assign(document.createElement("p"), { className: "boolean", textContent: String(data.boolean) }));
        } else {
          showTable(data, response.headers.get("X-Result-Row-Limit"));
        }
        showDownloads(query, "bindings");
      } else {
        results.append(Object.assign(document.createElement("pre"), { className: "graph", textContent: await response.text() }));
        showDownloads(query, "graph");
      }
      await labelIris(ticket);
    } catch (error) {
      if (ticket === runs) status.textContent = say("failed", { error: String(error) });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  // The entry the page was opened at: the server rendered its result; remember it for the back button.
  history.replaceState({ query: shown }, "", location.href);
  window.addEventListener("popstate", (event) => {
    const query = (event.state && event.state.query) || "";
    keep();
    setQuery(query || textarea.defaultValue);
    shown = query;
    runs++;
    if (!restore(query)) {
      if (query) run(query, false);
      else results.replaceChildren();
    }
  });

})();
