// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function copyText(text, button) {
    function done() {
      button.classList.add("done");
      button.textContent = "Copied";
      setTimeout(function () { button.classList.remove("done"); button.textContent = "Copy"; }, 1600);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else {
      fallback(text);
      done();
    }
  }

  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (button) {
      copyText(button.getAttribute("data-copy"), button);
    }
    // The bookmarklet is for the bookmarks bar; run here, the page's own policy would refuse it.
    var bookmarklet = event.target.closest("a.bookmarklet");
    if (bookmarklet) {
      event.preventDefault();
      document.getElementById("bookmarklet-note").textContent = bookmarklet.getAttribute("data-note");
    }
  });

  // The quote check form posts; a short quote goes as a GET instead, so that the page's
  // address can be shared (a long one would not fit in a URL).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form.check")) {
      var query = new URLSearchParams(new FormData(form)).toString();
      form.method = query.length <= Number(form.getAttribute("data-get-length")) ? "get" : "post";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var article = document.querySelector("[data-locator]");
    if (article) {
      var target = document.getElementById(article.getAttribute("data-locator"));
      if (target) {
        target.setAttribute("tabindex", "-1");
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
    }
  });
})();
