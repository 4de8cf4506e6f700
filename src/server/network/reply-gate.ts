/**
 * Holds a connection's replies until the storage has committed the changes they report: a
 * client never hears `+OK` for a change that a crash could still lose. With a storage that
 * commits at once (memory) the gate is always open: a reply goes straight out, nothing is held.
 * @module
 */
import type { Reply } from "../commands/types.js";
import type { Storage } from "../storage/storage.js";

/** Error prefix of a reply whose change was rolled back. */
export const STORAGE_FAILURE = "storage failure, the change was not saved";

/** The `-ERR` reply for a failed commit. */
export function storageFailureReply(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/[\r\n]+/g, " ");
  return `-ERR ${STORAGE_FAILURE}: ${text}\r\n`;
}

/** Replies of one connection waiting for a commit. */
export class ReplyGate {
  private held: Reply[] = [];
  private commits: Promise<void>[] = [];

  constructor(private readonly storage: Storage) {}

  /** Notes the storage's pending commit after a command ran (call after every command). */
  observe(): void {
    const commit = this.storage.pendingCommit?.();
    if (commit !== undefined && this.commits[this.commits.length - 1] !== commit) this.commits.push(commit);
  }

  /** Whether no commit was observed since the last {@link release}: a reply may go out at once. */
  get open(): boolean {
    return this.commits.length === 0;
  }

  /** Queues a reply; it is sent by {@link release}. */
  hold(reply: Reply): void {
    this.held.push(reply);
  }

  /** Whether replies are waiting. */
  get size(): number {
    return this.held.length;
  }

  /**
   * Hands the held replies to `send`: at once when no commit is pending (returns `undefined`;
   * `send` must not keep the array, which is reused), otherwise once every observed commit
   * succeeded (returns the promise of that). If a commit failed, every held reply becomes the
   * storage-failure error: its change may be rolled back.
   */
  release(send: (replies: readonly Reply[]) => void): Promise<void> | undefined {
    const replies = this.held;
    if (this.commits.length === 0) {
      send(replies);
      replies.length = 0;
      return undefined;
    }
    const commits = this.commits;
    this.held = [];
    this.commits = [];
    const committed = commits.length === 1 ? commits[0]! : Promise.all(commits);
    return committed.then(
      () => send(replies),
      (err: unknown) => send(replies.map(() => storageFailureReply(err))),
    );
  }
}
