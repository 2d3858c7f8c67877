/**
 * Strict readers for hand-written JSON configuration. Every failure throws a ConfigError naming the exact
 * field (`markets[2].tickSize`), so a typo in config/markets.json stops start-up with a useful message.
 *
 * Invariant: objects may contain only the keys a reader asked for (see assertOnlyKeys); a misspelt optional
 * key is an error, not a silently applied default.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function readObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${path} must be an object`);
  }
  return value as JsonObject;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(`${path} must be an array`);
  return value;
}

export function readString(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(`${path}.${key} must be a non-empty string`);
  return value;
}

export function readNullableString(object: JsonObject, key: string, path: string): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  return readString(object, key, path);
}

export function readBoolean(object: JsonObject, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw new ConfigError(`${path}.${key} must be true or false`);
  return value;
}

export function readInteger(
  object: JsonObject,
  key: string,
  path: string,
  range: { min: number; max: number },
): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(`${path}.${key} must be an integer between ${range.min} and ${range.max}`);
  }
  return value;
}

export function readNullableInteger(
  object: JsonObject,
  key: string,
  path: string,
  range: { min: number; max: number },
): number | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  return readInteger(object, key, path, range);
}

export function assertOnlyKeys(object: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new ConfigError(`${path}.${key} is not a known field`);
  }
}
