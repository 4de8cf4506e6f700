/**
 * The Enterprise part of `npm run demo`: a batch whose success callback reports when its jobs
 * are done, and a tracked job that reports its progress while the client watches.
 * @module
 */
import { Client } from "../client/index.js";
import { Worker } from "../worker/index.js";

type Jobs = {
  Thumbnail: [photoId: number];
  AlbumReady: [album: string];
  Import: [rows: number];
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the batch and progress demo against an Enterprise-enabled server at `url`. */
export async function runEnterpriseDemo(url: string, out: NodeJS.WritableStream): Promise<void> {
  const client = await Client.connect<Jobs>(url);
  const worker = new Worker<Jobs>({ url, concurrency: 5, queues: ["default"] });
  let thumbnails = 0;
  let announced!: (text: string) => void;
  const albumReady = new Promise<string>((resolve) => {
    announced = resolve;
  });
  worker.register("Thumbnail", async () => {
    await sleep(20);
    thumbnails++;
  });
  worker.register("AlbumReady", async (job) => {
    const status = await client.batches.status(String(job.custom?._bid));
    announced(
      `success callback AlbumReady(${job.args[0]}): ${status?.total} thumbnails done, ${status?.failed} failed`,
    );
  });
  worker.register("Import", async (job, ctx) => {
    const rows = job.args[0];
    for (let done = 0; done <= rows; done += rows / 4) {
      ctx.progress(Math.round((done / rows) * 100), `imported ${done} of ${rows} rows`);
      await sleep(150);
    }
  });
  const stopped = worker.run();

  out.write("\nFaktory Enterprise features (server started with enterprise: true)\n");
  const photos = [11, 12, 13, 14, 15];
  let bid: string;
  {
    await using batch = await client.batches.create({
      description: "Holiday album thumbnails",
      success: client.job("AlbumReady", ["holiday"]),
    });
    bid = batch.bid;
    await batch.pushBulk(photos.map((id) => client.job("Thumbnail", [id])));
  } // committed here
  out.write(`  batch ${bid}: ${photos.length} Thumbnail jobs pushed and committed\n`);
  out.write(`  ${await albumReady} (ran after the ${thumbnails} jobs)\n`);

  const jid = await client.push("Import", [1000], { track: true });
  let last = "";
  for (;;) {
    const progress = await client.progress.get(jid);
    const line = `${progress.state} ${progress.percent ?? 0}% ${progress.desc ?? ""}`.trim();
    if (line !== last) out.write(`  tracked job ${jid}: ${line}\n`);
    last = line;
    if (progress.state === "success") break;
    await sleep(50);
  }
  await worker.shutdown();
  await stopped;
  await client.close();
}
