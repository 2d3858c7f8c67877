/** The ordered list of migrations, applied at start by `migrateToLatest()`. Names sort in application order. */
import type { Migration } from 'kysely';

import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-console.ts';
import * as m0003 from './0003-exchange.ts';
import * as m0004 from './0004-sqlite-row-layout.ts';
import * as m0005 from './0005-key-controls.ts';
import * as m0006 from './0006-withdrawal-addresses.ts';
import * as m0008 from './0008-key-epoch.ts';
import * as m0009 from './0009-account-settings.ts';
import * as m0010 from './0010-stream-outbox.ts';
import * as m0030 from './0030-key-rotation-link.ts';
import * as m0045 from './0045-two-factor-recovery.ts';
import * as m0060 from './0060-liquidity.ts';
import * as m0061 from './0061-sandbox-resets.ts';
import * as m0070 from './0070-custom-permissions.ts';
import * as m0071 from './0071-refusal-permission.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-console': m0002,
  '0003-exchange': m0003,
  '0004-sqlite-row-layout': m0004,
  '0005-key-controls': m0005,
  '0006-withdrawal-addresses': m0006,
  '0008-key-epoch': m0008,
  '0009-account-settings': m0009,
  '0010-stream-outbox': m0010,
  '0030-key-rotation-link': m0030,
  '0045-two-factor-recovery': m0045,
  '0060-liquidity': m0060,
  '0061-sandbox-resets': m0061,
  '0070-custom-permissions': m0070,
  '0071-refusal-permission': m0071,
};
