/* What every page of the portal does with JavaScript, where it has it (issue 17). Without it, the
   pages work as they are: the menu is a list that wraps, a wide table scrolls in its box.

   - The main menu folds behind its button on a phone (below 48rem; portal.css), and opens and
     closes with it or with Escape.
   - A table that is wider than its box (.table-scroll) makes the box a region with the table's
     name that the keyboard can reach and scroll (WCAG 2.1.1), with a hint above it; the hint's
     words come from the page (<body data-table-hint>), in its language. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(run) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", run);
    } else {
      run();
    }
  }

  function menu() {
    var nav = document.querySelector(".site-nav");
    var toggle = nav && nav.querySelector(".nav-toggle");
    if (!toggle) {
      return;
    }
    toggle.hidden = false;
    function set(open) {
      nav.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        set(false);
        toggle.focus();
      }
    });
  }

  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var by = table.getAttribute("aria-labelledby");
    var label = by && document.getElementById(by);
    if (label) {
      return label.textContent.trim();
    }
    var section = table.closest("section");
    var heading = section && section.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : document.title;
  }

  function tables() {
    var boxes = document.querySelectorAll(".table-scroll");
    if (!boxes.length) {
      return;
    }
    var hintText = document.body.getAttribute("data-table-hint") || "";
    var hints = [];
    Array.prototype.forEach.call(boxes, function (box, index) {
      var hint = document.createElement("p");
      hint.className = "table-hint";
      hint.id = "table-hint-" + index;
      hint.textContent = hintText;
      box.parentNode.insertBefore(hint, box);
      hints.push(hint);
    });
    function measure() {
      Array.prototype.forEach.call(boxes, function (box, index) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        var table = box.querySelector("table");
        hints[index].classList.toggle("is-shown", scrolls);
        box.classList.toggle("is-scrollable", scrolls);
        if (scrolls) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", table ? tableName(table) : document.title);
          box.setAttribute("aria-describedby", hints[index].id);
        } else {
          ["tabindex", "role", "aria-label", "aria-describedby"].forEach(function (name) {
            box.removeAttribute(name);
          });
        }
      });
    }
    measure();
    var timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(measure, 100);
    });
  }

  ready(function () {
    menu();
    tables();
  });
})();
