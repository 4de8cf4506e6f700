import { defineConfig } from "tsup";

/** The dashboard's browser bundle: dist/web/app.js and app.css (uPlot included), served by the server. */
export default defineConfig({
  entry: { app: "src/server/web/client/main.ts" },
  outDir: "dist/web",
  format: ["iife"],
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: false,
  clean: true,
  dts: false,
  outExtension: () => ({ js: ".js" }),
});
