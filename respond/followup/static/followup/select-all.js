// Progressive enhancement for the chase page: a "select all" checkbox above each list of organisations.
// Without JavaScript each organisation's checkbox works on its own.
for (const table of document.querySelectorAll("table[data-select-all-label]")) {
  const boxes = [...table.querySelectorAll('input[type="checkbox"][name="organisations"]')];
  if (!boxes.length) continue;
  const id = `${table.id}-select-all`;
  const wrapper = document.createElement("div");
  wrapper.className = "nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-3";
  wrapper.innerHTML = `<div class="nhsuk-checkboxes__item">
    <input class="nhsuk-checkboxes__input" id="${id}" type="checkbox">
    <label class="nhsuk-label nhsuk-checkboxes__label" for="${id}"></label></div>`;
  wrapper.querySelector("label").textContent = table.dataset.selectAllLabel;
  const selectAll = wrapper.querySelector("input");
  const refresh = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    selectAll.checked = ticked === boxes.length;
    selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  selectAll.addEventListener("change", () => {
    for (const box of boxes) box.checked = selectAll.checked;
    refresh();
  });
  for (const box of boxes) box.addEventListener("change", refresh);
  table.before(wrapper);
  refresh();
}
