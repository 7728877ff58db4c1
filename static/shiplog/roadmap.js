// Progressive enhancement of "Email me when it ships": send the form with fetch (upvote and email in
// one request, no page change); without JS the form POSTs and the server redirects back to the page.
// Plain upvotes go through upvote.js (form[data-upvote]) like on the changelog.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-roadmap-notify]") || !window.fetch) return;
  event.preventDefault();
  var button = form.querySelector("button[type=submit]");
  var status = form.querySelector("[data-status]");
  var show = function (text, kind) {
    status.textContent = text;
    status.classList.toggle("is-ok", kind === "ok");
    status.classList.toggle("is-error", kind === "error");
  };
  button.disabled = true;
  fetch(form.action, {method: "POST", body: new FormData(form), headers: {"Accept": "application/json"},
                      credentials: "omit"})
    .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
    .then(function (result) {
      var response = result[0], data = result[1];
      if (!response.ok) {
        show(data.detail || "Something went wrong; please try again.", "error");
        return;
      }
      var card = form.closest(".roadmap-card");
      var count = card && card.querySelector("[data-count]");
      if (count) count.textContent = data.count;
      var vote = card && card.querySelector(".roadmap-vote button");
      if (vote) vote.setAttribute("aria-pressed", "true");
      form.querySelector("input[name=email]").value = "";
      show("Check your inbox: confirm your address and we'll email you once, when it ships.", "ok");
    })
    .catch(function () { form.submit(); })
    .finally(function () { button.disabled = false; });
});
