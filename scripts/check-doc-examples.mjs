#!/usr/bin/env node
/**
 * Type-checks every ```ts code block of README.md and docs/**\/*.md (`npm run typecheck`).
 *
 * Each block is written to its own module in `.docs-examples/` (git-ignored), named after its
 * Markdown file and the line of its opening fence (`docs/worker.md` line 12 ->
 * `.docs-examples/docs/worker.md.L12.mts`), and the lot is compiled under the repository's strict
 * tsconfig with `faktory-ts`, `faktory-ts/server`, `faktory-ts/testing` and `faktory-ts/otel` mapped
 * to the sources. Errors are reported at the Markdown file and line (`docs/worker.md:14:3 - error
 * TS2304: ...`); the exit code is 1 when there is any.
 *
 * Conventions: a block is a complete ES module (imports included; the reader's own code is
 * declared in the block: `declare function sendMail(to: string): Promise<void>;`). A block whose
 * info string says `nocheck` (```ts nocheck) is skipped: for deliberately partial snippets only.
 *
 * Usage: node scripts/check-doc-examples.mjs [--root DIR]   (DIR: where README.md and docs/ are;
 * the repository by default. Used by the checker's own test with a fixture folder.)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Public entry points, by import name. A missing source file simply fails the block importing it. */
const ENTRY_POINTS = {
  "faktory-ts": "src/index.ts",
  "faktory-ts/server": "src/server/index.ts",
  "faktory-ts/testing": "src/testing/index.ts",
  "faktory-ts/otel": "src/otel/index.ts",
};

const CHECKED_LANGUAGES = new Set(["ts", "typescript"]);
const OUT_DIR_NAME = ".docs-examples";

/** Markdown files to check, relative to root, in a stable order. */
export function markdownFiles(root) {
  const files = [];
  if (existsSync(join(root, "README.md"))) files.push("README.md");
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (path !== "docs/api" && entry.name !== "node_modules") walk(path);
      } else if (entry.name.endsWith(".md")) files.push(path);
    }
  };
  walk("docs");
  return files;
}

/**
 * The checked code blocks of one Markdown text: `{ line, indent, code }`, `line` being the 1-based
 * line of the opening fence. Fences of ``` or ~~~ (three or more), possibly indented (in a list).
 */
export function extractBlocks(text) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const words = info.trim().split(/\s+/);
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    if (CHECKED_LANGUAGES.has(words[0]) && !words.includes("nocheck")) {
      blocks.push({ line: i + 1, indent: indent.length, code: body.join("\n") });
    }
    i = j;
  }
  return blocks;
}

function toPosix(path) {
  return path.split(sep).join("/");
}

function main() {
  const args = process.argv.slice(2);
  const rootArg = args.indexOf("--root");
  const root = rootArg >= 0 ? resolve(args[rootArg + 1]) : repo;
  const outDir = join(root, OUT_DIR_NAME);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  /** Extracted file (absolute, posix) -> where its block is in the Markdown. */
  const origins = new Map();
  const mdFiles = markdownFiles(root);
  for (const md of mdFiles) {
    for (const block of extractBlocks(readFileSync(join(root, md), "utf8"))) {
      const file = join(outDir, `${md}.L${block.line}.mts`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${block.code}\n`);
      origins.set(toPosix(file), { md, line: block.line, indent: block.indent });
    }
  }

  const fromOut = (path) => toPosix(relative(outDir, join(repo, path)));
  const tsconfig = {
    extends: fromOut("tsconfig.json"),
    compilerOptions: {
      noEmit: true,
      moduleDetection: "force",
      typeRoots: [fromOut("node_modules/@types")],
      paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, src]) => [name, [fromOut(src)]])),
    },
    include: ["**/*.mts"],
    exclude: [],
  };
  const configPath = join(outDir, "tsconfig.json");
  writeFileSync(configPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  if (origins.size === 0) {
    console.log(`docs examples: no \`\`\`ts block in ${mdFiles.length} Markdown files`);
    return 0;
  }

  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];

  const reports = [];
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const kind = ts.DiagnosticCategory[d.category].toLowerCase();
    let where = { file: "", line: 0, column: 0 };
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      const origin = origins.get(toPosix(d.file.fileName));
      where = origin
        ? { file: origin.md, line: origin.line + 1 + line, column: origin.indent + character + 1 }
        : { file: toPosix(relative(root, d.file.fileName)), line: line + 1, column: character + 1 };
    }
    const at = where.file ? `${where.file}:${where.line}:${where.column} - ` : "";
    reports.push({ ...where, text: `${at}${kind} TS${d.code}: ${message}` });
  }
  reports.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  for (const report of reports) console.error(report.text);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  return finish(
    `docs examples: ${origins.size} \`\`\`ts blocks from ${mdFiles.length} Markdown files, ${errors} errors`,
    errors > 0,
  );
}

/** Prints a checker's one-line summary (on stderr when it failed) and returns its exit code. */
export function finish(summary, failed) {
  if (failed) {
    console.error(summary);
    return 1;
  }
  console.log(summary);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
