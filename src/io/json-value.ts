/** Shapes of parsed JSON/YAML from untrusted input, checked before any field is read. */

/** A JSON object (not null, not a list). */
export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
