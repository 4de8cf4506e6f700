#!/usr/bin/env node
import("../dist/cli.js").then((m) => m.main(process.argv.slice(2))).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
