/**
 * The connection against replies a real Faktory 1.10 sent: a scripted server plays the server
 * side of each recorded transcript while a Connection plays the client side.
 */
import { describe, expect, it } from "vitest";
import { Connection, type OpenOptions } from "../../../src/connection/connection.js";
import { AuthenticationError, ConnectionError, ServerError } from "../../../src/protocol/errors.js";
import { type Reply, RespReader } from "../../../src/protocol/resp-reader.js";
import {
  matchJsonArgument,
  matchWithPlaceholders,
  startScriptedServer,
} from "../../support/scripted-server.js";
import {
  CLOSED,
  INFO_ELIDED,
  isConnectStep,
  isSendStep,
  listTranscripts,
  loadTranscript,
} from "../../support/transcripts.js";

function decode(recv: string): Reply {
  const replies: Reply[] = [];
  new RespReader((r) => replies.push(r)).push(Buffer.from(`${recv}\r\n`));
  expect(replies).toHaveLength(1);
  return replies[0]!;
}

// handshake-errors sends lines no client would (commands before HELLO, malformed HELLO).
const names = listTranscripts().filter((n) => n !== "handshake-errors" && n !== "password");

describe("Connection replays the client side of every transcript", () => {
  for (const name of names) {
    it(name, async () => {
      const transcript = loadTranscript(name);
      const server = await startScriptedServer(transcript, {
        // Our HELLO puts "v" first; the recorded client put it last. Same document.
        defaultMatcher: (actual, expected, step) =>
          expected.startsWith("HELLO ")
            ? matchJsonArgument(actual, expected, step)
            : matchWithPlaceholders(actual, expected),
      });
      const conns = new Map<string, Connection>();
      const steps = transcript.steps;
      try {
        for (let i = 0; i < steps.length; i++) {
          const step = steps[i]!;
          if (isConnectStep(step)) {
            const hello = steps.slice(i + 1).find((s) => isSendStep(s) && s.conn === step.conn);
            const doc = JSON.parse((hello as { send: string }).send.slice(6)) as Record<string, unknown>;
            const options: OpenOptions = { url: server.url };
            if (typeof doc["wid"] === "string")
              options.worker = {
                wid: doc["wid"],
                hostname: String(doc["hostname"]),
                pid: Number(doc["pid"]),
                labels: doc["labels"] as string[],
              };
            conns.set(step.conn, await Connection.open(options));
            continue;
          }
          if (!isSendStep(step) || step.send.startsWith("HELLO ")) continue;
          const conn = conns.get(step.conn)!;
          const line = `${step.send.replace(/<now\+(\d+)s>/g, (_, s: string) => new Date(Date.now() + Number(s) * 1000).toISOString())}\r\n`;
          if (step.recv === CLOSED) {
            if (step.send === "END") {
              await conn.end();
              expect(await conn.closed).toBeUndefined();
            } else {
              await expect(conn.send(line)).rejects.toBeInstanceOf(ConnectionError);
            }
            continue;
          }
          const expected = step.recv === INFO_ELIDED ? undefined : decode(step.recv);
          if (expected?.kind === "error") {
            const err = (await conn.send(line, 3000).catch((e: unknown) => e)) as ServerError;
            expect(err).toBeInstanceOf(ServerError);
            expect([err.serverCode, err.serverMessage]).toEqual([expected.code, expected.message]);
          } else {
            const reply = await conn.send(line, 3000);
            if (expected !== undefined) expect(reply).toEqual(expected);
          }
        }
        await server.done;
        expect(server.errors).toEqual([]);
      } finally {
        for (const c of conns.values()) c.destroy();
        await server.close();
      }
    });
  }

  it("password: the recorded pwdhash is reproduced, and a refusal is an AuthenticationError", async () => {
    const transcript = loadTranscript("password");
    const steps = transcript.steps.filter((s) => !("conn" in s) || s.conn === "good" || s.conn === "bad");
    const server = await startScriptedServer(steps, {
      matchers: { [steps.findIndex((s) => isSendStep(s) && s.conn === "bad")]: () => true },
    });
    try {
      const good = await Connection.open({ url: server.url, password: "s3cret" });
      await good.send("INFO\r\n");
      good.destroy();
      await expect(Connection.open({ url: server.url, password: "wrong" })).rejects.toBeInstanceOf(
        AuthenticationError,
      );
      await server.done;
      expect(server.errors).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
