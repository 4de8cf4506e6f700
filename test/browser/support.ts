/** The browser tests' fixture: Debian's Chromium driven by playwright-core, and a live server. */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";
import { type FaktoryServer, MemoryStorage, startServer } from "../../src/server/index.js";

/** Where screenshots go (git-ignored). */
export const SHOTS = "test-results/dashboard";

/** The Chromium path found by the global setup ("" when none: the tests are skipped). */
export const chromePath = inject("chromePath");

/** Launches headless Chromium with a fresh profile and no background traffic. */
export function launch(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: chromePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A server with a storage the test can seed directly. */
export async function serve(password?: string): Promise<{ server: FaktoryServer; storage: MemoryStorage }> {
  const storage = new MemoryStorage();
  const server = await startServer({ port: 0, webPort: 0, storage, ...(password ? { password } : {}) });
  return { server, storage };
}

/** A page that records console errors (CSP violations among them) and page errors. */
export async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => void d.accept());
  return { page, errors };
}

/** Goes to a path, waits until the page has rendered, and returns the response headers. */
export async function visit(page: Page, base: string, path: string): Promise<Record<string, string>> {
  const res = await page.goto(`${base}${path}`);
  if (res === null || res.status() !== 200) throw new Error(`${path}: HTTP ${res?.status()}`);
  await page.waitForSelector("body[data-ready=true]");
  return res.headers();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Serious or critical accessibility violations on the page (axe-core), as `id: target` lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  // evaluate() is not subject to the page's CSP, so axe can run without weakening it.
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return results
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
