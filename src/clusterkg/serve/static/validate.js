// The validation form: a chosen file is read into the text field (the form posts text, so the
// server needs no multipart parser); its suffix picks the format.
"use strict";
const FORMATS = { ttl: "turtle", nt: "ntriples", nq: "nquads", trig: "trig", jsonld: "jsonld", json: "jsonld", rdf: "rdfxml", xml: "rdfxml", owl: "rdfxml" };
document.querySelectorAll("input[type=file][data-target]").forEach((input) => {
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file) return;
    const suffix = file.name.split(".").pop().toLowerCase();
    const select = document.getElementById("validate-format");
    if (select && FORMATS[suffix]) select.value = FORMATS[suffix];
    file.text().then((text) => {
      document.getElementById(input.dataset.target).value = text;
    });
  });
});
