// NHS.UK frontend components (header menu, radios with conditional reveal, error summary focus...).
import { initAll } from "./nhsuk-frontend.min.js";

initAll();
