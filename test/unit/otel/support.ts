/** An in-memory OpenTelemetry setup for the faktory-ts/otel tests. */
import { context } from "@opentelemetry/api";
import { afterEach, beforeEach } from "vitest";
import { instrumentFaktory } from "../../../src/otel/index.js";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** A tracer provider exporting to memory, with the AsyncLocalStorage context manager enabled. */
export interface MemoryTracing extends Disposable {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  /** The finished spans. */
  spans(): ReadableSpan[];
  /** The one finished span named `name` (throws unless exactly one). */
  span(name: string): ReadableSpan;
}

export function memoryTracing(): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return {
    provider,
    exporter,
    spans,
    span(name) {
      const found = spans().filter((s) => s.name === name);
      if (found.length !== 1)
        throw new Error(`${found.length} spans named ${name}: ${spans().map((s) => s.name)}`);
      return found[0] as ReadableSpan;
    },
    [Symbol.dispose]() {
      context.disable();
      exporter.reset();
    },
  };
}

/** The parent span id of `span` (undefined for a root). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** The tracing of the running test, as {@link instrumentEachTest} sets it up. */
export interface InstrumentedTracing {
  /** The provider spans are exported from. */
  readonly provider: BasicTracerProvider;
  /** The finished spans. */
  spans(): ReadableSpan[];
  /** The one finished span named `name`. */
  span(name: string): ReadableSpan;
  /** Forgets the finished spans. */
  reset(): void;
  /** Turns the instrumentation off (idempotent). */
  off(): void;
}

/**
 * Registers hooks giving each test of the enclosing suite a fresh in-memory tracing with
 * instrumentFaktory on, turned off and disposed after it.
 */
export function instrumentEachTest(): InstrumentedTracing {
  let tracing: MemoryTracing | undefined;
  let off: () => void = () => {};
  beforeEach(() => {
    tracing = memoryTracing();
    off = instrumentFaktory({ tracerProvider: tracing.provider });
  });
  afterEach(() => {
    off();
    tracing?.[Symbol.dispose]();
  });
  const current = (): MemoryTracing => {
    if (tracing === undefined) throw new Error("instrumentEachTest: used outside a test");
    return tracing;
  };
  return {
    get provider() {
      return current().provider;
    },
    spans: () => current().spans(),
    span: (name) => current().span(name),
    reset: () => current().exporter.reset(),
    off: () => off(),
  };
}
