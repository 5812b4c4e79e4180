// The KPI month grid opens on its latest months (this month is the last column of
// "the last 12 months"): its scroll box is scrolled to the right end.
document.addEventListener("DOMContentLoaded", () => {
  for (const grid of document.querySelectorAll("table.kpi-grid")) {
    const box = grid.closest(".table-wrap");
    if (box) box.scrollLeft = box.scrollWidth;
  }
});
