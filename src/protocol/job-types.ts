/**
 * Typed job types, shared by the client (push) and the worker (handlers).
 *
 * A job-type registry is a plain type mapping each job type to its argument tuple:
 *
 * ```ts
 * type Jobs = {
 *   SendEmail: [to: string, subject: string];
 *   Resize: [url: string, width: number];
 * };
 * const client = await Client.connect<Jobs>();
 * await client.push("SendEmail", ["a@example.com", "Hello"]); // checked by the compiler
 * ```
 *
 * Or declare runtime schemas (any Standard Schema library: zod, valibot, arktype) and let the
 * registry be inferred; args are then checked at push time and again before a handler runs:
 *
 * ```ts
 * const jobs = defineJobs({ SendEmail: z.tuple([z.string().email(), z.string()]) });
 * const client = await Client.connect({ jobs });
 * ```
 * @module
 */
import { ValidationError } from "./errors.js";

/** A map from job type to its argument tuple. */
export type JobRegistry = { [jobtype: string]: readonly unknown[] };

/** The registry used when none is declared: any job type, any arguments. */
export type UntypedJobs = { [jobtype: string]: unknown[] };

/** The job types of a registry, as strings. */
export type JobTypeOf<R extends JobRegistry> = Extract<keyof R, string>;

/**
 * The Standard Schema interface (https://standardschema.dev), version 1: what zod, valibot,
 * arktype and others implement. Declared here so the library has no runtime dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaV1.Result<Output> | Promise<StandardSchemaV1.Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** Types belonging to {@link StandardSchemaV1}. */
export declare namespace StandardSchemaV1 {
  /** The result of a validation. */
  type Result<Output> =
    | { readonly value: Output; readonly issues?: undefined }
    | { readonly issues: readonly Issue[] };
  /** One problem found by a schema. */
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
  }
  /** The type a schema accepts. */
  type InferInput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["input"];
  /** The type a schema produces. */
  type InferOutput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["output"];
}

/** A map from job type to the schema of its argument tuple. */
export type JobSchemas = { readonly [jobtype: string]: StandardSchemaV1<unknown, readonly unknown[]> };

/** The registry inferred from a map of schemas (the schemas' output types). */
export type JobsFromSchemas<S extends JobSchemas> = {
  [K in keyof S]: StandardSchemaV1.InferOutput<S[K]> extends readonly unknown[]
    ? StandardSchemaV1.InferOutput<S[K]>
    : never;
};

/**
 * Declares job types by their argument schemas. Returns the same object, typed, to pass as
 * the `jobs` option of the client and the worker.
 */
export function defineJobs<S extends JobSchemas>(schemas: S): S {
  return schemas;
}

/**
 * The schema declared for `jobtype`, if any. Only the map's own keys count, so a job type such
 * as `constructor` or `__proto__` never picks up something inherited from `Object.prototype`.
 */
export function schemaFor(
  schemas: JobSchemas | undefined,
  jobtype: string,
): StandardSchemaV1<unknown, readonly unknown[]> | undefined {
  if (schemas === undefined || !Object.hasOwn(schemas, jobtype)) return undefined;
  return schemas[jobtype];
}

/**
 * Validates `args` of a job of type `jobtype` against its schema, if there is one, and returns
 * the (possibly transformed) value. Throws a {@link ValidationError} listing the issues.
 */
export async function validateArgs(
  schemas: JobSchemas | undefined,
  jobtype: string,
  args: readonly unknown[],
): Promise<readonly unknown[]> {
  const schema = schemaFor(schemas, jobtype);
  if (schema === undefined) return args;
  let result = schema["~standard"].validate(args);
  if (result instanceof Promise) result = await result;
  if (result.issues !== undefined) {
    const text = result.issues
      .map((issue) => {
        const path = (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
        return path === "" ? issue.message : `${path}: ${issue.message}`;
      })
      .join("; ");
    throw new ValidationError(`invalid args for job type ${jobtype}: ${text}`, "args");
  }
  return result.value;
}
