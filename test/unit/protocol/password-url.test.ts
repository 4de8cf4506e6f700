import { describe, expect, it } from "vitest";
import { parseHi } from "../../../src/protocol/commands.js";
import { ConfigurationError } from "../../../src/protocol/errors.js";
import { hashPassword } from "../../../src/protocol/password.js";
import { DEFAULT_PORT, DEFAULT_URL, parseServerUrl, resolveServerUrl } from "../../../src/protocol/url.js";
import { isConnectStep, isSendStep, loadTranscript } from "../../support/transcripts.js";

describe("hashPassword", () => {
  it("matches the Faktory test vector", () => {
    expect(hashPassword("foobar", "55104dc76695721d", 1545)).toBe(
      "6d877f8e5544b1f2598768f817413ab8a357afffa924dedae99eb91472d4ec30",
    );
  });

  it("matches the pwdhash of password.json (password s3cret)", () => {
    const t = loadTranscript("password");
    const greeting = t.steps.find((s) => isConnectStep(s) && s.conn === "good");
    const hello = t.steps.find((s) => isSendStep(s) && s.conn === "good");
    if (greeting === undefined || !isConnectStep(greeting) || hello === undefined || !isSendStep(hello))
      throw new Error("password.json changed");
    const hi = parseHi(greeting.recv.slice(1));
    expect(hi).toEqual({ v: 2, i: 7017, s: "18ac7d83586274f7" });
    const { pwdhash } = JSON.parse(hello.send.slice("HELLO ".length)) as { pwdhash: string };
    expect(hashPassword("s3cret", hi.s!, hi.i!)).toBe(pwdhash);
    expect(pwdhash).toBe("275b617fb0d2afc7cc8885b904931c2c458dec872a7ec240e88b1bf9a5368677");
    expect(hello.recv).toBe("+OK");
  });

  it("hashes exactly i times, over raw digests, as lower-case hex", () => {
    const once = hashPassword("pw", "salt", 1);
    expect(once).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPassword("pw", "salt", 2)).not.toBe(once);
    expect(hashPassword("pw", "salt", 0)).toBe(once); // like the Go loop: at least one round
    // The wrong password of password.json does not give the recorded hash of the good one.
    expect(hashPassword("wrong", "4d8f9dfbfcd2262c", 6838)).not.toBe(
      "275b617fb0d2afc7cc8885b904931c2c458dec872a7ec240e88b1bf9a5368677",
    );
  });
});

describe("resolveServerUrl", () => {
  const PROVIDER_ERROR =
    "Error: FAKTORY_PROVIDER is not a URL. It is the name of the ENV var that contains the URL:\n\nFAKTORY_PROVIDER=FOO_URL\nFOO_URL=tcp://:mypassword@faktory.example.com:7419";

  it("defaults to tcp://localhost:7419", () => {
    expect(DEFAULT_URL).toBe("tcp://localhost:7419");
    expect(resolveServerUrl({})).toBe("tcp://localhost:7419");
    expect(resolveServerUrl({ FAKTORY_URL: "" })).toBe("tcp://localhost:7419");
  });

  it("reads FAKTORY_URL", () => {
    expect(resolveServerUrl({ FAKTORY_URL: "tcp://:pw@faktory:7419" })).toBe("tcp://:pw@faktory:7419");
  });

  it("FAKTORY_PROVIDER names the variable holding the URL, and wins over FAKTORY_URL", () => {
    expect(
      resolveServerUrl({
        FAKTORY_PROVIDER: "MY_FAKTORY",
        MY_FAKTORY: "tcp+tls://:s3cret@f.example.com:7000",
        FAKTORY_URL: "tcp://other:1",
      }),
    ).toBe("tcp+tls://:s3cret@f.example.com:7000");
  });

  it("FAKTORY_PROVIDER holding a URL gives the exact multi-line error", () => {
    const env = { FAKTORY_PROVIDER: "tcp://localhost:7419" };
    expect(() => resolveServerUrl(env)).toThrow(ConfigurationError);
    try {
      resolveServerUrl(env);
    } catch (err) {
      expect((err as ConfigurationError).message).toBe(PROVIDER_ERROR);
      expect((err as ConfigurationError).code).toBe("CONFIGURATION");
    }
  });

  it("FAKTORY_PROVIDER naming a missing variable", () => {
    expect(() => resolveServerUrl({ FAKTORY_PROVIDER: "NOPE_URL" })).toThrow(
      new ConfigurationError("FAKTORY_PROVIDER set to invalid value: NOPE_URL"),
    );
    expect(() => resolveServerUrl({ FAKTORY_PROVIDER: "NOPE_URL", NOPE_URL: "" })).toThrow(
      "FAKTORY_PROVIDER set to invalid value: NOPE_URL",
    );
  });

  it("reads process.env by default", () => {
    expect(typeof resolveServerUrl()).toBe("string");
  });
});

describe("parseServerUrl", () => {
  it("plain tcp with the default port", () => {
    expect(DEFAULT_PORT).toBe(7419);
    expect(parseServerUrl("tcp://localhost:7419")).toEqual({ host: "localhost", port: 7419, tls: false });
    expect(parseServerUrl("tcp://faktory.example.com")).toEqual({
      host: "faktory.example.com",
      port: 7419,
      tls: false,
    });
    expect(parseServerUrl("tcp://10.0.0.5:7000")).toEqual({ host: "10.0.0.5", port: 7000, tls: false });
  });

  it("tcp+tls", () => {
    expect(parseServerUrl("tcp+tls://:s3cret@faktory.example.com")).toEqual({
      host: "faktory.example.com",
      port: 7419,
      tls: true,
      password: "s3cret",
    });
  });

  it("password and username from the userinfo, URL-decoded", () => {
    expect(parseServerUrl("tcp://:mypassword@localhost:7419")).toEqual({
      host: "localhost",
      port: 7419,
      tls: false,
      password: "mypassword",
    });
    expect(parseServerUrl("tcp://bob:p%40ss%3Aw%2Ford@h:1")).toEqual({
      host: "h",
      port: 1,
      tls: false,
      username: "bob",
      password: "p@ss:w/ord",
    });
    expect(parseServerUrl("tcp://router%20a@h")).toEqual({
      host: "h",
      port: 7419,
      tls: false,
      username: "router a",
    });
  });

  it("IPv6 hosts lose their brackets", () => {
    expect(parseServerUrl("tcp://[::1]:7419")).toEqual({ host: "::1", port: 7419, tls: false });
    expect(parseServerUrl("tcp+tls://:pw@[2001:db8::1]")).toEqual({
      host: "2001:db8::1",
      port: 7419,
      tls: true,
      password: "pw",
    });
  });

  it("throws ConfigurationError for other schemes and malformed URLs", () => {
    for (const url of [
      "http://localhost:7419",
      "redis://localhost",
      "localhost:7419",
      "",
      "tcp://",
      "tcp://host:99999",
      "not a url",
    ])
      expect(() => parseServerUrl(url), url).toThrow(ConfigurationError);
  });

  it("a bad percent-escape in the password is a ConfigurationError that does not show the password", () => {
    expect(() => parseServerUrl("tcp://:se%zzcret@h")).toThrow(ConfigurationError);
    try {
      parseServerUrl("tcp://:se%zzcret@h");
    } catch (err) {
      expect((err as Error).message).not.toContain("cret");
    }
  });

  it("error messages about a malformed URL do not show its password", () => {
    for (const url of [
      "tcp://:secret@",
      "tcp://u:secret@:7419",
      "tc p://:secret@h",
      "tcp://u:secret@h:99999",
    ]) {
      expect(() => parseServerUrl(url), url).toThrow(ConfigurationError);
      try {
        parseServerUrl(url);
      } catch (err) {
        expect((err as Error).message, url).not.toContain("secret");
        expect((err as Error).message).toContain("***");
      }
    }
  });
});
