// Render TeX to MathML with KaTeX at build time (the browsers render MathML).
// stdin: JSON list of {"tex": "...", "display": true|false}
// stdout: JSON list of {"html": "..."} or {"error": "..."}, in the same order.
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex, display }) => {
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
  process.stdout.write(JSON.stringify(results));
});
