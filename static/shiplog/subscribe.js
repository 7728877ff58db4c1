// Progressive enhancement of the subscribe form: send it as JSON (no page change); without JS it
// POSTs as a form and the server answers with a page. The server never says whether the address
// was subscribed already, so neither does this.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-subscribe]") || !window.fetch) return;
  event.preventDefault();
  var button = form.querySelector("button[type=submit]");
  var status = form.querySelector(".subscribe-status");
  var field = function (name) { return form.querySelector("[name=" + name + "]"); };
  var body = {
    email: field("email").value,
    digest: field("digest").checked,
    majorReleases: field("majorReleases").checked,
    allUpdates: field("allUpdates").checked,
    website: field("website").value
  };
  var show = function (text, ok) {
    status.textContent = text;
    status.classList.toggle("is-ok", !!ok);
  };
  button.disabled = true;
  show("");
  fetch(form.action, {
    method: "POST", credentials: "omit",
    headers: {"Content-Type": "application/json", "Accept": "application/json"},
    body: JSON.stringify(body)
  })
    .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
    .then(function (result) {
      var response = result[0], data = result[1];
      if (response.status === 202) {
        var done = document.createElement("div");
        done.className = "subscribe-done";
        done.setAttribute("role", "status");
        var text = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = "Check your inbox";
        var detail = document.createElement("span");
        detail.textContent = "We sent a link to " + body.email + " to confirm your subscription.";
        text.appendChild(title);
        text.appendChild(detail);
        done.appendChild(text);
        form.replaceWith(done);
        return;
      }
      var errors = data.errors || {};
      if (errors.email) show("Please enter a valid email address.");
      else if (errors.preferences) show("Choose at least one kind of update.");
      else show(data.detail || "Something went wrong; please try again.");
    })
    .catch(function () { form.submit(); })
    .finally(function () { button.disabled = false; });
});
