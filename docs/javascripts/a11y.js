// Names for elements Material for MkDocs creates without one (axe-core checks
// every page in tests/test_browser.py):
// - the search dialog;
// - each code block's button bar, a <nav> landmark: several unnamed navigation
//   landmarks on one page are ambiguous, so each gets a name of its own;
// - the numbered markers of code annotations, links without text;
// - a wide table's scrolling wrapper, which must be reachable by keyboard
//   (as Material makes its code blocks).
// Each element is named once, when it appears: no work on unrelated changes.
(function () {
  "use strict";
  function label(element) {
    if (element.hasAttribute("aria-label")) return;
    if (element.matches("div.md-typeset__scrollwrap") &&
        element.scrollWidth <= element.clientWidth) return;
    if (element.matches("nav.md-code__nav")) {
      var block = element.parentElement;
      var number = block && /^__code_(\d+)$/.exec(block.id);
      var which = number ? " " + (Number(number[1]) + 1) : "";
      element.setAttribute("aria-label", "Code block" + which + " actions");
    } else if (element.matches("div.md-typeset__scrollwrap")) {
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "region");
      element.setAttribute("aria-label", "Table, scrolls sideways");
      return;
    } else if (element.matches("a.md-annotation__index")) {
      var id = element.querySelector("[data-md-annotation-id]");
      var n = id ? id.getAttribute("data-md-annotation-id") : "";
      element.setAttribute("aria-label", "Annotation " + n);
    }
  }
  var selector =
    "nav.md-code__nav, a.md-annotation__index, div.md-typeset__scrollwrap";
  function visit(node) {
    if (node.nodeType !== 1) return;
    if (node.matches(selector)) label(node);
    if (node.firstElementChild) node.querySelectorAll(selector).forEach(label);
  }
  var search = document.querySelector(".md-search[role=dialog]");
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search");
  }
  visit(document.body);
  new MutationObserver(function (records) {
    records.forEach(function (record) { record.addedNodes.forEach(visit); });
  }).observe(document.body, { childList: true, subtree: true });
})();
