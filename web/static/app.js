// Review page keyboard shortcuts, and keeping the customer in step with a chosen bill.
// Alt+A (or "a" when focus is not in a text field) approves; Alt+R (or "r") goes to the
// reject reason. e.code is used because Alt changes e.key on some keyboards (macOS).
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey) return;
    var plain = !e.altKey && !e.shiftKey && !typing(e.target);
    var approve = document.getElementById("approve-button");
    var reason = document.getElementById("reject-reason");
    if (e.code === "KeyA" && (e.altKey || plain) && approve) {
      e.preventDefault();
      approve.form.requestSubmit ? approve.form.requestSubmit(approve) : approve.click();
    } else if (e.code === "KeyR" && (e.altKey || plain) && reason) {
      e.preventDefault();
      reason.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var bill = document.getElementById("bill-select");
    var customer = document.getElementById("customer-select");
    if (!bill || !customer) return;
    bill.addEventListener("change", function () {
      var option = bill.options[bill.selectedIndex];
      var owner = option && option.getAttribute("data-customer");
      if (owner) {
        for (var i = 0; i < customer.options.length; i++) {
          if (customer.options[i].value === owner) customer.selectedIndex = i;
        }
      }
    });
  });
})();
