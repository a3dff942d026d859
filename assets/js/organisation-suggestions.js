// Suggests organisations while CSOC staff type a name or an ODS code into a field marked
// data-organisation-suggestions="<JSON endpoint>", through the field's <datalist>. Without JavaScript, the
// field still takes an ODS code.
const SEARCH_DELAY_MS = 200;
const MIN_LENGTH = 2;

function suggest(input) {
  const list = document.getElementById(input.getAttribute("list"));
  const endpoint = input.dataset.organisationSuggestions;
  if (!list || !endpoint) return;
  let timer;
  let controller;

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const text = input.value.trim();
      controller?.abort();
      if (text.length < MIN_LENGTH) {
        list.replaceChildren();
        return;
      }
      controller = new AbortController();
      try {
        const response = await fetch(`${endpoint}?q=${encodeURIComponent(text)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (!response.ok) return;
        const { organisations } = await response.json();
        list.replaceChildren(
          ...organisations.map(({ ods_code: code, name }) => {
            const option = document.createElement("option");
            option.value = code;
            option.label = `${name} (${code})`;
            return option;
          }),
        );
      } catch {
        // A failed or superseded search leaves the field as a plain ODS code input.
      }
    }, SEARCH_DELAY_MS);
  });
}

document.querySelectorAll("input[data-organisation-suggestions][list]").forEach(suggest);
