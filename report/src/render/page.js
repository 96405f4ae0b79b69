// Sorting (click a header) and filtering (the search box) of the tables; the page works without.
(function () {
  function key(cell, numeric) {
    if (!cell) return numeric ? 0 : "";
    var v = cell.getAttribute("data-v");
    if (numeric) return Number(v !== null ? v : cell.textContent) || 0;
    return cell.textContent.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "num";
        var ascending = !th.classList.contains("asc");
        heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(ascending ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], numeric), y = key(b.cells[column], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var filter = document.getElementById("move-filter");
  var count = document.getElementById("move-count");
  if (filter) {
    var rows = document.querySelectorAll("#move-table tbody tr");
    var update = function () {
      var q = filter.value.toLowerCase().trim(), shown = 0;
      rows.forEach(function (r) {
        var hit = q === "" || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.style.display = hit ? "" : "none";
        if (hit) shown++;
      });
      count.textContent = shown + " of " + rows.length + " rows";
    };
    filter.addEventListener("input", update);
    update();
  }
  document.body.setAttribute("data-ready", "true");
})();
