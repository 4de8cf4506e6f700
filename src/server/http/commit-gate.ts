/**
 * Holds the end of an HTTP response that may have changed state until the storage has
 * committed it, as the protocol port does for its replies. If the commit fails, the response is
 * destroyed instead of finished, so the client never reads a success for a lost change.
 * @module
 */
import type { ServerResponse } from "node:http";
import type { Storage } from "../storage/storage.js";

/** Makes `res.end()` wait for `storage`'s pending commit (if any) at the moment it is called. */
export function gateResponse(res: ServerResponse, storage: Storage, onFailure: (err: unknown) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const commit = storage.pendingCommit?.();
    if (commit === undefined) return end(...args);
    commit.then(
      () => end(...args),
      (err: unknown) => {
        onFailure(err);
        res.destroy();
      },
    );
    return res;
  }) as ServerResponse["end"];
}
