/**
 * Compile-time checks of the typed client API. The `@ts-expect-error` lines are verified by
 * `tsc --noEmit` (a line that compiled would make tsc fail); vitest runs the file too, but only
 * the type assertions matter: the calls live in functions that are never invoked.
 */
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type BulkJobFor,
  Client,
  createJob,
  defineJobs,
  type Job,
  type JobFor,
  type PlainJob,
  type SchemasFor,
  type TypedJob,
} from "../../../src/index.js";

type Jobs = {
  SendEmail: [to: string, subject: string];
  Resize: [url: string, width: number];
};

async function typedByParameter(client: Client<Jobs>): Promise<void> {
  await client.push("SendEmail", ["a@example.com", "Hi"]);
  await client.push("Resize", ["u", 10], { queue: "images", retry: 3 });
  // @ts-expect-error wrong argument type
  await client.push("Resize", ["u", "10"]);
  // @ts-expect-error missing argument
  await client.push("SendEmail", ["a@example.com"]);
  // @ts-expect-error too many arguments
  await client.push("SendEmail", ["a@example.com", "Hi", 3]);
  // @ts-expect-error unknown job type
  await client.push("Unknown", []);
  // @ts-expect-error args must be a tuple, not an object
  await client.push("SendEmail", { to: "a" });
  // @ts-expect-error unknown option
  await client.push("SendEmail", ["a", "b"], { priority: 9 });

  await client.push(client.job("Resize", ["u", 1]));
  // @ts-expect-error a job built for another registry entry
  await client.push({ jid: "abcdefgh1", jobtype: "Resize", args: ["u", "x"] });
  await client.pushBulk([client.job("SendEmail", ["a", "b"]), client.job("Resize", ["u", 1])]);
  // @ts-expect-error a mistyped job in a bulk push
  await client.pushBulk([{ jid: "abcdefgh1", jobtype: "SendEmail", args: [1, 2] }]);
  // @ts-expect-error client.job is typed too
  client.job("Resize", [1, 2]);

  // Plain jobs: the jid may be left out; the registry still types job type and args.
  await client.pushBulk([
    { jobtype: "SendEmail", args: ["a", "b"] },
    { jobtype: "Resize", args: ["u", 1], queue: "images", retry: 3 },
    client.job("Resize", ["u", 2]),
  ]);
  await client.push({ jobtype: "Resize", args: ["u", 1] });
  // @ts-expect-error a plain job with the wrong args
  await client.pushBulk([{ jobtype: "Resize", args: ["u", "1"] }]);
  // @ts-expect-error a plain job of an unknown type
  await client.pushBulk([{ jobtype: "Unknown", args: [] }]);
  // @ts-expect-error a plain job without args
  await client.push({ jobtype: "SendEmail" });
}

/** A batch handle takes the same job shapes as the client, typed by the same registry. */
async function typedBatch(client: Client<Jobs>): Promise<void> {
  const batch = await client.batches.create({ complete: { jobtype: "Done" } });
  await batch.push("Resize", ["u", 10]);
  await batch.push(client.job("SendEmail", ["a", "b"]));
  await batch.push({ jobtype: "Resize", args: ["u", 1], queue: "images" });
  await batch.pushBulk([{ jobtype: "SendEmail", args: ["a", "b"] }, client.job("Resize", ["u", 1])]);
  // @ts-expect-error a plain job with the wrong args
  await batch.push({ jobtype: "Resize", args: ["u", "1"] });
  // @ts-expect-error a plain job of an unknown type
  await batch.pushBulk([{ jobtype: "Unknown", args: [] }]);
}

async function connectTyped(): Promise<void> {
  const typed = await Client.connect<Jobs>();
  expectTypeOf(typed).toEqualTypeOf<Client<Jobs>>();
  const fromUrl = await Client.connect("tcp://localhost:7419");
  expectTypeOf(fromUrl).toEqualTypeOf<Client>();
  // @ts-expect-error schemas and an explicit registry type cannot be mixed
  await Client.connect<Jobs>({ jobs: schemas });
}

async function untyped(client: Client): Promise<void> {
  await client.push("Anything", [1, "two", { three: 3 }]);
  await client.push(createJob("Other", []));
  const j: Job = { jid: "abcdefgh1", jobtype: "X", args: [] };
  await client.push(j);
  await client.pushBulk([{ jobtype: "A", args: [1] }, j]);
  // @ts-expect-error args must still be an array
  await client.push("Anything", "nope");
}

const schemas = defineJobs({
  SendEmail: z.tuple([z.string(), z.string()]),
  Count: z.tuple([z.number().int()]),
});

async function typedBySchemas(): Promise<void> {
  const client = await Client.connect({ jobs: schemas, url: "tcp://localhost:1" });
  expectTypeOf(client).toEqualTypeOf<Client<{ SendEmail: [string, string]; Count: [number] }>>();
  await client.push("Count", [3]);
  // @ts-expect-error schema says number
  await client.push("Count", ["3"]);
  // @ts-expect-error not in the schemas
  await client.push("Resize", ["u", 1]);
  await client.close();
}

/** A map typed from a registry with the worker's SchemasFor is accepted by the client too. */
async function typedBySchemasFor(): Promise<void> {
  const jobs: SchemasFor<Jobs> = {
    SendEmail: z.tuple([z.string(), z.string()]),
    Resize: z.tuple([z.string(), z.number()]),
  };
  const client = await Client.connect({ jobs, url: "tcp://localhost:1" });
  expectTypeOf<Parameters<typeof client.job>[0]>().toEqualTypeOf<"SendEmail" | "Resize">();
  await client.push("Resize", ["u", 10]);
  // @ts-expect-error the registry says number
  await client.push("Resize", ["u", "10"]);
  await client.close();
}

describe("client types", () => {
  it("infers the registry", () => {
    expectTypeOf<Parameters<Client<Jobs>["job"]>[0]>().toEqualTypeOf<"SendEmail" | "Resize">();
    expectTypeOf<JobFor<Jobs>>().toEqualTypeOf<
      TypedJob<"SendEmail", [to: string, subject: string]> | TypedJob<"Resize", [url: string, width: number]>
    >();
    expectTypeOf(createJob("T", [1, "a"])).toEqualTypeOf<TypedJob<"T", [1, "a"]>>();
    expectTypeOf<BulkJobFor<Jobs>>().toEqualTypeOf<
      PlainJob<"SendEmail", [to: string, subject: string]> | PlainJob<"Resize", [url: string, width: number]>
    >();
    expectTypeOf<TypedJob<"Resize", [string, number]>>().toExtend<BulkJobFor<Jobs>>();
    expectTypeOf(connectTyped).toBeFunction();
    expectTypeOf(typedByParameter).toBeFunction();
    expectTypeOf(untyped).toBeFunction();
    expectTypeOf(typedBySchemas).toBeFunction();
    expectTypeOf(typedBatch).toBeFunction();
    expectTypeOf(typedBySchemasFor).toBeFunction();
  });
});
