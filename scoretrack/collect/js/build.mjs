// Builds the browser forms' bundle (ODK Web Forms, Vue, the outbox) and the service
// worker into scoretrack/collect/static/collect/build/ (build output, not in git):
// `npm run build`, which `make install` runs whenever the npm files or these sources change.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "static", "collect", "build");

await build({
  entryPoints: { fill: join(here, "fill.js"), sw: join(here, "sw.js") },
  outdir,
  bundle: true,
  format: "esm",
  target: ["es2022", "chrome100", "firefox100", "safari15"],
  minify: true,
  legalComments: "linked",
  loader: { ".svg": "dataurl", ".png": "dataurl", ".woff2": "dataurl", ".woff": "dataurl" },
  define: {
    "process.env.NODE_ENV": '"production"',
    __VUE_OPTIONS_API__: "true",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  logLevel: "warning",
});
