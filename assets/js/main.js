// NHS.UK frontend components (header menu, radios with conditional reveal, error summary focus...).
import { initAll } from "./nhsuk-frontend.min.js";

initAll();

// NHS.UK frontend marks a radio that reveals content with aria-expanded, which ARIA does not allow on the
// radio role (axe: aria-allowed-attr; GOV.UK Frontend dropped it for this reason). aria-controls stays.
const dropExpandedFromRadios = (root) => {
  for (const radio of root.querySelectorAll('input[type="radio"][aria-expanded]')) {
    radio.removeAttribute("aria-expanded");
  }
};
dropExpandedFromRadios(document);
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    if (mutation.target.matches?.('input[type="radio"][aria-expanded]')) {
      mutation.target.removeAttribute("aria-expanded");
    }
  }
}).observe(document.body, { attributes: true, attributeFilter: ["aria-expanded"], subtree: true });
