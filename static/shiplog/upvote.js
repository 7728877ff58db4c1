// Progressive enhancement: upvote with fetch (no reload); without JS the form POSTs and redirects.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-upvote]") || !window.fetch) return;
  event.preventDefault();
  var button = form.querySelector("button");
  button.disabled = true;
  fetch(form.action, {method: "POST", headers: {"Accept": "application/json"}, credentials: "omit"})
    .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
    .then(function (result) {
      var response = result[0], data = result[1];
      if (response.ok) {
        form.querySelector("[data-count]").textContent = data.count;
        button.setAttribute("aria-pressed", "true");
      } else {
        button.title = data.detail || "Could not count your upvote";
      }
    })
    .catch(function () { form.submit(); })
    .finally(function () { button.disabled = false; });
});
