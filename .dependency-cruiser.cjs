/** Layer rules of faktory-ts (see README "Architecture"). Checked by `npm run lint`. */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "protocol-is-pure",
      comment: "src/protocol is the wire format only: no sockets, no other layer.",
      severity: "error",
      from: { path: "^src/protocol" },
      to: { path: ["^(node:)?(net|tls|http|https|dgram|child_process|worker_threads)$", "^src/(connection|client|worker|server|cli|testing)/"] },
    },
    {
      name: "connection-below-library",
      severity: "error",
      from: { path: "^src/connection" },
      to: { path: "^src/(client|worker|server|cli|testing)/" },
    },
    {
      name: "client-not-server-or-worker",
      severity: "error",
      from: { path: "^src/client" },
      to: { path: "^src/(server|worker|cli|testing)/" },
    },
    {
      name: "worker-not-server",
      severity: "error",
      from: { path: "^src/worker" },
      to: { path: "^src/(server|cli|testing)/" },
    },
    {
      name: "server-not-library",
      comment: "The embedded server shares src/protocol only; it never imports the client, worker or connection.",
      severity: "error",
      from: { path: "^src/server" },
      to: { path: "^src/(client|worker|connection|cli|testing)/" },
    },
    {
      name: "otel-is-a-leaf",
      comment: "src/otel (the faktory-ts/otel subpath) sits on the tracing channels; nothing imports it.",
      severity: "error",
      from: { pathNot: "^src/otel" },
      to: { path: "^src/otel/" },
    },
    {
      name: "otel-not-server",
      comment: "src/otel may use protocol, connection and client/worker types, never the server, CLI or testing kit.",
      severity: "error",
      from: { path: "^src/otel" },
      to: { path: "^src/(server|cli|testing)/" },
    },
    {
      name: "opentelemetry-only-in-otel",
      comment: "@opentelemetry/api is an optional peer dependency: only faktory-ts/otel may load it.",
      severity: "error",
      from: { pathNot: "^src/otel" },
      to: { path: "@opentelemetry" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|dist)" },
  },
};
