// scoretrack's own small script (no inline scripts: the CSP forbids them).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// A period is a phase or a year: choosing one clears the other.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-clears]");
  if (!select || !select.value) return;
  const other = document.getElementById(select.dataset.clears);
  if (other) other.value = "";
});
