/**
 * `faktory-ts/otel`: OpenTelemetry tracing for faktory-ts. Needs the optional peer dependency
 * `@opentelemetry/api`; nothing else in faktory-ts loads it.
 * @module
 */
export {
  type FaktoryInstrumentation,
  type FaktoryInstrumentationOptions,
  INSTRUMENTATION_NAME,
  instrumentFaktory,
} from "./instrument.js";
export { customGetter, w3cTraceContextPropagator } from "./propagation.js";
