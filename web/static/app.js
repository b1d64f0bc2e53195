// Review page keyboard shortcuts, keeping the customer in step with a chosen bill, and the
// highlight of where the focused (or hovered) field is printed on the page image.
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

  // Where a field's value is printed: the pipeline stores its box in page pixels; scale it
  // to the size the page image is shown at (display width / page width).
  var HIGHLIGHT_ID = "field-highlight";

  function hideHighlight() {
    var old = document.getElementById(HIGHLIGHT_ID);
    if (old) old.parentNode.removeChild(old);
  }

  function showHighlight(input) {
    hideHighlight();
    var page = input.getAttribute("data-box-page");
    var pageWidth = parseFloat(input.getAttribute("data-page-width"));
    var pageHeight = parseFloat(input.getAttribute("data-page-height"));
    if (!page || !(pageWidth > 0) || !(pageHeight > 0)) return;
    var img = document.querySelector('[data-testid="document-page"][data-page="' + page + '"]');
    if (!img || !img.offsetParent) return;
    if (!img.complete || !img.clientWidth) {
      // Drawn once the image has its size; the field may have lost focus by then.
      img.addEventListener("load", function () {
        if (document.activeElement === input) showHighlight(input);
      }, { once: true });
      return;
    }
    var sx = img.clientWidth / pageWidth;
    var sy = img.clientHeight / pageHeight;
    var pad = 3;
    var box = document.createElement("div");
    box.id = HIGHLIGHT_ID;
    box.setAttribute("data-testid", HIGHLIGHT_ID);
    box.className = "field-highlight";
    box.style.left = (img.offsetLeft + parseFloat(input.getAttribute("data-box-x")) * sx - pad) + "px";
    box.style.top = (img.offsetTop + parseFloat(input.getAttribute("data-box-y")) * sy - pad) + "px";
    box.style.width = (parseFloat(input.getAttribute("data-box-w")) * sx + 2 * pad) + "px";
    box.style.height = (parseFloat(input.getAttribute("data-box-h")) * sy + 2 * pad) + "px";
    // Inside the image's scrolling container (positioned), so it scrolls with the image.
    var container = img.offsetParent;
    container.appendChild(box);
    var top = box.offsetTop, bottom = top + box.offsetHeight;
    if (top < container.scrollTop || bottom > container.scrollTop + container.clientHeight) {
      container.scrollTop = Math.max(0, top - container.clientHeight / 3);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxed = document.querySelectorAll("input[data-box-page]");
    for (var i = 0; i < boxed.length; i++) {
      boxed[i].addEventListener("focus", function (e) { showHighlight(e.target); });
      boxed[i].addEventListener("blur", hideHighlight);
      boxed[i].addEventListener("mouseenter", function (e) { showHighlight(e.target); });
      boxed[i].addEventListener("mouseleave", function () {
        // Back to the focused field's box, if there is one.
        var focused = document.activeElement;
        if (focused && focused.hasAttribute && focused.hasAttribute("data-box-page")) {
          showHighlight(focused);
        } else {
          hideHighlight();
        }
      });
    }
    window.addEventListener("resize", function () {
      var focused = document.activeElement;
      if (document.getElementById(HIGHLIGHT_ID) && focused && focused.hasAttribute("data-box-page")) {
        showHighlight(focused);
      }
    });
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
