// scoretrack's own small script (no inline scripts: the CSP forbids them).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// A period is a phase, a year or a date range: choosing one clears the others
// (data-clears: the ids of the fields to clear, separated by spaces).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-clears]");
  if (!field || !field.value) return;
  for (const id of field.dataset.clears.split(" ")) {
    const other = document.getElementById(id);
    if (other) other.value = "";
  }
});

// Slow downloads (PDFs, exports): say that the file is being prepared until it starts.
(() => {
  const status = () => {
    let box = document.getElementById("busy-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "busy-status";
      box.className = "busy";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  };
  const watch = (token, message) => {
    const box = status();
    box.textContent = message;
    box.hidden = false;
    const started = Date.now();
    const timer = setInterval(() => {
      const done = document.cookie.split("; ").some((c) => c === `scoretrack_download=${token}`);
      if (done || Date.now() - started > 120000) {
        clearInterval(timer);
        box.hidden = true;
      }
    }, 400);
  };
  const token = () => Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-busy]");
    if (!link) return;
    const url = new URL(link.href, window.location.href);
    const t = token();
    url.searchParams.set("dl", t);
    link.href = url.toString();
    watch(t, link.dataset.busy);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-busy]");
    if (!form) return;
    let field = form.querySelector("input[name=dl]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "dl";
      form.appendChild(field);
    }
    field.value = token();
    watch(field.value, form.dataset.busy);
  });
})();

// A long multiple select (a delivery's trainers) gets a search box that hides the
// options not matching what is typed; the selected ones stay listed. Without
// JavaScript it is a plain multiple select. Fields re-rendered by htmx get theirs too.
(() => {
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const attach = (root) => {
    root.querySelectorAll("select[multiple][data-filter]").forEach((select) => {
      if (select.dataset.filterReady) return;
      select.dataset.filterReady = "1";
      const box = document.createElement("input");
      box.type = "search";
      box.className = "select-filter";
      box.placeholder = select.dataset.filter;
      box.setAttribute("aria-label", select.dataset.filter);
      box.setAttribute("aria-controls", select.id);
      box.addEventListener("input", () => {
        const wanted = fold(box.value.trim());
        for (const option of select.options) {
          option.hidden = !option.selected && !fold(option.text).includes(wanted);
        }
      });
      box.addEventListener("keydown", (event) => {
        if (event.key === "Enter") event.preventDefault(); // typing, not submitting
      });
      select.before(box);
    });
  };
  document.addEventListener("DOMContentLoaded", () => attach(document));
  document.addEventListener("htmx:load", (event) => attach(event.target));
})();
