/**
 * Real clients sign every request at a new Date.now(); a test clock stands still. Signing two identical mutating
 * requests at one timestamp makes one signature, which replay refusal rightly refuses the second time. So the
 * helpers sign at the test clock plus a counter (under a second, far inside any window): each request is new.
 */
let sequence = 0;

export function freshTimestamp(now: number): number {
  sequence = (sequence + 1) % 1000;
  return now + sequence;
}
