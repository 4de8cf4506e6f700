/**
 * The short form of `npm run chaos` (bench/chaos/harness.mjs): 2,000 jobs through a proxy that
 * cuts a connection every ~100 ms, splits and delays packets and refuses connections, consumed by
 * three worker processes running the built library; then a graceful server restart on the same
 * storage. Nothing may be lost,
 * every duplicate must be explained, no process may crash. Needs the build (`npm test` runs it).
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatChaosTable, runChaos } from "../../bench/chaos/harness.mjs";

const built = existsSync(new URL("../../dist/index.js", import.meta.url));

describe("chaos (short form)", () => {
  it.skipIf(!built)(
    "loses no job under cuts, splits, delays, refusals and a server restart",
    async () => {
      const result = await runChaos({
        jobs: 2000,
        producers: 3,
        workers: 3,
        concurrency: 8,
        cutEveryMs: 100,
        refuseEveryMs: 700,
        refuseForMs: 200,
        restartDownMs: 1500,
        restartJobs: 300,
        quietMs: 2500,
        timeoutMs: 50_000,
        seed: 7,
      });
      const table = formatChaosTable(result);
      expect(result.problems, table).toEqual([]);
      const [faults, restart] = result.phases;
      expect(faults?.lost).toBe(0);
      expect(faults?.distinct).toBe(2000);
      expect(faults?.cuts).toBeGreaterThan(5);
      expect(faults?.refusalWindows).toBeGreaterThan(0);
      expect(faults?.duplicated).toBe(
        (faults?.duplicatedByResentPush ?? 0) + (faults?.duplicatedByLostAck ?? 0),
      );
      expect(restart?.lost).toBe(0);
      // The server stops gracefully with results in flight and comes back on the same storage:
      // no ACK may be lost for good (which would show as a job run again after its reservation expired).
      expect(restart?.duplicatedByLostAck).toBe(0);
      expect(restart?.duplicated).toBe(restart?.duplicatedByResentPush);
      expect(restart?.distinct).toBe(300);
      expect(result.faults).toEqual([]);
    },
    60_000,
  );
});
