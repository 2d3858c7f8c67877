import { describe, expect, it } from 'vitest';

import { EventSequencer } from './event-sequencer.ts';
import type { MarketEvent } from './market-events.ts';

const event = (sequence: number, symbol = 'SOL_USDC'): MarketEvent => ({
  node: 'n',
  symbol,
  sequence,
  time: 0,
  bids: [],
  asks: [],
  bestBid: null,
  bestAsk: null,
  trades: [],
  orders: [],
});

function collect(gapWaitMs: number): { sequencer: EventSequencer; seen: [number, boolean][] } {
  const seen: [number, boolean][] = [];
  const sequencer = new EventSequencer((e, info) => seen.push([e.sequence, info.afterGap]), { gapWaitMs });
  return { sequencer, seen };
}

describe('EventSequencer', () => {
  it('delivers in sequence order per market, holding an event that overtook its predecessor', () => {
    const { sequencer, seen } = collect(1000);
    sequencer.setBaseline('SOL_USDC', 4);
    sequencer.push(event(6));
    expect(seen).toEqual([]);
    sequencer.push(event(5));
    sequencer.push(event(5)); // duplicate
    sequencer.push(event(4)); // already reflected by the baseline
    sequencer.push(event(1, 'BTC_USDC')); // another market is independent
    expect(seen).toEqual([
      [5, false],
      [6, false],
      [1, false],
    ]);
    sequencer.close();
  });

  it('moves on after gapWaitMs and reports the gap', async () => {
    const { sequencer, seen } = collect(50);
    sequencer.setBaseline('SOL_USDC', 1);
    sequencer.push(event(3));
    sequencer.push(event(4));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(seen).toEqual([
      [3, true],
      [4, false],
    ]);
    sequencer.push(event(2)); // too late: dropped
    expect(seen).toHaveLength(2);
    sequencer.close();
  });

  it('does not wait when nothing else can bring the missing events', () => {
    const { sequencer, seen } = collect(0);
    sequencer.setBaseline('SOL_USDC', 1);
    sequencer.push(event(5));
    sequencer.push(event(6));
    expect(seen).toEqual([
      [5, true],
      [6, false],
    ]);
  });
});
