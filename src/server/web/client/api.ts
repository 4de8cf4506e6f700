/**
 * The browser side of the dashboard's JSON API: GETs, and POSTs that carry the CSRF token.
 * @module
 */

/** The token the page shell carries (same as the `faktory_csrf` cookie). */
function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** An API error with the server's message. */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? message;
    } catch {
      // plain text
    }
    throw new ApiError(res.status, message || res.statusText);
  }
  return JSON.parse(text) as T;
}

/** GET `/api/<path>`. */
export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(`/api/${path}`, { headers: { accept: "application/json" } }));
}

/** POST a JSON body to `/api/<path>`. */
export async function post<T>(path: string, body: Record<string, unknown>): Promise<T> {
  return parse<T>(
    await fetch(`/api/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrfToken() },
      body: JSON.stringify(body),
    }),
  );
}

/** A job as the API returns it (its JSON object). */
export type Job = Record<string, unknown> & {
  jid?: string;
  jobtype?: string;
  queue?: string;
  args?: unknown[];
  created_at?: string;
  enqueued_at?: string;
  custom?: Record<string, unknown>;
  failure?: {
    retry_count?: number;
    remaining?: number;
    failed_at?: string;
    next_at?: string;
    message?: string;
    errtype?: string;
    backtrace?: string[];
  };
};

/** A sorted-set entry. */
export interface Entry {
  key: string;
  at: string;
  jid: string;
  job: Job;
}

/** A paged list of entries. */
export interface SetPage {
  set: string;
  total: number;
  page: number;
  per_page: number;
  entries: Entry[];
}

/** What `/api/stats` returns. */
export interface Stats {
  info: {
    faktory: {
      total_processed: number;
      total_failures: number;
      total_enqueued: number;
      sets: Record<string, number>;
      queues: Record<string, number>;
    };
    server: {
      uptime: number;
      connections: number;
      command_count: number;
      faktory_version: string;
      used_memory_mb: number;
    };
  };
  paused: string[];
  extensions: { batches: boolean; progress: boolean };
}
