// Precept's HTML report: filters and sorting for the findings table. Without this script the
// table shows every listed finding, unfiltered and in the order found.
"use strict";
(function () {
  var form = document.getElementById("filters");
  var table = document.getElementById("findings");
  if (!form || !table) {
    return;
  }
  var body = table.tBodies[0];
  var shown = document.getElementById("shown");
  var selects = form.querySelectorAll("select");
  form.hidden = false;

  function filter() {
    var wanted = [];
    selects.forEach(function (s) {
      if (s.value !== "") {
        wanted.push([s.name, s.value]);
      }
    });
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var keep = wanted.every(function (w) {
        return row.getAttribute("data-" + w[0]) === w[1];
      });
      row.hidden = !keep;
      if (keep) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + body.rows.length + " listed findings shown";
  }

  function key(row, column) {
    var cell = row.cells[column];
    return cell.getAttribute("data-sort") || cell.textContent;
  }

  table.querySelectorAll("th button").forEach(function (button, column) {
    button.addEventListener("click", function () {
      var th = button.parentNode;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var order = key(a, column).localeCompare(key(b, column), undefined, { numeric: true });
        return ascending ? order : -order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  });

  form.addEventListener("change", filter);
  form.addEventListener("reset", function () {
    window.setTimeout(filter, 0);
  });
  filter();
})();
