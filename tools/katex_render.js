// Render TeX to MathML with KaTeX at build time (the browsers render MathML).
// tools/katex.py evaluates this file in a V8 context (mini-racer), after
// KaTeX's own dist/katex.js, which defines the global `katex`.
// renderAll(formulas): formulas is a list of {"tex": "...", "display": true|false};
// it returns a list of {"html": "..."} or {"error": "..."}, in the same order.
"use strict";

function renderAll(formulas) {
  return formulas.map(({ tex, display }) => {
    try {
      const html = katex.renderToString(tex, {
        displayMode: display,
        throwOnError: true,
        strict: "error",
        output: "mathml", // MathML only: rendered natively by browsers
      });
      return { html };
    } catch (error) {
      return { error: String(error.message || error) };
    }
  });
}

// Run by Node.js (`node tools/katex_render.js`, to compare the two: see
// tests/test_katex.py), it loads KaTeX with `require`, reads the formulas as
// JSON on stdin and writes the results as JSON on stdout. Not in V8 alone,
// which has no `module`.
if (typeof module !== "undefined" && require.main === module) {
  globalThis.katex = require("katex");
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (input += chunk));
  process.stdin.on("end", () => {
    process.stdout.write(JSON.stringify(renderAll(JSON.parse(input))));
  });
}
