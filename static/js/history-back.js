// Error pages: "Go back" returns to the previous page when there is one, else follows its link.
document.querySelectorAll("[data-history-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
});
