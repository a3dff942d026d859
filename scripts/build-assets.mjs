// Compiles our Sass (with NHS.UK frontend) and copies the frontend's JavaScript and images into assets/build.
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
console.log("Built assets into assets/build");
