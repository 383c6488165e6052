// Checkout: one press places one order. The button is disabled as the form goes; the
// server gets the same checkout key however often the form is sent. With Stripe, the card
// is typed into Stripe.js Elements and only the payment method Stripe made is sent to us.
(function () {
  "use strict";
  var form = document.getElementById("checkout");
  if (!form) { return; }
  var button = document.getElementById("place");
  var sent = false;
  var mount = document.getElementById("card-element");
  var stripe = null;
  var card = null;
  if (mount && window.Stripe) {
    stripe = window.Stripe(mount.getAttribute("data-stripe-key"));
    card = stripe.elements().create("card");
    card.mount(mount);
  } else if (mount) {
    document.getElementById("card-errors").textContent =
      "The card form could not load. Check the connection and reload, or pay cash to the driver.";
  }
  function cash() {
    var chosen = form.querySelector("input[name=payment][value=cash]");
    return !!(chosen && chosen.checked);
  }
  function cardShown() {
    document.getElementById("card-fields").hidden = cash();
  }
  function placing() {
    sent = true;
    button.setAttribute("aria-disabled", "true");
    button.textContent = "Placing your order…";
  }
  form.addEventListener("change", cardShown);
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    var token = document.getElementById("card_token");
    if (!mount || cash() || (token && token.value)) { placing(); return; }
    event.preventDefault();
    if (!card) { return; }
    placing();
    stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
      if (result.error) {
        sent = false;
        button.removeAttribute("aria-disabled");
        button.textContent = "Place order";
        document.getElementById("card-errors").textContent = result.error.message;
        return;
      }
      token.value = result.paymentMethod.id;
      form.submit();
    });
  });
  cardShown();
})();
