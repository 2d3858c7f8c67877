/**
 * The event pipeline's published surface: the ordered feed of market events (what each commit changed) and the
 * events' shapes. Anything not exported here is the area's own (lint refuses a deep import from outside
 * src/events/, see eslint.config.js).
 */
export {
  openMarketEventFeed,
  type MarketEventFeed,
  type MarketEventFeedOptions,
} from './market-event-feed.ts';
export type { LevelChange, MarketEvent, OrderEvent, TradeEvent } from './market-events.ts';
