// Bulk response: filter the organisations as you type, and select or unselect them all, without reloading.
// Without JavaScript the same links and the filter button do this through the server.
const form = document.querySelector("form[data-bulk-filter]");
const selection = document.querySelector("[data-bulk-selection]");
const items = () => Array.from(document.querySelectorAll('input[name="organisations"]')).map((box) => box.closest(".nhsuk-checkboxes__item"));

if (form) {
  const search = form.querySelector('input[type="search"]');
  search?.addEventListener("input", () => {
    const text = search.value.trim().toLowerCase();
    for (const item of items()) {
      // The item's own CSS sets its display, which the hidden attribute would not override.
      item.style.display = text !== "" && !item.textContent.toLowerCase().includes(text) ? "none" : "";
    }
  });
}

selection?.addEventListener("click", (event) => {
  const link = event.target.closest("[data-bulk-select]");
  if (!link || items().length === 0) return;
  event.preventDefault();
  const checked = link.dataset.bulkSelect === "all";
  for (const item of items()) {
    if (item.style.display !== "none") item.querySelector("input").checked = checked;
  }
});
