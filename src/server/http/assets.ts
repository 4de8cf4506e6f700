/**
 * The dashboard's browser code and styles, built by `tsup --config tsup.web.config.ts` into
 * `dist/web/` and served from the package under `/static/` (no CDN, nothing built at run time).
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The files served under `/static/`, with their content types. */
const FILES: Readonly<Record<string, string>> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

function moduleDir(): string {
  // CommonJS build: __dirname; ES module build and tests: import.meta.url.
  return typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/** Folders that may hold the built assets: next to the bundle (dist/), or dist/ from the sources. */
function candidates(): string[] {
  const here = moduleDir();
  return [join(here, "web"), join(here, "..", "web"), join(here, "..", "..", "..", "dist", "web")];
}

const cache = new Map<string, Buffer>();

/** A static asset: its bytes and content type, or `undefined` (unknown name or not built). */
export function staticAsset(name: string): { body: Buffer; type: string } | undefined {
  const type = FILES[name];
  if (type === undefined) return undefined;
  let body = cache.get(name);
  if (body === undefined) {
    for (const dir of candidates()) {
      try {
        body = readFileSync(join(dir, name));
        break;
      } catch {
        // try the next folder
      }
    }
    if (body === undefined) return undefined;
    cache.set(name, body);
  }
  return { body, type };
}
