/**
 * The web port's protections beyond the password: security headers with a strict
 * Content-Security-Policy (no inline script or style, nothing from another origin), and CSRF
 * protection by a double-submit token — the `faktory_csrf` cookie must be echoed in the
 * `X-CSRF-Token` header or the `csrf_token` form field of every POST a browser sends.
 *
 * A POST that carries no browser marks at all (no `Origin`, no `Sec-Fetch-Site`, no cookie) is a
 * script's, e.g. `curl -d wid=all -d signal=quiet /busy`: it cannot be forged by another site (a
 * browser always adds `Origin` to a cross-site POST), so it passes, and scripts written for
 * Faktory's form routes keep working.
 * @module
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Name of the cookie that holds the CSRF token. */
export const CSRF_COOKIE = "faktory_csrf";
/** Form field that echoes the token. */
export const CSRF_FIELD = "csrf_token";
/** Header that echoes the token. */
export const CSRF_HEADER = "x-csrf-token";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The Content-Security-Policy of every response. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Headers sent with every response of the web port. */
export function securityHeaders(tls: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };
  if (tls) headers["strict-transport-security"] = "max-age=31536000";
  return headers;
}

/** The CSRF token in the request's cookie, if it has a well-formed one. */
export function csrfCookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === CSRF_COOKIE) {
      const value = part.slice(eq + 1).trim();
      if (TOKEN.test(value)) return value;
    }
  }
  return undefined;
}

/** A fresh random token. */
export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The `Set-Cookie` value that gives a browser its token. */
export function csrfSetCookie(token: string, tls: boolean): string {
  return `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${tls ? "; Secure" : ""}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a POST: `undefined` when it may proceed, else the reason it is refused (answered 403).
 * `body` is the raw request body, read for a urlencoded `csrf_token` field.
 */
export function csrfProblem(req: IncomingMessage, body: string): string | undefined {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return "cross-origin request refused";
  const cookie = csrfCookieOf(req);
  const header = req.headers[CSRF_HEADER];
  let given = typeof header === "string" ? header : undefined;
  const type = req.headers["content-type"] ?? "";
  if (given === undefined && type.startsWith("application/x-www-form-urlencoded"))
    given = new URLSearchParams(body).get(CSRF_FIELD) ?? undefined;
  if (given !== undefined && cookie !== undefined && same(given, cookie)) return undefined;
  const browser = req.headers.origin !== undefined || site !== undefined || req.headers.cookie !== undefined;
  if (!browser && given === undefined) return undefined;
  return "CSRF token missing or invalid";
}
