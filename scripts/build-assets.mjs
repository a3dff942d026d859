// Compiles our Sass (with NHS.UK frontend) and copies the frontend's JavaScript and images, our own scripts and
// styles, and Swagger UI (for the API documentation page) into assets/build.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const frontend = join(root, "node_modules", "nhsuk-frontend", "dist", "nhsuk");
const build = join(root, "assets", "build");

mkdirSync(join(build, "css"), { recursive: true });
mkdirSync(join(build, "js"), { recursive: true });

const result = sass.compile(join(root, "assets", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(build, "css", "main.css"), result.css);

cpSync(join(frontend, "nhsuk-frontend.min.js"), join(build, "js", "nhsuk-frontend.min.js"));
cpSync(join(root, "assets", "js"), join(build, "js"), { recursive: true });
cpSync(join(frontend, "assets"), join(build, "nhsuk", "assets"), { recursive: true });
cpSync(join(root, "assets", "css"), join(build, "css"), { recursive: true });
// The API documentation page runs Swagger UI from our own files (no CDN).
const swaggerUi = join(root, "node_modules", "swagger-ui-dist");
mkdirSync(join(build, "swagger-ui"), { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  cpSync(join(swaggerUi, file), join(build, "swagger-ui", file));
}
console.log("Built assets into assets/build");
