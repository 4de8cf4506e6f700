/**
 * Decoding JSON into typed fields the way Go's `encoding/json` does for the reference server's
 * structs: `null` leaves a field at its zero value, unknown keys are dropped, key names match
 * case-insensitively (an exact match wins), and a value of the wrong type is an error worded
 * like Go's (`json: cannot unmarshal number into Go struct field Job.jobtype of type string`).
 * @module
 */

/** Field kinds of the reference structs. */
export type FieldKind = "string" | "int" | "array" | "object" | "strings";

/** A decoded value's JSON type name, as Go's errors word it. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value; // string | number | object
}

/** Thrown for a value of the wrong type; `message` is the text after `invalid JSON: `. */
export class GoTypeError extends Error {}

const GO_TYPE: Record<FieldKind, string> = {
  string: "string",
  int: "int",
  array: "[]interface {}",
  object: "map[string]interface {}",
  strings: "[]string",
};

/**
 * Checks one field value; returns it (or `undefined` for null) or throws {@link GoTypeError}.
 * `struct` and `field` name the Go struct field in the message, e.g. `Job` and `args`.
 */
export function checkField(kind: FieldKind, value: unknown, struct: string, field: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : typeFail(kind, struct, field, jsonTypeName(value));
    case "int":
      if (typeof value !== "number") return typeFail(kind, struct, field, jsonTypeName(value));
      return Number.isSafeInteger(value) ? value : typeFail(kind, struct, field, `number ${value}`);
    case "array":
      return Array.isArray(value) ? value : typeFail(kind, struct, field, jsonTypeName(value));
    case "object":
      return typeof value === "object" && !Array.isArray(value)
        ? value
        : typeFail(kind, struct, field, jsonTypeName(value));
    case "strings":
      if (!Array.isArray(value)) return typeFail(kind, struct, field, jsonTypeName(value));
      for (const item of value)
        if (typeof item !== "string" && item !== null) typeFail(kind, struct, field, jsonTypeName(item));
      return value.map((item) => item ?? "");
  }
}

function typeFail(kind: FieldKind, struct: string, field: string, detail: string): never {
  throw new GoTypeError(
    `json: cannot unmarshal ${detail} into Go struct field ${struct}.${field} of type ${GO_TYPE[kind]}`,
  );
}

/**
 * Maps an object's keys onto `fields` like Go does (exact name, else case-insensitive match;
 * later keys overwrite earlier ones) and returns the checked values by field name.
 */
export function decodeStruct(
  source: Record<string, unknown>,
  fields: Readonly<Record<string, FieldKind>>,
  structName: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    let name: string | undefined = Object.hasOwn(fields, key) ? key : undefined;
    if (name === undefined) {
      const lower = key.toLowerCase();
      for (const field of Object.keys(fields))
        if (field.toLowerCase() === lower) {
          name = field;
          break;
        }
    }
    if (name === undefined) continue;
    const kind = fields[name]!;
    out[name] = checkField(kind, source[key], structName, name);
  }
  return out;
}

/** Parses JSON text; throws {@link GoTypeError} with a clear message on a syntax error. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GoTypeError(text.trim() === "" ? "unexpected end of JSON input" : `malformed JSON (${detail})`);
  }
}
