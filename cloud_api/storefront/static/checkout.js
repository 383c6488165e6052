// Checkout: one press places one order. The button is disabled as the form goes; the
// server gets the same checkout key however often the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("checkout");
  if (!form) { return; }
  var button = document.getElementById("place");
  var sent = false;
  function cardShown() {
    var cash = form.querySelector("input[name=payment][value=cash]");
    document.getElementById("card-fields").hidden = !!(cash && cash.checked);
  }
  form.addEventListener("change", cardShown);
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Placing your order…";
  });
  cardShown();
})();
