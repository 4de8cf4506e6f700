#!/usr/bin/env node
/**
 * Checks the relative links of README.md and docs/**\/*.md (`npm run typecheck:docs`): every
 * `[text](path)`, `![alt](path)` and `[label]: path` that is not a URL must name a file or folder
 * that exists, and a `#anchor` on a Markdown file (or alone, for the same file) must be one of its
 * headings, slugged the way GitHub does (`## One handler: performJob` -> `#one-handler-performjob`),
 * or an explicit `<a id="...">`. Offline and deterministic: no URL is fetched.
 *
 * Usage: node scripts/check-doc-links.mjs [--root DIR]   (DIR: where README.md and docs/ are.)
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { finish, markdownFiles } from "./check-doc-examples.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The lines of a Markdown text outside fenced code blocks, as `{ line, text }` (1-based). */
export function proseLines(text) {
  const lines = text.split(/\r?\n/);
  const out = [];
  let fence = null;
  for (let i = 0; i < lines.length; i++) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(lines[i]);
    if (fence) {
      if (
        marker &&
        marker[1][0] === fence[0] &&
        marker[1].length >= fence.length &&
        /^\s*[`~]+\s*$/.test(lines[i])
      )
        fence = null;
    } else if (marker) {
      fence = marker[1];
    } else {
      out.push({ line: i + 1, text: lines[i] });
    }
  }
  return out;
}

/** GitHub's anchor for a heading's text (github-slugger's rules, after removing inline Markdown). */
export function slug(heading) {
  const plain = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/`/g, "");
  return plain
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a Markdown text defines: its headings' slugs (numbered when repeated) and `<a id>`s. */
export function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  for (const { text: line } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const m of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** The link targets of a Markdown text, as `{ line, target }`, code spans and URLs left out. */
export function linksOf(text) {
  const links = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(/(`+)[^`]*?\1/g, "");
    const targets = [];
    for (const m of prose.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) targets.push(definition[1]);
    for (let target of targets) {
      if (target.startsWith("<")) target = target.slice(1, -1);
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
      links.push({ line, target });
    }
  }
  return links;
}

/** Broken links under root, as `file:line - message` strings in a stable order. */
export function checkLinks(root) {
  const problems = [];
  const anchorCache = new Map();
  const anchorsIn = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, "utf8")));
    return anchorCache.get(file);
  };
  for (const md of markdownFiles(root)) {
    const source = join(root, md);
    for (const { line, target } of linksOf(readFileSync(source, "utf8"))) {
      const hash = target.indexOf("#");
      const path = decodeURI(hash >= 0 ? target.slice(0, hash) : target);
      const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : "";
      const file = path === "" ? source : join(dirname(source), path);
      const where = `${md}:${line} - ${target}`;
      if (path.startsWith("/")) {
        problems.push(`${where}: absolute path; links must be relative`);
      } else if (!existsSync(file)) {
        problems.push(`${where}: ${posix.normalize(posix.join(posix.dirname(md), path))} does not exist`);
      } else if (
        anchor !== "" &&
        file.endsWith(".md") &&
        statSync(file).isFile() &&
        !anchorsIn(file).has(anchor)
      ) {
        problems.push(`${where}: no heading with the anchor #${anchor}`);
      }
    }
  }
  return problems;
}

function main() {
  const args = process.argv.slice(2);
  const rootArg = args.indexOf("--root");
  const root = rootArg >= 0 ? resolve(args[rootArg + 1]) : repo;
  const problems = checkLinks(root);
  for (const problem of problems) console.error(problem);
  return finish(
    `docs links: ${markdownFiles(root).length} Markdown files, ${problems.length} broken links`,
    problems.length > 0,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
