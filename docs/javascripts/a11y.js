// Names for elements Material for MkDocs creates without one (axe-core checks
// every page in tests/test_accessibility.py):
// - the search dialog;
// - each code block's button bar, a <nav> landmark: several unnamed navigation
//   landmarks on one page are ambiguous, so each gets a name of its own;
// - the numbered markers of code annotations, links without text.
(function () {
  "use strict";
  function name(root) {
    root.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(
      function (dialog) { dialog.setAttribute("aria-label", "Search"); });
    root.querySelectorAll("nav.md-code__nav").forEach(function (nav, index) {
      nav.setAttribute("aria-label", "Code block " + (index + 1) + " actions");
    });
    root.querySelectorAll("a.md-annotation__index:not([aria-label])").forEach(
      function (link) {
        var id = link.querySelector("[data-md-annotation-id]");
        var number = id ? id.getAttribute("data-md-annotation-id") : "";
        link.setAttribute("aria-label", "Annotation " + number);
      });
  }
  name(document);
  new MutationObserver(function () { name(document); }).observe(
    document.documentElement, { childList: true, subtree: true });
})();
