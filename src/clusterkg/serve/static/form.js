// Canned-query forms: an empty optional field is left out of the URL, since the API refuses
// empty values (an empty value is a mistake, an absent one means "no filter").
"use strict";
document.querySelectorAll("form.canned").forEach((form) => {
  form.addEventListener("submit", () => {
    form.querySelectorAll("input, select").forEach((field) => {
      if (field.value === "") field.disabled = true;
    });
  });
});
