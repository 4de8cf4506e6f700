/** The wire protocol: pure functions and classes, no sockets. Shared by client, worker and server. */
export * from "./commands.js";
export * from "./errors.js";
export * from "./go-json.js";
export * from "./ids.js";
export * from "./job.js";
export * from "./job-types.js";
export * from "./messages.js";
export * from "./password.js";
export * from "./resp-reader.js";
export * from "./resp-writer.js";
export * from "./time.js";
export * from "./url.js";
export * from "./utf8.js";
