/* The learning-rate explorer of docs/learning_rate.md.
 *
 * Gradient descent on y = 2x in the browser, with the data, the loop and the
 * verdict of snippets/learning_rate/regimes.py, in float64 like Python's floats.
 * The widget is set up from Material's `document$`, which emits when the page
 * is ready (and again for each page opened, should the site turn Material's
 * instant navigation on, which swaps pages without reloading scripts).
 */
(function () {
  "use strict";

  var X = [1, 2, 3, 4];
  var Y = [2, 4, 6, 8];
  var N = X.length;
  var sum = function (f) {
    var s = 0;
    for (var i = 0; i < N; i++) s += f(i);
    return s;
  };
  // L''(w) = (2/n) sum x^2, and the minimum w* = X^T y / X^T X.
  var CURVATURE = (2 / N) * sum(function (i) { return X[i] * X[i]; });
  var W_STAR = sum(function (i) { return X[i] * Y[i]; }) /
    sum(function (i) { return X[i] * X[i]; });
  var ONE_STEP = 1 / CURVATURE;
  var LIMIT = 2 / CURVATURE;
  var MAX_RATE = 1;
  var MAX_EPOCHS = 1000;
  var TOLERANCE = 1e-3;
  var SVG = "http://www.w3.org/2000/svg";

  /* train() of regimes.py: (w after, loss before) per epoch, from w = 0; stops
   * at the first epoch whose loss overflows and reports that epoch. */
  function train(rate, epochs) {
    var w = 0;
    var history = [];
    for (var epoch = 1; epoch <= epochs; epoch++) {
      var loss = 0;
      var dot = 0;
      for (var i = 0; i < N; i++) {
        var residual = w * X[i] - Y[i];
        loss += residual * residual;
        dot += X[i] * residual;
      }
      loss = loss / N;
      if (!isFinite(loss)) return { history: history, overflow: epoch };
      w = w - (rate * 2 * dot) / N;
      history.push([w, loss]);
    }
    return { history: history, overflow: null };
  }

  function epochsToConverge(rate) {
    var history = train(rate, 10000).history;
    for (var k = 0; k < history.length; k++) {
      if (Math.abs(history[k][0] - W_STAR) < TOLERANCE) return k + 1;
    }
    return null;
  }

  // Python's f"{v:.4f}", or f"{v:.4e}" for large numbers.
  function format(v) {
    if (Math.abs(v) < 1e5) return v.toFixed(4);
    return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  }

  function parseRate(text) {
    text = text.trim();
    if (text === "") return { error: "Enter a learning rate, for example 0.01 or 1/15." };
    var number = "(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?";
    var match = new RegExp("^([+-]?" + number + ")(?:\\s*/\\s*(" + number + "))?$", "i")
      .exec(text);
    if (!match) {
      return { error: "“" + text + "” is not a number: type a learning rate such " +
        "as 0.01, 1e-3 or 1/15." };
    }
    var rate = Number(match[1]) / (match[2] === undefined ? 1 : Number(match[2]));
    if (!isFinite(rate)) return { error: "“" + text + "” is not a finite number." };
    if (rate < 0) {
      return { error: "A negative learning rate steps uphill: the loss grows. " +
        "Choose η > 0." };
    }
    if (rate === 0) return { error: "With η = 0 no step moves w. Choose η > 0." };
    if (rate > MAX_RATE) {
      return { error: "η = " + text + " is far too large: every η above 2/" +
        CURVATURE + " ≈ " + LIMIT.toFixed(4) + " diverges. Choose 0 < η ≤ " +
        MAX_RATE + "." };
    }
    return { rate: rate };
  }

  function parseEpochs(text) {
    text = text.trim();
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_EPOCHS) {
      return { error: "Epochs must be a whole number from 1 to " + MAX_EPOCHS + "." };
    }
    return { epochs: Number(text) };
  }

  // The verdict of regimes.py, from the factor 1 - curvature * rate, in words.
  function verdict(rate, run, epochs) {
    var factor = 1 - CURVATURE * rate;
    var f = "Each epoch multiplies the error w − 2 by 1 − " + CURVATURE + "η = " +
      format(factor) + ".";
    if (factor === 0) {
      return ["one step", "Converges in one step: η = 1/" + CURVATURE +
        " lands exactly on w = 2. " + f];
    }
    if (factor < -1) {
      var last = run.history[run.history.length - 1];
      var end = run.overflow
        ? "The loss overflowed at epoch " + run.overflow +
          " (it is larger than the largest float64), so the plot stops at epoch " +
          (run.overflow - 1) + "."
        : "After " + epochs + " epochs the loss is " + format(last[1]) + ".";
      return ["diverges", "Diverges: η is above 2/" + CURVATURE + ", every step " +
        "overshoots further than the last. " + f + " " + end];
    }
    if (factor === -1) {
      return ["oscillates forever", "Oscillates forever: η = 2/" + CURVATURE +
        " bounces w between 0 and 4. " + f];
    }
    var needed = epochsToConverge(rate);
    var within = needed
      ? " w is within 0.001 of 2 after " + needed + " epochs."
      : " w is not within 0.001 of 2 even after 10000 epochs.";
    if (factor < 0) {
      return ["oscillates, converges", "Oscillates but converges: w overshoots " +
        "2 and the error changes sign every epoch, while it shrinks. " + f + within];
    }
    if (needed === null || needed > 100) {
      return ["crawls", "Crawls: every step is small. " + f + within];
    }
    return ["converges", "Converges: w climbs steadily towards 2. " + f + within];
  }

  function node(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    for (var key in attributes) element.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(element);
    return element;
  }

  // One panel: values per epoch as a polyline, with the extreme values labelled.
  function panel(svg, left, title, values, log, reference) {
    var width = 300;
    var height = 170;
    var g = node("g", { transform: "translate(" + left + ",20)" }, svg);
    node("text", { x: width / 2, y: -6, "text-anchor": "middle" }, g)
      .textContent = title;
    node("rect", { width: width, height: height, class: "lr-frame" }, g);
    var points = [];
    values.forEach(function (v, k) {
      if (!log || v > 0) points.push([k + 1, log ? Math.log10(v) : v]);
    });
    if (points.length === 0) return;
    var ys = points.map(function (p) { return p[1]; });
    var low = Math.min.apply(null, ys);
    var high = Math.max.apply(null, ys);
    if (reference !== undefined) {
      low = Math.min(low, reference);
      high = Math.max(high, reference);
    }
    if (high - low < 1e-12) { low -= 1; high += 1; }
    var last = Math.max(values.length, 2);
    var sx = function (k) { return ((k - 1) / (last - 1)) * width; };
    var sy = function (v) { return height - ((v - low) / (high - low)) * height; };
    if (reference !== undefined) {
      node("line", { x1: 0, x2: width, y1: sy(reference), y2: sy(reference),
        class: "lr-reference" }, g);
    }
    node("polyline", {
      points: points.map(function (p) { return sx(p[0]) + "," + sy(p[1]); }).join(" "),
      class: "lr-line",
    }, g);
    var label = function (v) {
      if (log) return "1e" + Math.round(v);
      return Math.abs(v) < 1e4 ? v.toFixed(2) : v.toExponential(2);
    };
    if (log) { low = Math.floor(low); high = Math.ceil(high); }
    node("text", { x: -4, y: 4, "text-anchor": "end" }, g).textContent = label(high);
    node("text", { x: -4, y: height, "text-anchor": "end" }, g).textContent = label(low);
    node("text", { x: 0, y: height + 14 }, g).textContent = "1";
    node("text", { x: width, y: height + 14, "text-anchor": "end" }, g)
      .textContent = "epoch " + values.length;
  }

  function draw(root, rate, epochs) {
    var run = train(rate, epochs);
    var result = verdict(rate, run, epochs);
    var ws = run.history.map(function (h) { return h[0]; });
    var losses = run.history.map(function (h) { return h[1]; });
    root.dataset.verdict = result[0];
    root.dataset.overflow = run.overflow || "";
    root.querySelector(".lr-verdict").textContent = result[1];

    var svg = root.querySelector(".lr-plot");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var alt = "Two plots for η = " + format(rate) + ". ";
    if (ws.length) {
      panel(svg, 70, "w per epoch (dotted: w = 2)", ws, false, W_STAR);
      panel(svg, 450, "loss per epoch (log scale)", losses, true);
      alt += "Left, w per epoch, from " + format(ws[0]) + " at epoch 1 to " +
        format(ws[ws.length - 1]) + " at epoch " + ws.length + ". Right, the " +
        "loss per epoch on a log scale, from " + format(losses[0]) + " to " +
        format(losses[losses.length - 1]) + ".";
    } else {
      alt += "Nothing to draw: the loss overflowed at the first epoch.";
    }
    svg.setAttribute("aria-label", alt);

    var body = root.querySelector(".lr-table tbody");
    var rows = run.history.map(function (h, k) {
      return "<tr data-w=\"" + h[0] + "\" data-loss=\"" + h[1] + "\"><td>" +
        (k + 1) + "</td><td>" + format(h[0]) + "</td><td>" + format(h[1]) +
        "</td></tr>";
    });
    body.innerHTML = rows.join("");
  }

  function setup(root) {
    var slider = root.querySelector(".lr-slider");
    var field = root.querySelector(".lr-rate");
    var epochsField = root.querySelector(".lr-epochs");
    var message = root.querySelector(".lr-message");
    var marks = root.querySelector("datalist");
    var presets = root.querySelector(".lr-presets");

    [[ONE_STEP, "1/" + CURVATURE], [LIMIT, "2/" + CURVATURE]].forEach(function (m) {
      var option = document.createElement("option");
      option.value = m[0];
      option.label = m[1];
      marks.appendChild(option);
      var tick = document.createElement("span");
      tick.className = "lr-tick";
      tick.textContent = m[1];
      var min = Number(slider.min);
      tick.style.left = ((m[0] - min) / (Number(slider.max) - min)) * 100 + "%";
      root.querySelector(".lr-ticks").appendChild(tick);
    });
    ["0.001", "0.01", "1/" + CURVATURE, "0.1", "0.2"].forEach(function (text) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.textContent = "η = " + text;
      button.addEventListener("click", function () {
        field.value = text;
        update(true);
      });
      presets.appendChild(button);
    });

    function update(fromField) {
      var rate = parseRate(field.value);
      var epochs = parseEpochs(epochsField.value);
      var error = rate.error || epochs.error;
      root.classList.toggle("lr-invalid", Boolean(error));
      message.textContent = error || "";
      if (error) {
        // Nothing stale stays on screen next to the message.
        root.dataset.verdict = "invalid";
        root.querySelector(".lr-verdict").textContent = "";
        root.querySelector(".lr-table tbody").innerHTML = "";
        var svg = root.querySelector(".lr-plot");
        while (svg.firstChild) svg.removeChild(svg.firstChild);
        svg.setAttribute("aria-label", "No plot: " + error);
        return;
      }
      if (fromField) slider.value = Math.min(rate.rate, Number(slider.max));
      draw(root, rate.rate, epochs.epochs);
    }

    // The slider moves in steps of 1% of its range: show three digits, and
    // snap to 1/c and 2/c when it passes close to them.
    slider.addEventListener("input", function () {
      var value = Number(slider.value);
      field.value = String(Number(value.toPrecision(3)));
      if (Math.abs(value - ONE_STEP) < 1e-3) field.value = "1/" + CURVATURE;
      if (Math.abs(value - LIMIT) < 1e-3) field.value = "2/" + CURVATURE;
      update(false);
    });
    field.addEventListener("input", function () { update(true); });
    epochsField.addEventListener("input", function () { update(true); });
    update(true);
    root.dataset.ready = "true";
  }

  function init() {
    var root = document.querySelector(".lr-explorer");
    if (root && !root.dataset.ready) setup(root);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(init); // eslint-disable-line no-undef
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
