/* Progress of work the worker does (a records export, an activity import) without reloading the
   page: a page that reloads itself every two seconds makes a screen reader start over each time
   (WCAG 2.2.1). The page marks what changes:

     <div id="…" data-poll="/the/page/" data-live-part>   polled while it is there
     <… id="…" data-live-part>                             brought up to date on each poll

   Every two seconds the script asks for the page again (the same URL, the same permission check)
   and copies the marked parts from the answer. A screen reader hears each quarter of the way and
   the end through a polite live region. When the answer has no data-poll any more, the work is
   over: the page's main content is replaced by the answer's, whose heading says how it ended.
   Without JavaScript the page has a plain link that loads it again. */
(function () {
  "use strict";
  var region = document.querySelector("[data-poll]");
  if (!region || !window.fetch || !window.DOMParser) {
    return;
  }
  var every = Number(region.getAttribute("data-poll-every")) || 2000;
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);
  var lastQuarter = quarter(document);

  function quarter(doc) {
    var bar = doc.querySelector("[data-poll] progress");
    if (!bar || !Number(bar.max)) {
      return -1;
    }
    return Math.floor((4 * Number(bar.value)) / Number(bar.max));
  }

  function announce(text) {
    text = (text || "").replace(/\s+/g, " ").trim();
    if (text && announcer.textContent !== text) {
      announcer.textContent = text;
    }
  }

  function later(ms) {
    window.setTimeout(poll, ms);
  }

  function update(doc) {
    var parts = document.querySelectorAll("[data-live-part]");
    for (var i = 0; i < parts.length; i++) {
      var fresh = doc.getElementById(parts[i].id);
      if (fresh && fresh.innerHTML !== parts[i].innerHTML) {
        parts[i].innerHTML = fresh.innerHTML;
      }
    }
    var now = quarter(doc);
    if (now > lastQuarter) {
      var label = doc.querySelector("[data-poll] label");
      announce(label && label.textContent);
    }
    lastQuarter = now;
  }

  function finish(doc) {
    var main = document.querySelector("main");
    var freshMain = doc.querySelector("main");
    if (!main || !freshMain) {
      window.location.reload();
      return;
    }
    var hadFocus = main.contains(document.activeElement);
    main.innerHTML = freshMain.innerHTML;
    document.title = doc.title;
    var heading = main.querySelector("h2, .message") || main.querySelector("h1");
    if (heading) {
      if (hadFocus) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      announce(heading.textContent);
    }
  }

  function poll() {
    window
      .fetch(region.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (doc.querySelector("[data-poll]")) {
          update(doc);
          later(every);
        } else {
          finish(doc);
        }
      })
      .catch(function () {
        later(every * 5); // the server or the network is away: ask again, less often
      });
  }

  later(every);
})();
