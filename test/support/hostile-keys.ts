/**
 * Names that are special as JavaScript object keys. Used as jid, queue, wid, job type and custom
 * key by the hostile-key tests and the fuzz generators (issue #10 §1). All are 8+ bytes, so they
 * are valid jids too, and all match the queue-name pattern.
 */
export const HOSTILE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"] as const;
