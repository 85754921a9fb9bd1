/* The start page's weekly activity (R19, templates/activity/_activity_dashboard.html): saving one
   account's week without leaving the page. Without the script the form posts and the page opens
   again at the row (activity/views.py, saved_fragment); with it the same post goes by fetch, and
   only that row is replaced by its fresh copy from the page the post leads to, so the numbers
   typed in other rows stay and nothing scrolls. Either way the confirmation in the row takes the
   focus, so that a screen reader reads it, and the next account's field is one Tab on.

   Anything but a saved week (a refusal, a field to correct, no network) falls back to posting the
   form as the page would, which shows what went wrong. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData || !document.querySelector("form.activity-quick")) {
    return;
  }

  function save(form) {
    var row = form.closest(".activity-row");
    return fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        // Saved: the view redirects to the start page, which fetch follows.
        if (!response.ok || !response.redirected) {
          throw new Error("not saved");
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(row.id);
        if (!fresh || !fresh.querySelector(".activity-saved")) {
          throw new Error("not saved");
        }
        var earlier = document.querySelectorAll(".activity-saved");
        for (var i = 0; i < earlier.length; i++) {
          earlier[i].remove(); // one confirmation at a time, as after a reload
        }
        row.innerHTML = fresh.innerHTML;
        row.querySelector(".activity-saved").focus();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.activity-quick") || !form.closest(".activity-row[id]")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("data-saving")) {
      return; // a second Enter while the first is on its way
    }
    form.setAttribute("data-saving", "true");
    save(form).catch(function () {
      form.removeAttribute("data-saving");
      HTMLFormElement.prototype.submit.call(form);
    });
  });
})();
