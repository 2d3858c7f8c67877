/**
 * Nesting depth limits for JSON, checked without recursion, so a body nested 10,000 levels deep costs one linear
 * scan and a 400, never a stack overflow in whatever walks it next (the signing-string builder, a re-parse that
 * keeps numbers as sent, schema validation).
 *
 * Backpack's bodies are flat objects (a batch is an array of them: depth 2); MAX_BODY_DEPTH leaves room for
 * clients that send a nested value in a field, and is far below any stack limit.
 * Pure: no I/O, runs in Node and in browsers.
 */

export const MAX_BODY_DEPTH = 32;

/** True when the JSON text opens more than `max` arrays/objects inside each other (strings are skipped). */
export function jsonTextExceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** True when a parsed value nests arrays/objects more than `max` deep (an explicit stack, no recursion). */
export function exceedsNestingDepth(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    for (const child of Object.values(current as object)) {
      if (typeof child === 'object' && child !== null && !isLosslessLike(child))
        stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** lossless-json's numbers are objects with a string `value`: leaves, not containers. */
function isLosslessLike(value: object): boolean {
  return (value as { isLosslessNumber?: unknown }).isLosslessNumber === true;
}
