/** Helpers for testing code that uses faktory-ts. */
export * from "./fault-proxy.js";
export * from "./perform-job.js";
