// Bundles the extension (src/extension.ts → dist/extension.js, vscode-languageclient inlined) and,
// with --tests, the integration tests (test/index.ts → out/test/index.js).
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const tests = process.argv.includes("--tests");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  sourcemap: !production,
  minify: production,
  logLevel: process.argv.includes("--quiet") ? "warning" : "info",
};

await esbuild.build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js" });
if (tests) {
  await esbuild.build({ ...common, entryPoints: ["test/index.ts"], outfile: "out/test/index.js" });
}
