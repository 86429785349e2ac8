/* The header's light/dark toggle (overrides/partials/palette.html), in place
 * of Material's palette component, which re-applied the palette on every page
 * load at the cost of several recalculations of the whole page's style.
 *
 * The palette is chosen before the page is drawn (partials/palette-head.html
 * stores it on a first visit; Material's header script applies the stored one
 * to the body). Here: show the toggle that leads to the other palette, and on
 * a change do what Material's component did: set the body's colour attributes
 * (with transitions off while they change), store the palette, and update the
 * color-scheme and theme-color meta tags (theme-color, the colour of a phone's
 * address bar, is also set once the page has loaded). Enter on the toggle
 * switches it too.
 * It runs once per page load (Material's instant navigation, which the site
 * does not use, would not replace the header either).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-site-palette]");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input"));
  var KEYS = ["media", "scheme", "primary", "accent"];

  function showToggle(index) {
    inputs.forEach(function (input, i) {
      var label = input.nextElementSibling;
      if (label instanceof HTMLLabelElement && label.hidden !== (i !== index)) {
        label.hidden = i !== index;
      }
    });
  }

  function meta(name) {
    var element = document.head.querySelector("meta[name=" + name + "]");
    if (!element) {
      element = document.createElement("meta");
      element.name = name;
      document.head.appendChild(element);
    }
    return element;
  }

  function apply(index) {
    var input = inputs[index];
    var color = {};
    KEYS.forEach(function (key) {
      color[key] = input.getAttribute("data-md-color-" + key);
    });
    var body = document.body;
    body.setAttribute("data-md-color-switching", "");
    KEYS.forEach(function (key) {
      body.setAttribute("data-md-color-" + key, color[key]);
    });
    showToggle(index);
    __md_set("__palette", { index: index, color: color });
    var style = getComputedStyle(document.querySelector("[data-md-component=header]"));
    meta("color-scheme").content = style.colorScheme;
    meta("theme-color").content = style.backgroundColor;
    setTimeout(function () {
      body.removeAttribute("data-md-color-switching");
    });
  }

  // The address bar's colour on phones, once the page has loaded (a style
  // read then costs no recalculation of the whole page).
  window.addEventListener("load", function () {
    var header = document.querySelector("[data-md-component=header]");
    meta("theme-color").content = getComputedStyle(header).backgroundColor;
  });

  var stored = __md_get("__palette");
  var current = stored && typeof stored.index === "number" ? stored.index : 0;
  showToggle(Math.max(0, Math.min(current, inputs.length - 1)));

  form.addEventListener("change", function (event) {
    var index = inputs.indexOf(event.target);
    if (index >= 0) apply(index);
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var index = inputs.findIndex(function (input) {
      var label = input.nextElementSibling;
      return label instanceof HTMLLabelElement && !label.hidden;
    });
    var next = inputs[(index + 1) % inputs.length];
    next.click();
    next.focus();
  });
})();
