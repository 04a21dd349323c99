// Bundles the editor and copies the font the pages use into kg/serve/static/build/,
// the folder kg serve and kg viz read them from (never from a CDN).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "kg", "serve", "static", "build");
mkdirSync(join(out, "fonts"), { recursive: true });
rmSync(join(out, "unavailable.txt"), { force: true });

await build({
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true, minify: true, format: "iife", target: "es2020", legalComments: "linked",
  outfile: join(out, "editor.js"),
});

// Noto Sans SC (SIL Open Font License): simplified Chinese and Latin, regular weight.
// The served pages use the WOFF2 files; kg viz subsets the WOFF one (zlib, readable by
// fontTools without Brotli) into the standalone map.
const fonts = join(here, "node_modules", "@fontsource", "noto-sans-sc", "files");
for (const name of ["noto-sans-sc-chinese-simplified-400-normal.woff2", "noto-sans-sc-chinese-simplified-400-normal.woff",
                    "noto-sans-sc-latin-400-normal.woff2", "noto-sans-sc-latin-400-normal.woff"]) {
  copyFileSync(join(fonts, name), join(out, "fonts", name));
}
copyFileSync(join(here, "node_modules", "@fontsource", "noto-sans-sc", "LICENSE"), join(out, "fonts", "LICENSE"));
console.log(`frontend: wrote ${out}`);
