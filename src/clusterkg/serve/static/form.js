// Canned-query forms: an empty optional field is left out of the URL, since the API refuses
// empty values (an empty value is a mistake, an absent one means "no filter").
"use strict";
document.querySelectorAll("form.canned").forEach((form) => {
  const fields = () => form.querySelectorAll("input, select");
  form.addEventListener("submit", () => {
    fields().forEach((field) => {
      if (field.value === "") field.disabled = true;
    });
  });
  // Back to this page from the browser's cache: the fields left out must be usable again.
  window.addEventListener("pageshow", () => fields().forEach((field) => (field.disabled = false)));
});
