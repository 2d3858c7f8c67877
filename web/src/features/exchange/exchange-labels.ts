/** How exchange values read in the UI: sides, order types and statuses in the current language. */
import type { MessageKey } from '../../i18n/en.ts';
import type { Translate } from '../../i18n/i18n.tsx';

const LABELS: Partial<Record<string, MessageKey>> = {
  Bid: 'exchange.side.Bid',
  Ask: 'exchange.side.Ask',
  Limit: 'exchange.type.Limit',
  Market: 'exchange.type.Market',
  New: 'exchange.status.New',
  PartiallyFilled: 'exchange.status.PartiallyFilled',
  Filled: 'exchange.status.Filled',
  Cancelled: 'exchange.status.Cancelled',
  Expired: 'exchange.status.Expired',
  pending: 'exchange.status.pending',
  confirmed: 'exchange.status.confirmed',
};

/** The label of a side, type or status; an unknown value is shown as the server sent it. */
export function labelOf(value: string, t: Translate): string {
  const key = LABELS[value];
  return key ? t(key) : value;
}

/** `0x12ab…cdef`: enough of an address to recognise it; the full one is in the title and the copy button. */
export function shortenAddress(address: string): string {
  return address.length <= 16 ? address : `${address.slice(0, 8)}…${address.slice(-6)}`;
}
