/* app.js: small progressive enhancements for the to-do page. */
(function () {
  "use strict";
  function ready() {
    var input = document.getElementById("id_new_item");
    if (input) {
      input.focus();
    }
    document.body.classList.add("js-ready");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
//# sourceMappingURL=app.js.map
