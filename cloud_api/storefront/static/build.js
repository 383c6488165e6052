// The pizza builder: redraws the pizza's halves and asks the server for the price
// (the same pricing the order uses) whenever a choice changes.
(function () {
  "use strict";
  var form = document.getElementById("builder");
  if (!form) { return; }
  var price = document.getElementById("price");
  var changes = document.getElementById("changes");
  var layer = document.getElementById("toppings");
  var words = document.getElementById("pizza-words");
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = { meat: ["#8e1b10", "#6b2d0c", "#b03a2e"], veg: ["#2e7d32", "#4e342e", "#1b5e20", "#827717"],
                 cheese: ["#fff3c4", "#ffe082"] };
  var DOTS = { light: 5, normal: 9, extra: 14 };
  var SAUCES = { tomato: "#c0392b", bbq: "#6d2f1a", alfredo: "#f5efe0", buffalo: "#e4572e", garlic_parm: "#efe4c8", none: "#e8c27d" };
  var asked = 0;

  function value(name) {
    var field = form.elements.namedItem(name);
    return field ? field.value : "";
  }

  function draw() {
    if (!layer) { return; }
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    var halves = { left: [], right: [] };
    var sets = form.querySelectorAll("fieldset.topping");
    sets.forEach(function (set, n) {
      var code = set.getAttribute("data-code");
      var where = value("t_" + code);
      if (!where || where === "none") { return; }
      var amount = value("a_" + code) || "normal";
      var palette = COLORS[set.getAttribute("data-kind")] || COLORS.veg;
      var color = palette[n % palette.length];
      var label = set.getAttribute("data-name") + (amount === "normal" ? "" : " (" + amount + ")");
      if (where !== "right") { halves.left.push(label); }
      if (where !== "left") { halves.right.push(label); }
      var count = DOTS[amount] || 9;
      for (var i = 0; i < count * (where === "whole" ? 2 : 1); i++) {
        var angle = (i * 2.39996 + n * 0.7);
        var radius = 12 + ((i * 37 + n * 13) % 62);
        var x = 100 + Math.cos(angle) * radius, y = 100 + Math.sin(angle) * radius;
        if (where === "left") { x = 100 - Math.abs(x - 100) - 4; }
        if (where === "right") { x = 100 + Math.abs(x - 100) + 4; }
        var dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x.toFixed(1));
        dot.setAttribute("cy", y.toFixed(1));
        dot.setAttribute("r", "5");
        dot.setAttribute("fill", color);
        dot.setAttribute("stroke", "#3e2723");
        dot.setAttribute("stroke-width", ".6");
        layer.appendChild(dot);
      }
    });
    var sauce = document.getElementById("sauce-layer");
    if (sauce) { sauce.setAttribute("fill", SAUCES[value("sauce")] || "#c0392b"); }
    var cheese = document.getElementById("cheese-layer");
    if (cheese) { cheese.setAttribute("opacity", value("cheese") === "none" ? "0" : ".85"); }
    if (words) {
      words.textContent = "Left half: " + (halves.left.join(", ") || "no toppings") +
        ". Right half: " + (halves.right.join(", ") || "no toppings") + ".";
    }
  }

  function quote() {
    var mine = ++asked;
    var body = new URLSearchParams(new FormData(form));
    fetch("/quote", { method: "POST", body: body, credentials: "same-origin" })
      .then(function (answer) { return answer.json().then(function (data) { return [answer.ok, data]; }); })
      .then(function (pair) {
        if (mine !== asked) { return; }  // an older answer: a newer question is on its way
        if (pair[0]) {
          price.textContent = pair[1].text;
          changes.textContent = pair[1].changes.length ? pair[1].changes.join(", ") : "";
        } else {
          changes.textContent = pair[1].detail || "That choice cannot be made.";
        }
      })
      .catch(function () { if (mine === asked) { changes.textContent = "Price not updated: check your connection."; } });
  }

  form.addEventListener("change", function () { draw(); quote(); });
  draw();
  quote();
})();
