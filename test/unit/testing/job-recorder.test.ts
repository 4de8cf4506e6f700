import { describe, expect, it } from "vitest";
import { Client } from "../../../src/client/index.js";
import { ValidationError } from "../../../src/protocol/errors.js";
import { type JobPusher, JobRecorder, recordPushes, startTestServer } from "../../../src/testing/index.js";

type Jobs = { SendEmail: [to: string, subject: string]; Resize: [url: string, width: number] };

async function signUp(jobs: JobPusher<Jobs>, email: string): Promise<void> {
  await jobs.push("SendEmail", [email, "Welcome"], { queue: "mail" });
  await jobs.pushBulk([
    jobs.job("Resize", ["avatar.png", 64]),
    { jobtype: "Resize", args: ["avatar.png", 128] },
  ]);
}

describe("JobRecorder", () => {
  it("records pushes as they would be sent and finds them by type, args and queue", async () => {
    const recorder = new JobRecorder<Jobs>();
    await signUp(recorder, "a@example.com");
    expect(recorder.jobs.map((j) => j.jobtype)).toEqual(["SendEmail", "Resize", "Resize"]);
    const [mail] = recorder.pushed({ jobtype: "SendEmail" });
    expect(mail).toMatchObject({ jobtype: "SendEmail", args: ["a@example.com", "Welcome"], queue: "mail" });
    expect(mail?.jid).toMatch(/^.{8,}$/);
    expect(recorder.pushed({ queue: "mail" })).toHaveLength(1);
    expect(recorder.pushed({ queue: "default" })).toHaveLength(2); // no queue: the server's default
    expect(recorder.pushed({ jobtype: "Resize", args: ["avatar.png", 128] })).toHaveLength(1);
    expect(recorder.pushed({ args: (a) => a[1] === 64 })).toHaveLength(1);
    expect(recorder.pushed({ jobtype: "Resize", queue: "mail" })).toEqual([]);
    recorder.clear();
    expect(recorder.pushed()).toEqual([]);
  });

  it("refuses a bad job as the client does, and records nothing for it", async () => {
    const recorder = new JobRecorder();
    await expect(recorder.push("", [])).rejects.toBeInstanceOf(ValidationError);
    await expect(recorder.push("Big", [10n])).rejects.toBeInstanceOf(ValidationError);
    const bulk = await recorder.pushBulk([
      { jobtype: "Ok", args: [] },
      { jobtype: "", args: [] },
    ]);
    expect(bulk.pushed).toHaveLength(1);
    expect(bulk.rejected).toHaveLength(1);
    expect(recorder.jobs).toHaveLength(1);
  });

  it("returns the jid a job was given", async () => {
    const recorder = new JobRecorder();
    const jid = await recorder.push({ jid: "fixed-jid-123", jobtype: "T", args: [1] });
    expect(jid).toBe("fixed-jid-123");
    expect(recorder.pushed({ jobtype: "T" })[0]?.jid).toBe("fixed-jid-123");
  });
});

describe("recordPushes", () => {
  it("keeps a real client's pushes off the server until restored", async () => {
    await using server = await startTestServer();
    await using client = await Client.connect<Jobs>(server.url);
    const recorder = recordPushes(client);
    await signUp(client, "b@example.com");
    expect(recorder.pushed({ jobtype: "SendEmail", args: ["b@example.com", "Welcome"] })).toHaveLength(1);
    expect((await client.info()).faktory.total_enqueued).toBe(0);
    recorder.restore();
    await client.push("Resize", ["x.png", 1]);
    expect((await client.info()).faktory.queues).toEqual({ default: 1 });
    expect(recorder.jobs).toHaveLength(3);
  });
});
