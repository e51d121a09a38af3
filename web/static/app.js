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
  });

  // The quote check form posts; a short quote goes as a GET instead, so that the page's
  // address can be shared (a long one would not fit in a URL).
  var SHAREABLE_URL_LENGTH = 3000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form.check")) {
      var query = new URLSearchParams(new FormData(form)).toString();
      form.method = query.length <= SHAREABLE_URL_LENGTH ? "get" : "post";
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
