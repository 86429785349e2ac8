// Names for elements Material for MkDocs creates without one (axe-core checks
// every page in tests/test_browser.py):
// - the search dialog;
// - each code block's button bar, a <nav> landmark: several unnamed navigation
//   landmarks on one page are ambiguous, so each gets a name of its own (the
//   bar appears when its block first comes into view);
// - the numbered markers of code annotations, links without text;
// - a wide table's scrolling wrapper, which must be reachable by keyboard
//   (as Material makes its code blocks);
// - a code block that scrolls sideways and that Material has not set up yet:
//   with `content.lazy` (mkdocs.yml) Material makes such a block reachable by
//   keyboard only when it first comes into view, so until then this does, on
//   a device that can hover, as Material does (and Material's own setting
//   replaces it when the block comes into view).
// Each element is named once, when it appears: no work on unrelated changes.
(function () {
  "use strict";
  function label(element) {
    if (element.hasAttribute("aria-label")) return;
    if (element.matches("div.md-typeset__scrollwrap") &&
        element.scrollWidth <= element.clientWidth) return;
    if (element.matches("nav.md-code__nav")) {
      // Numbered by the block's place on the page: Material numbers its ids in
      // the order the blocks first come into view (`content.lazy`).
      var blocks = document.querySelectorAll("pre");
      var index = Array.prototype.indexOf.call(blocks, element.parentElement);
      var which = index >= 0 ? " " + (index + 1) : "";
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
  // Once the page has loaded (after its first layout), not while it starts.
  window.addEventListener("load", function () {
    if (!window.matchMedia("(hover)").matches) return;
    document.querySelectorAll("pre > code:not([tabindex])").forEach(
      function (code) {
        if (code.scrollWidth > code.clientWidth) {
          code.setAttribute("tabindex", "0");
        }
      }
    );
  });
  new MutationObserver(function (records) {
    records.forEach(function (record) { record.addedNodes.forEach(visit); });
  }).observe(document.body, { childList: true, subtree: true });
})();
