/**
 * Puts market events back in commit order per market before they reach subscribers. Events travel by different
 * paths (this node's own commits at once, other nodes' through the bus), so sequence n+1 can arrive before n.
 * Sequences of a market are contiguous (one event per committed sequence), so a hole means "wait": the early
 * event is held until the missing one arrives, or `gapWaitMs` passed (a node died between commit and publish),
 * then delivery moves on and reports the gap (depth streams then restart their U so clients resync from REST).
 * Duplicates and events older than what was delivered are dropped.
 */
import type { MarketEvent } from './market-events.ts';

interface MarketOrder {
  last: number | null;
  held: Map<number, MarketEvent>;
  timer: NodeJS.Timeout | null;
}

export class EventSequencer {
  private readonly markets = new Map<string, MarketOrder>();

  constructor(
    private readonly deliver: (event: MarketEvent, info: { afterGap: boolean }) => void,
    private readonly options: { gapWaitMs: number } = { gapWaitMs: 2000 },
  ) {}

  /** The sequence already reflected by REST when streaming starts (events at or below it are old). */
  setBaseline(symbol: string, sequence: number): void {
    const state = this.state(symbol);
    if (state.last === null || sequence > state.last) state.last = sequence;
  }

  push(event: MarketEvent): void {
    const state = this.state(event.symbol);
    if (state.last !== null && event.sequence <= state.last) return;
    if (state.last === null || event.sequence === state.last + 1) {
      this.emit(state, event, false);
      this.drain(state);
      return;
    }
    if (this.options.gapWaitMs <= 0) {
      // Nothing else will bring the missing events (one process, another process wrote the same SQLite file):
      // deliver now and report the gap.
      this.emit(state, event, true);
      return;
    }
    state.held.set(event.sequence, event);
    state.timer ??= setTimeout(() => this.skipGap(state), this.options.gapWaitMs);
  }

  close(): void {
    for (const state of this.markets.values()) if (state.timer) clearTimeout(state.timer);
  }

  private emit(state: MarketOrder, event: MarketEvent, afterGap: boolean): void {
    state.last = event.sequence;
    this.deliver(event, { afterGap });
  }

  private drain(state: MarketOrder): void {
    while (state.last !== null && state.held.has(state.last + 1)) {
      const next = state.held.get(state.last + 1) as MarketEvent;
      state.held.delete(next.sequence);
      this.emit(state, next, false);
    }
    if (state.held.size === 0 && state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  private skipGap(state: MarketOrder): void {
    state.timer = null;
    const lowest = Math.min(...state.held.keys());
    const event = state.held.get(lowest);
    if (event === undefined) return;
    state.held.delete(lowest);
    this.emit(state, event, true);
    this.drain(state);
    if (state.held.size > 0) state.timer = setTimeout(() => this.skipGap(state), this.options.gapWaitMs);
  }

  private state(symbol: string): MarketOrder {
    let state = this.markets.get(symbol);
    if (state === undefined) {
      state = { last: null, held: new Map(), timer: null };
      this.markets.set(symbol, state);
    }
    return state;
  }
}
