/* A button that copies a read-only field, such as the signature an editor pastes under an
   answer (R20). The page marks it:

     <input id="signature" readonly …>
     <button type="button" data-copy="signature" data-copied="Copied" data-select="…" hidden>Copy</button>
     <span data-copy-status="signature" role="status" aria-live="polite"></span>

   The button is hidden until this script shows it, so that without JavaScript nobody meets a
   button that does nothing (the field can still be selected and copied by hand). It copies with
   the Clipboard API, or where that is refused (an address without HTTPS, an old browser) selects
   the text and asks the browser to copy it; failing that it leaves the text selected and says
   so. The live region tells a screen reader what happened. No inline script: the Content
   Security Policy allows only the portal's own files. */
(function () {
  "use strict";

  function announce(button, text) {
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (status) {
      status.textContent = "";
      // A new text in the next frame, so that the same words are announced again on a second click.
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function selectAndCopy(field, button) {
    field.focus();
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    announce(button, button.getAttribute(copied ? "data-copied" : "data-select"));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { announce(button, button.getAttribute("data-copied")); },
          function () { selectAndCopy(field, button); }
        );
      } else {
        selectAndCopy(field, button);
      }
    });
  });
})();
