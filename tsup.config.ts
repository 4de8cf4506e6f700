import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    server: "src/server/index.ts",
    testing: "src/testing/index.ts",
    otel: "src/otel/index.ts",
    cli: "src/cli/main.ts",
    demo: "src/cli/demo.ts",
  },
  format: ["esm", "cjs"],
  dts: {
    entry: {
      index: "src/index.ts",
      server: "src/server/index.ts",
      testing: "src/testing/index.ts",
      otel: "src/otel/index.ts",
    },
  },
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: true,
  shims: false,
  // the optional native driver of durable storage is loaded at run time, never bundled
  external: ["better-sqlite3", "@opentelemetry/api"],
  // The CommonJS build finds the dashboard's assets through __dirname; import.meta.url (used by
  // the ES module build) is defined away there instead of being left as an empty object.
  esbuildOptions(options, context) {
    if (context.format === "cjs") options.define = { ...options.define, "import.meta.url": "undefined" };
  },
});
