// Drafts list: select all, confirm destructive actions. Editor: live markdown preview.
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[name="entry"]').forEach(function (item) { item.checked = box.checked; });
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
  var editor = document.getElementById("editor");
  if (!editor) return;
  var token = editor.querySelector('input[name="csrfmiddlewaretoken"]').value;
  editor.querySelectorAll("[data-preview-for]").forEach(function (pane) {
    var source = document.getElementById(pane.dataset.previewFor);
    var timer = null;
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams({ text: source.value });
        fetch(editor.dataset.previewUrl, { method: "POST", body: body, headers: { "X-CSRFToken": token },
                                           credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { if (data) pane.innerHTML = data.html; });
      }, 300);
    });
  });
})();
// Editor: warn before leaving with unsaved changes (any form submitted from the page is a choice, not a loss).
(function () {
  var editor = document.querySelector("form[data-unsaved-warning]");
  if (!editor) return;
  var note = editor.querySelector("[data-unsaved-note]");
  var fields = Array.prototype.filter.call(editor.elements, function (field) {
    return field.name && field.name !== "csrfmiddlewaretoken" && field.type !== "submit" && field.type !== "hidden";
  });
  function snapshot() {
    return fields.map(function (field) {
      return (field.type === "radio" || field.type === "checkbox") ? String(field.checked) : field.value;
    }).join("\u0000");
  }
  var saved = snapshot();
  var leaving = false;
  function dirty() { return !leaving && snapshot() !== saved; }
  function update() { if (note) note.hidden = !dirty(); }
  editor.addEventListener("input", update);
  editor.addEventListener("change", update);
  document.addEventListener("submit", function () { leaving = true; }, true);
  window.addEventListener("beforeunload", function (event) {
    if (!dirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
