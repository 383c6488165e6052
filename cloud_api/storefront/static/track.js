// The tracker: stages as they happen, over the cloud's websocket; times in the STORE's zone.
(function () {
  "use strict";
  var box = document.getElementById("tracker");
  if (!box) { return; }
  var orderId = box.getAttribute("data-order"), code = box.getAttribute("data-code");
  var zone = box.getAttribute("data-zone");
  var steps = box.getAttribute("data-steps").split(","), status = box.getAttribute("data-status");
  var LABELS = { placed: "Order placed", prep: "Prep", bake: "In the oven", quality_check: "Quality check",
    out_for_delivery: "Out for delivery", delivered: "Delivered", picked_up: "Picked up", cancelled: "Cancelled" };
  var FINAL = ["delivered", "picked_up", "cancelled"];
  var delay = 1000;
  var planned = null; // the plan's {leave_at, eta_at}: kept across stage updates, which do not carry it
  var clock = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: zone });

  function at(iso) { return clock.format(new Date(iso)); }

  function show(msg) {
    if (msg.steps) { steps = msg.steps; }
    if ("leave_at" in msg) { planned = msg.leave_at ? { leave_at: msg.leave_at, eta_at: msg.eta_at } : null; }
    status = msg.status || status;
    if (msg.number) { document.getElementById("number").textContent = "#" + msg.number; }
    document.getElementById("stage").textContent = LABELS[status] || status;
    var reached = steps.indexOf(status);
    var list = document.getElementById("steps");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    steps.forEach(function (step, i) {
      var item = document.createElement("li");
      item.textContent = LABELS[step] || step;
      item.setAttribute("data-step", step);
      item.className = i < reached ? "done" : (i === reached ? "now" : "");
      if (i === reached) { item.setAttribute("aria-current", "step"); }
      list.appendChild(item);
    });
    var eta = "";
    if (msg.done_at) {
      eta = (status === "picked_up" ? "Picked up" : "Delivered") + " at " + at(msg.done_at) + ".";
    } else if (status === "cancelled") {
      eta = "This order was cancelled.";
    } else if (status === "out_for_delivery" && msg.eta_at) {
      eta = (msg.driver ? msg.driver.split(" ")[0] : "Your driver") + " is on the way, arriving about " +
        at(msg.eta_at) + ".";
    } else if (status !== "out_for_delivery" && planned) {
      eta = "On a run leaving the store about " + at(planned.leave_at) + ", at your door about " +
        at(planned.eta_at) + ".";
    } else if (msg.promise_at) {
      if (status === "out_for_delivery" && msg.driver) { eta = msg.driver.split(" ")[0] + " is on the way. "; }
      eta += "Expected by " + at(msg.promise_at) + ".";
    }
    if (eta) { document.getElementById("eta").textContent = eta; }
    document.getElementById("live").textContent = "Updated " + at(new Date().toISOString()) + ".";
  }

  function connect() {
    if (FINAL.indexOf(status) >= 0) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/api/v1/orders/" + encodeURIComponent(orderId) +
                           "/track?code=" + encodeURIComponent(code));
    ws.onmessage = function (event) { delay = 1000; show(JSON.parse(event.data)); };
    ws.onclose = function () {
      if (FINAL.indexOf(status) >= 0) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
