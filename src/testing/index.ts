/** Helpers for testing code that uses faktory-ts. */
export * from "./fault-proxy.js";
export * from "./perform-job.js";
export * from "./job-recorder.js";
export * from "./test-server.js";
export * from "./drain.js";
export * from "./manual-clock.js";
