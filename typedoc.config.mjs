// @ts-check
/**
 * TypeDoc: the API reference (`npm run docs`, into docs/api, git-ignored), from the public entry
 * points. Warnings are errors, so `npm test` (which runs `npm run docs:check`) keeps the TSDoc
 * clean: broken {@link}s, unknown tags, referenced types that are not exported.
 */
import { existsSync } from "node:fs";

/** One per public import name; an entry whose file does not exist (yet) is left out. */
const entryPoints = [
  "src/index.ts", //          faktory-ts
  "src/server/index.ts", //   faktory-ts/server
  "src/testing/index.ts", //  faktory-ts/testing
  "src/otel/index.ts", //     faktory-ts/otel
].filter((file) => existsSync(file));

/** @type {Partial<import("typedoc").TypeDocOptions>} */
const config = {
  name: "faktory-ts",
  entryPoints,
  tsconfig: "tsconfig.typedoc.json",
  out: "docs/api",
  // The repository README is the front page; the guides link to each other and to the reference.
  readme: "README.md",
  // The guides, rendered next to the reference and listed in its navigation.
  projectDocuments: ["docs/*.md"],
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  excludePrivate: true,
  excludeInternal: true,
  disableSources: true,
  // Implemented by SqliteStorage for its own collections; not a public contract.
  intentionallyNotExported: ["src/server/storage/sqlite-collections.ts:WriteHost"],
  externalSymbolLinkMappings: {
    typescript: {
      TypeError: "https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/TypeError",
    },
  },
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: false },
};

export default config;
