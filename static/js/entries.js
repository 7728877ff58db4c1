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
