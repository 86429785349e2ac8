/* The (w, b) explorer of docs/optimizers.md ("Watch it descend").
 *
 * torch.optim.SGD(lr=η, momentum=μ) on Part 4's loss over (w, b), in float64,
 * with the data, the update, the stopping rule and the verdicts of
 * snippets/optimizers/valley_paths.py: tests/test_optimizers_browser.py checks
 * every iterate, step count and verdict against that program's. Only the
 * optimizers page loads this file (its front matter; overrides/main.html).
 * Plain JavaScript and SVG. Nothing moves until the reader changes something;
 * then the path is drawn step by step (at once where the reader prefers
 * reduced motion), and once the change has settled a one-sentence summary goes
 * to a polite live region, for screen readers.
 */
(function () {
  "use strict";

  var X = [1, 2, 3, 4];
  var N = X.length;
  var Y = X.map(function (x) { return 2 * x; });
  var THRESHOLD = 1e-6; // the loss's minimum is 0: stop below this
  var TOO_LARGE = 1e10; // a loss above this has diverged
  var MAX_STEPS = 5000;
  var MAX_START = 100; // |w| and |b| of a typed start
  // nn.Linear(1, 1) after torch.manual_seed(0): float32 values, exact in float64.
  var PART4_START = [-0.007486820220947266, 0.5364435911178589];
  var MEAN = X.reduce(function (s, x) { return s + x; }, 0) / N;
  var STD = Math.sqrt(
    X.reduce(function (s, x) { return s + (x - MEAN) * (x - MEAN); }, 0) / N
  );
  // The plane shown for each kind of inputs: w and b ranges, the same scale on
  // both axes.
  var INPUTS = {
    raw: {
      x: X,
      w: [-3, 7],
      b: [-2.5, 3.5],
    },
    standardised: {
      x: X.map(function (x) { return (x - MEAN) / STD; }),
      w: [-4, 8.5],
      b: [-0.5, 7],
    },
  };
  var LEVELS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100];
  var RATE_MIN = -3; // the η slider moves log10(η) from 0.001 ...
  var RATE_MAX = 0.3; // ... to about 2
  var SVG = "http://www.w3.org/2000/svg";
  var MARGIN = { left: 34, right: 10, top: 10, bottom: 34 };

  // --- the maths: valley_paths.py's, line by line -------------------------

  function sum(values) {
    var s = 0;
    for (var i = 0; i < values.length; i++) s += values[i];
    return s;
  }

  /* The Hessian (2/n) [[Σx², Σx], [Σx, n]], its eigenvalues and the
   * eigenvector of the small one; the minimum of the loss. */
  function valley(x) {
    var a = (2 / N) * sum(x.map(function (v) { return v * v; }));
    var off = (2 / N) * sum(x);
    var c = 2;
    var high = (a + c) / 2 + Math.hypot((a - c) / 2, off);
    var low = (a * c - off * off) / high; // the determinant over the other
    var vector = Math.abs(off) > 1e-12 ? [off, low - a] : [1, 0];
    var norm = Math.hypot(vector[0], vector[1]);
    var xbar = sum(x) / N;
    var ybar = sum(Y) / N;
    var sxy = 0;
    var sxx = 0;
    for (var i = 0; i < N; i++) {
      sxy += (x[i] - xbar) * (Y[i] - ybar);
      sxx += (x[i] - xbar) * (x[i] - xbar);
    }
    var wStar = sxy / sxx;
    return {
      low: low,
      high: high,
      along: [vector[0] / norm, vector[1] / norm],
      minimum: [wStar, ybar - wStar * xbar],
    };
  }

  /* best_settings(): the best plain step, and Distill's optimal η and μ. */
  function bestSettings(x) {
    var v = valley(x);
    var kappa = v.high / v.low;
    var root = Math.sqrt(kappa);
    return {
      plain: [2 / (v.low + v.high), 0],
      distill: [
        Math.pow(2 / (Math.sqrt(v.low) + Math.sqrt(v.high)), 2),
        Math.pow((root - 1) / (root + 1), 2),
      ],
    };
  }

  function loss(x, w, b) {
    var total = 0;
    for (var i = 0; i < N; i++) {
      var r = w * x[i] + b - Y[i];
      total += r * r;
    }
    return total / N;
  }

  /* run(): SGD with momentum as torch.optim.SGD does it (dampening 0, the
   * first velocity the gradient itself): v <- μ v + g, θ <- θ - η v. The
   * loss is the MSE before each step; (w, b) and the loss at every step. */
  function run(rate, momentum, start, x) {
    var w = start[0];
    var b = start[1];
    var vw = 0;
    var vb = 0;
    var path = [];
    var losses = [];
    for (var step = 0; step <= MAX_STEPS; step++) {
      var total = 0;
      var gw = 0;
      var gb = 0;
      for (var i = 0; i < N; i++) {
        var r = w * x[i] + b - Y[i];
        total += r * r;
        gw += x[i] * r;
        gb += r;
      }
      var value = total / N;
      path.push([w, b]);
      losses.push(value);
      if (value < THRESHOLD || !(value <= TOO_LARGE)) break;
      gw = (2 / N) * gw;
      gb = (2 / N) * gb;
      vw = momentum * vw + gw;
      vb = momentum * vb + gb;
      w = w - rate * vw;
      b = b - rate * vb;
    }
    return { path: path, losses: losses };
  }

  /* turns_back() and verdict(). */
  function turnsBack(path) {
    for (var k = 2; k < path.length; k++) {
      var s0 = path[k - 1][0] - path[k - 2][0];
      var s1 = path[k - 1][1] - path[k - 2][1];
      var t0 = path[k][0] - path[k - 1][0];
      var t1 = path[k][1] - path[k - 1][1];
      if (s0 * t0 + s1 * t1 < 0) return true;
    }
    return false;
  }

  function verdict(result) {
    var last = result.losses[result.losses.length - 1];
    if (last < THRESHOLD) {
      return turnsBack(result.path) ? "converges with oscillation"
        : "converges smoothly";
    }
    if (!(last <= TOO_LARGE)) return "diverges";
    return "not within " + MAX_STEPS + " steps";
  }

  // --- numbers as Python prints them --------------------------------------

  function fixed(v) { // f"{v:.4f}", or f"{v:.4e}" when large
    if (Math.abs(v) < 1e5) return v.toFixed(4);
    return exponent(v.toExponential(4));
  }

  function exponent(text) { // JavaScript's 1e-7 as Python's 1e-07
    return text.replace(/e([+-])(\d)$/, "e$10$2");
  }

  function general(v) { // f"{v:.4g}"
    if (v === 0) return "0";
    if (!isFinite(v)) return isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    var scientific = v.toExponential(3);
    var power = Number(scientific.split("e")[1]);
    if (power < -4 || power >= 4) {
      var parts = scientific.split("e");
      return exponent(parts[0].replace(/\.?0+$/, "") + "e" +
        (parts[1][0] === "-" ? "" : "+") + parts[1].replace("+", ""));
    }
    var text = v.toFixed(3 - power);
    return text.indexOf(".") < 0 ? text : text.replace(/\.?0+$/, "");
  }

  function short(v) { // 3 significant digits, for a slider's value
    return String(Number(v.toPrecision(3)));
  }

  // --- reading what the reader typed --------------------------------------

  var NUMBER = "(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?";
  var FRACTION = new RegExp("^([+-]?" + NUMBER + ")(?:\\s*/\\s*(" + NUMBER + "))?$", "i");

  function parse(text, what, example) {
    text = text.trim();
    if (text === "") return { error: "Enter " + what + ", for example " + example + "." };
    var match = FRACTION.exec(text);
    if (!match) {
      return { error: "“" + text + "” is not a number: type " + what +
        " such as " + example + "." };
    }
    var value = Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2]));
    if (!isFinite(value)) return { error: "“" + text + "” is not a finite number." };
    return { value: value };
  }

  function parseRate(text) {
    var read = parse(text, "a learning rate", "0.01, 1e-3 or 2/17");
    if (read.error) return read;
    if (read.value <= 0) {
      return { error: "The learning rate must be above 0: η = 0 never moves, " +
        "and η < 0 climbs the loss." };
    }
    if (read.value > 10) {
      return { error: "Choose η up to 10: every run with a larger η diverges here." };
    }
    return read;
  }

  function parseMomentum(text) {
    var read = parse(text, "a momentum", "0, 0.5 or 0.9");
    if (read.error) return read;
    if (read.value < 0 || read.value >= 1) {
      return { error: "The momentum must be at least 0 and below 1: μ = 1 keeps " +
        "every past gradient at full weight, and never settles." };
    }
    return read;
  }

  function parseStart(input, name) {
    if (input.validity.badInput || input.value.trim() === "") {
      return { error: "Enter the start's " + name + " as a number, for example 1.5." };
    }
    var value = input.valueAsNumber;
    if (!isFinite(value) || Math.abs(value) > MAX_START) {
      return { error: "The start's " + name + " must be between −" + MAX_START +
        " and " + MAX_START + "." };
    }
    return { value: value };
  }

  // --- building the explorer ------------------------------------------------

  function element(name, attributes, parent, text) {
    var node = document.createElement(name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function svgNode(name, attributes, parent) {
    var node = document.createElementNS(SVG, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function field(parent, id, label, attributes) {
    var box = element("div", { class: "ve-field" }, parent);
    element("label", { for: id }, box, label);
    return element("input", Object.assign({ id: id }, attributes), box);
  }

  function build(root) {
    root.textContent = "";
    var plot = svgNode("svg", { class: "ve-plot", role: "img" }, root);
    var readouts = element("dl", { class: "ve-readouts" }, root);
    function readout(term) {
      var box = element("div", {}, readouts);
      element("dt", {}, box, term);
      return element("dd", {}, box);
    }
    var ui = {
      root: root,
      plot: plot,
      steps: readout("Steps to a loss below 10⁻⁶"),
      verdict: readout("Verdict"),
      shown: readout("Shown"),
    };
    element("p", { class: "ve-help" }, root,
      "Drag or tap the plot to move the start, or type it. Arrow keys change " +
      "every field and slider.");

    var controls = element("div", { class: "ve-controls" }, root);
    // A slider and a field for each: the field's label heads the pair.
    function pair(id, label, slider) {
      var box = element("div", { class: "ve-pair ve-field" }, controls);
      element("label", { for: id }, box, label);
      var range = element("input", Object.assign({
        type: "range", class: "ve-slider", "aria-label": label + " (slider)",
      }, slider), box);
      var input = element("input", {
        id: id, type: "text", inputmode: "decimal", autocomplete: "off",
        spellcheck: "false",
      }, box);
      return [range, input];
    }
    var rate = pair("ve-rate", "Learning rate η",
      { min: RATE_MIN, max: RATE_MAX, step: "0.01" });
    ui.rateSlider = rate[0];
    ui.rate = rate[1];
    var momentum = pair("ve-momentum", "Momentum μ",
      { min: "0", max: "0.99", step: "0.01" });
    ui.momentumSlider = momentum[0];
    ui.momentum = momentum[1];

    var start = element("fieldset", { class: "ve-start" }, controls);
    element("legend", {}, start, "Start");
    ui.startW = field(start, "ve-start-w", "w", {
      type: "number", step: "0.05", min: -MAX_START, max: MAX_START,
    });
    ui.startB = field(start, "ve-start-b", "b", {
      type: "number", step: "0.05", min: -MAX_START, max: MAX_START,
    });
    ui.part4 = element("button", { type: "button", class: "md-button" }, start,
      "Part 4's start");

    var inputs = element("fieldset", { class: "ve-inputs" }, controls);
    element("legend", {}, inputs, "Inputs x");
    ui.inputs = {};
    [["raw", "as they are: 1, 2, 3, 4"],
      ["standardised", "standardised: mean 0, standard deviation 1"]]
      .forEach(function (option) {
        var label = element("label", {}, inputs);
        ui.inputs[option[0]] = element("input", {
          type: "radio", name: "ve-inputs", value: option[0],
        }, label);
        label.appendChild(document.createTextNode(" " + option[1]));
      });

    var presets = element("div", {
      class: "ve-presets", role: "group", "aria-label": "Settings from this page",
    }, root);
    ui.presets = {
      plain: element("button", { type: "button", class: "md-button" }, presets,
        "Best plain step"),
      distill: element("button", { type: "button", class: "md-button" }, presets,
        "Distill's optimum"),
      page: element("button", { type: "button", class: "md-button" }, presets,
        "μ = 0.9, η = 0.01"),
    };

    var replay = element("div", { class: "ve-replay" }, root);
    ui.step = field(replay, "ve-step", "Step shown", {
      type: "range", min: "0", max: "0", step: "1", value: "0",
    });
    ui.play = element("button", { type: "button", class: "md-button" }, replay,
      "Play the descent");

    ui.message = element("p", { class: "ve-message", role: "alert" }, root);
    ui.announce = element("p", {
      class: "ve-announce", "aria-live": "polite", "aria-atomic": "true",
    }, root);
    ui.details = element("details", { class: "ve-table" }, root);
    element("summary", {}, ui.details, "Every step's numbers");
    var table = element("table", {}, ui.details);
    var head = element("tr", {}, element("thead", {}, table));
    ["step", "w", "b", "loss"].forEach(function (name) {
      element("th", { scope: "col" }, head, name);
    });
    ui.rows = element("tbody", {}, table);
    return ui;
  }

  // --- drawing ---------------------------------------------------------------

  function geometry(ui, inputs) {
    var view = INPUTS[inputs];
    var style = getComputedStyle(ui.root);
    var width = Math.max(240, Math.floor(ui.root.clientWidth -
      parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)));
    var inner = width - MARGIN.left - MARGIN.right;
    var scale = inner / (view.w[1] - view.w[0]); // pixels per unit, both axes
    var height = Math.round(MARGIN.top + MARGIN.bottom + scale * (view.b[1] - view.b[0]));
    return {
      view: view,
      width: width,
      height: height,
      scale: scale,
      px: function (w) { return MARGIN.left + (w - view.w[0]) * scale; },
      py: function (b) { return MARGIN.top + (view.b[1] - b) * scale; },
      w: function (px) { return view.w[0] + (px - MARGIN.left) / scale; },
      b: function (py) { return view.b[1] - (py - MARGIN.top) / scale; },
    };
  }

  function clampPixel(v) { return Math.max(-1e5, Math.min(1e5, v)); }

  function drawPlane(ui, state) {
    var g = geometry(ui, state.inputs);
    ui.geometry = g;
    var svg = ui.plot;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("viewBox", "0 0 " + g.width + " " + g.height);
    svg.setAttribute("width", g.width);
    svg.setAttribute("height", g.height);
    var left = MARGIN.left;
    var top = MARGIN.top;
    var right = g.width - MARGIN.right;
    var bottom = g.height - MARGIN.bottom;
    var defs = svgNode("defs", {}, svg);
    svgNode("rect", {
      x: left, y: top, width: right - left, height: bottom - top,
    }, svgNode("clipPath", { id: "ve-clip" }, defs));
    svgNode("circle", { cx: 3, cy: 3, r: 1.6, class: "ve-dot" }, svgNode("marker", {
      id: "ve-dot", viewBox: "0 0 6 6", refX: 3, refY: 3,
      markerWidth: 6, markerHeight: 6, markerUnits: "userSpaceOnUse",
    }, defs));
    svgNode("rect", {
      x: left, y: top, width: right - left, height: bottom - top, class: "ve-frame",
    }, svg);
    // Whole numbers on both axes.
    var axes = svgNode("g", { class: "ve-axes" }, svg);
    for (var w = Math.ceil(g.view.w[0]); w <= g.view.w[1]; w++) {
      svgNode("line", { x1: g.px(w), x2: g.px(w), y1: bottom, y2: bottom + 4 }, axes);
      svgNode("text", { x: g.px(w), y: bottom + 16, "text-anchor": "middle" }, axes)
        .textContent = String(w).replace("-", "−");
    }
    for (var b = Math.ceil(g.view.b[0]); b <= g.view.b[1]; b++) {
      svgNode("line", { x1: left - 4, x2: left, y1: g.py(b), y2: g.py(b) }, axes);
      svgNode("text", { x: left - 6, y: g.py(b) + 4, "text-anchor": "end" }, axes)
        .textContent = String(b).replace("-", "−");
    }
    svgNode("text", { x: right, y: g.height - 4, "text-anchor": "end" }, axes)
      .textContent = state.inputs === "raw" ? "weight w" : "weight w (standardised x)";
    svgNode("text", { x: left + 6, y: top + 16 }, axes).textContent = "bias b";

    // The loss's contours: ellipses around the minimum, their axes the
    // Hessian's eigenvectors. L = λ t² / 2 at a distance t along one.
    var v = valley(INPUTS[state.inputs].x);
    var clipped = svgNode("g", { "clip-path": "url(#ve-clip)" }, svg);
    var cx = g.px(v.minimum[0]);
    var cy = g.py(v.minimum[1]);
    // The small eigenvalue's eigenvector, in the SVG's coordinates (b points down).
    var angle = Math.atan2(-v.along[1], v.along[0]) * 180 / Math.PI;
    LEVELS.forEach(function (level) {
      svgNode("ellipse", {
        cx: cx, cy: cy,
        rx: Math.sqrt(2 * level / v.low) * g.scale,
        ry: Math.sqrt(2 * level / v.high) * g.scale,
        transform: "rotate(" + angle + " " + cx + " " + cy + ")",
        class: "ve-contour",
      }, clipped);
    });
    svgNode("path", {
      d: "M" + (cx - 6) + " " + (cy - 6) + "l12 12m0 -12l-12 12",
      class: "ve-minimum",
    }, clipped);
    ui.all = svgNode("polyline", { class: "ve-path-all" }, clipped);
    ui.walked = svgNode("polyline", { class: "ve-path" }, clipped);
    ui.current = svgNode("circle", { r: 5, class: "ve-current" }, clipped);
    ui.handle = svgNode("g", { class: "ve-handle" }, svg);
    svgNode("circle", { r: 20, class: "ve-hit" }, ui.handle);
    svgNode("circle", { r: 7, class: "ve-start-mark" }, ui.handle);
    drawRun(ui, state);
  }

  function drawRun(ui, state) {
    var g = ui.geometry;
    var result = state.result;
    ui.points = result ? result.path.map(function (p) {
      return clampPixel(g.px(p[0])).toFixed(1) + "," + clampPixel(g.py(p[1])).toFixed(1);
    }) : [];
    ui.all.setAttribute("points", ui.points.join(" "));
    var dots = ui.points.length <= 600;
    ["marker-start", "marker-mid", "marker-end"].forEach(function (name) {
      if (dots) ui.walked.setAttribute(name, "url(#ve-dot)");
      else ui.walked.removeAttribute(name);
    });
    ui.handle.setAttribute("transform", "translate(" +
      clampPixel(g.px(state.start[0])).toFixed(1) + " " +
      clampPixel(g.py(state.start[1])).toFixed(1) + ")");
    ui.handle.style.display = state.result ? "" : "none";
    showStep(ui, state, result ? result.path.length - 1 : 0);
  }

  /* Show the path up to step k, and step k's numbers. */
  function showStep(ui, state, k) {
    var result = state.result;
    if (!result) {
      ui.walked.setAttribute("points", "");
      ui.current.style.display = "none";
      ui.shown.textContent = "";
      return;
    }
    k = Math.max(0, Math.min(k, result.path.length - 1));
    state.shown = k;
    ui.step.value = String(k);
    ui.step.setAttribute("aria-valuetext", "step " + k);
    ui.walked.setAttribute("points", ui.points.slice(0, k + 1).join(" "));
    var p = ui.points[k].split(",");
    ui.current.setAttribute("cx", p[0]);
    ui.current.setAttribute("cy", p[1]);
    ui.current.style.display = "";
    var at = result.path[k];
    var parts = ["step " + k + ":", "w = " + fixed(at[0]) + ",",
      "b = " + fixed(at[1]) + ",", "loss = " + general(result.losses[k])];
    ui.shown.innerHTML = parts.map(function (part) {
      return "<span>" + part + "</span>";
    }).join(" ");
  }

  function describe(state) {
    var result = state.result;
    var last = result.path.length - 1;
    var end = result.path[last];
    var setting = "η = " + general(state.rate) + ", μ = " + general(state.momentum) +
      ", from w = " + fixed(state.start[0]) + ", b = " + fixed(state.start[1]) +
      (state.inputs === "raw" ? "" : ", standardised inputs") + ": " +
      state.verdict + ".";
    var outcome;
    if (state.verdict.indexOf("converges") === 0) {
      outcome = " The loss is below 10⁻⁶ after " + last + " step" +
        (last === 1 ? "" : "s") + ", at w = " + fixed(end[0]) + ", b = " +
        fixed(end[1]) + ".";
    } else if (state.verdict === "diverges") {
      outcome = " The loss passes 10¹⁰ at step " + last + ".";
    } else {
      outcome = " After " + last + " steps the loss is still " +
        general(result.losses[last]) + ".";
    }
    return setting + outcome;
  }

  function fillTable(ui, state) {
    if (!ui.details.open || !state.result) {
      ui.rows.innerHTML = "";
      return;
    }
    var result = state.result;
    ui.rows.innerHTML = result.path.map(function (p, k) {
      var value = result.losses[k];
      return "<tr data-w=\"" + p[0] + "\" data-b=\"" + p[1] + "\" data-loss=\"" +
        value + "\"><td>" + k + "</td><td>" + fixed(p[0]) + "</td><td>" +
        fixed(p[1]) + "</td><td>" + general(value) + "</td></tr>";
    }).join("");
  }

  // --- the explorer ---------------------------------------------------------

  function setup(root) {
    var ui = build(root);
    var state = {
      inputs: "raw",
      rate: 0.01,
      momentum: 0.9,
      start: PART4_START.slice(),
      startErrors: [null, null],
      result: null,
      verdict: "",
      shown: 0,
    };
    var reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
    var settle = null; // the timer of the summary after a change
    var frame = null; // the animation's next frame
    var dragging = null;

    function showStart() {
      if (document.activeElement !== ui.startW) ui.startW.value = fixed(state.start[0]);
      if (document.activeElement !== ui.startB) ui.startB.value = fixed(state.start[1]);
    }

    function setRate(value, text) {
      state.rate = value;
      ui.rate.value = text === undefined ? String(value) : text;
      ui.rateSlider.value = String(Math.log10(value));
      ui.rateSlider.setAttribute("aria-valuetext", "η = " + general(value));
    }

    function setMomentum(value, text) {
      state.momentum = value;
      ui.momentum.value = text === undefined ? String(value) : text;
      ui.momentumSlider.value = String(value);
    }

    function stopAnimation() {
      if (frame !== null) cancelAnimationFrame(frame);
      frame = null;
    }

    function animate() {
      stopAnimation();
      var result = state.result;
      if (!result || reduced.matches) return;
      var last = result.path.length - 1;
      var duration = Math.max(400, Math.min(2500, 25 * last));
      var begun = null;
      function tick(now) {
        if (begun === null) begun = now;
        var k = Math.round(Math.min(1, (now - begun) / duration) * last);
        showStep(ui, state, k);
        frame = k < last ? requestAnimationFrame(tick) : null;
      }
      showStep(ui, state, 0);
      frame = requestAnimationFrame(tick);
    }

    /* After a change has settled: the summary, once, to the live region;
     * then the descent, step by step. */
    function settled() {
      clearTimeout(settle);
      settle = null;
      if (!state.result) return;
      ui.announce.textContent = describe(state);
      animate();
    }

    function changed(wait) {
      stopAnimation();
      clearTimeout(settle);
      settle = null;
      update();
      if (wait !== null) settle = setTimeout(settled, wait);
    }

    function update() {
      var errors = [];
      [parseRate(ui.rate.value), parseMomentum(ui.momentum.value)]
        .forEach(function (read, i) {
          if (read.error) errors.push(read.error);
          else if (i === 0) state.rate = read.value;
          else state.momentum = read.value;
        });
      state.startErrors.forEach(function (e) { if (e) errors.push(e); });
      var error = errors[0] || "";
      root.classList.toggle("ve-invalid", Boolean(error));
      ui.message.textContent = error;
      var x = INPUTS[state.inputs].x;
      root.dataset.inputs = state.inputs;
      root.dataset.x = JSON.stringify(x);
      root.dataset.rate = String(state.rate);
      root.dataset.momentum = String(state.momentum);
      root.dataset.startW = String(state.start[0]);
      root.dataset.startB = String(state.start[1]);
      if (error) {
        state.result = null;
        state.verdict = "invalid";
        root.dataset.verdict = "invalid";
        root.dataset.steps = "";
        ui.steps.textContent = "";
        ui.verdict.textContent = "";
        ui.plot.setAttribute("aria-label", "No path: " + error);
      } else {
        state.result = run(state.rate, state.momentum, state.start, x);
        state.verdict = verdict(state.result);
        var last = state.result.path.length - 1;
        var converged = state.verdict.indexOf("converges") === 0;
        root.dataset.verdict = state.verdict;
        root.dataset.steps = converged ? String(last) : "";
        ui.steps.textContent = converged ? String(last)
          : state.verdict === "diverges" ? "never: the loss passes 10¹⁰ at step " + last
            : "not within " + MAX_STEPS;
        ui.verdict.textContent = state.verdict;
        ui.plot.setAttribute("aria-label", "Contours of the loss over w and b, " +
          (state.inputs === "raw" ? "a long, narrow, tilted valley" : "circles") +
          ", and the path of " + last + " steps. " + describe(state));
      }
      ui.step.max = String(state.result ? state.result.path.length - 1 : 0);
      drawRun(ui, state);
      fillTable(ui, state);
    }

    // The learning rate: a slider over log10(η), and a field.
    ui.rateSlider.addEventListener("input", function () {
      var value = Number(short(Math.pow(10, Number(ui.rateSlider.value))));
      ui.rate.value = String(value);
      ui.rateSlider.setAttribute("aria-valuetext", "η = " + general(value));
      changed(600);
    });
    ui.rate.addEventListener("input", function () {
      var read = parseRate(ui.rate.value);
      if (!read.error) {
        ui.rateSlider.value = String(Math.log10(read.value));
        ui.rateSlider.setAttribute("aria-valuetext", "η = " + general(read.value));
      }
      changed(600);
    });
    ui.momentumSlider.addEventListener("input", function () {
      ui.momentum.value = String(Number(ui.momentumSlider.value));
      changed(600);
    });
    ui.momentum.addEventListener("input", function () {
      var read = parseMomentum(ui.momentum.value);
      if (!read.error) ui.momentumSlider.value = String(read.value);
      changed(600);
    });
    // Arrow keys in the two fields step as their sliders do.
    function arrows(input, slider) {
      input.addEventListener("keydown", function (event) {
        var up = event.key === "ArrowUp";
        if (!up && event.key !== "ArrowDown") return;
        event.preventDefault();
        if (up) slider.stepUp(); else slider.stepDown();
        slider.dispatchEvent(new Event("input"));
      });
    }
    arrows(ui.rate, ui.rateSlider);
    arrows(ui.momentum, ui.momentumSlider);

    function startTyped(input, index, name) {
      input.addEventListener("input", function () {
        var read = parseStart(input, name);
        state.startErrors[index] = read.error || null;
        if (!read.error) state.start[index] = read.value;
        changed(600);
      });
      input.addEventListener("blur", function () {
        if (!state.startErrors[index]) showStart();
      });
    }
    startTyped(ui.startW, 0, "w");
    startTyped(ui.startB, 1, "b");

    function setStart(point) {
      state.start = point;
      state.startErrors = [null, null];
      showStart();
    }
    ui.part4.addEventListener("click", function () {
      setStart(state.inputs === "raw" ? PART4_START.slice() : sameLine(PART4_START));
      changed(0);
    });

    // Raw or standardised inputs: the same line, in the other units.
    function sameLine(start) {
      return [start[0] * STD, start[1] + start[0] * MEAN];
    }
    function rawLine(start) {
      var w = start[0] / STD;
      return [w, start[1] - w * MEAN];
    }
    Object.keys(ui.inputs).forEach(function (name) {
      ui.inputs[name].addEventListener("change", function () {
        if (!ui.inputs[name].checked || name === state.inputs) return;
        if (!state.startErrors[0] && !state.startErrors[1]) {
          setStart(name === "raw" ? rawLine(state.start) : sameLine(state.start));
        }
        state.inputs = name;
        drawPlane(ui, state);
        changed(0);
      });
    });

    function preset(which) {
      var x = INPUTS[state.inputs].x;
      var best = bestSettings(x);
      var chosen = which === "page" ? [0.01, 0.9] : best[which];
      setRate(chosen[0], which === "page" ? "0.01" : undefined);
      setMomentum(chosen[1], which === "page" ? "0.9" : undefined);
      changed(0);
    }
    Object.keys(ui.presets).forEach(function (which) {
      ui.presets[which].addEventListener("click", function () { preset(which); });
    });

    ui.step.addEventListener("input", function () {
      stopAnimation();
      showStep(ui, state, Number(ui.step.value));
    });
    ui.play.addEventListener("click", function () {
      if (!state.result) return;
      if (reduced.matches) showStep(ui, state, state.result.path.length - 1);
      else animate();
    });
    ui.details.addEventListener("toggle", function () { fillTable(ui, state); });

    // The start, by pointer: a mouse or a pen drags it anywhere on the plot; a
    // finger drags the start's handle, and a tap elsewhere moves the start
    // there (a finger that moves on the plot scrolls the page, as usual).
    function planePoint(event) {
      var box = ui.plot.getBoundingClientRect();
      var g = ui.geometry;
      var px = (event.clientX - box.left) * (g.width / box.width);
      var py = (event.clientY - box.top) * (g.height / box.height);
      // To 0.01, within the plane shown.
      var round = function (v, range) {
        return Math.round(Math.max(range[0], Math.min(range[1], v)) * 100) / 100;
      };
      return [round(g.w(px), g.view.w), round(g.b(py), g.view.b)];
    }
    ui.plot.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var onHandle = ui.handle.contains(event.target);
      if (event.pointerType === "touch" && !onHandle) {
        dragging = { tap: true, x: event.clientX, y: event.clientY };
        return;
      }
      event.preventDefault();
      dragging = { tap: false };
      ui.plot.setPointerCapture(event.pointerId);
      setStart(planePoint(event));
      changed(null);
    });
    ui.plot.addEventListener("pointermove", function (event) {
      if (!dragging || dragging.tap) return;
      setStart(planePoint(event));
      changed(null);
    });
    ui.plot.addEventListener("pointerup", function (event) {
      if (!dragging) return;
      var tap = dragging.tap;
      var moved = tap && Math.hypot(event.clientX - dragging.x,
        event.clientY - dragging.y) > 10;
      dragging = null;
      if (tap && moved) return;
      if (tap) setStart(planePoint(event));
      changed(0);
    });
    ui.plot.addEventListener("pointercancel", function () {
      if (dragging && !dragging.tap) changed(0);
      dragging = null;
    });

    // Redrawn at the explorer's own width, so that its text keeps its size.
    var width = root.clientWidth;
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        if (root.clientWidth === width) return;
        width = root.clientWidth;
        drawPlane(ui, state);
      }).observe(root);
    }

    ui.inputs.raw.checked = true;
    setRate(0.01, "0.01");
    setMomentum(0.9, "0.9");
    showStart();
    drawPlane(ui, state);
    update();
    root.dataset.ready = "true";
  }

  function init() {
    var root = document.querySelector(".ve-explorer");
    if (root && !root.dataset.ready) setup(root);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(init); // eslint-disable-line no-undef
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
