/*! Shiplog widget loader (docs/widget.md): short-lived, it loads the current widget release. */
(function (w, d) {
  try {
    var s = d.currentScript, api = w.Shiplog = w.Shiplog || {q: []};
    api.q = api.q || [];
    ["open", "close", "toggle", "onUnreadChange", "configure"].forEach(function (name) {
      if (!api[name]) api[name] = function () { api.q.push([name, [].slice.call(arguments)]); };
    });
    if (!s || api.loading) return;
    api.loading = 1;
    var t = d.createElement("script");
    t.async = true;
    t.src = new URL("/widget/v/__VERSION__.js", s.src).href;
    if (s.nonce) t.nonce = s.nonce;
    (d.head || d.documentElement).appendChild(t);
  } catch (e) { /* never break the host page */ }
})(window, document);
