/**
 * A subaccount's name as people read it: the main subaccount is called "Main" by the server (its stored name,
 * also Backpack's) and is shown in the console's language; names people chose are shown as they typed them.
 */
import type { Translate } from '../../i18n/i18n.tsx';

export function subaccountLabel(subaccount: { name: string; isMain: boolean }, t: Translate): string {
  return subaccount.isMain ? t('subs.mainName') : subaccount.name;
}

/** The same for a key, which carries only its subaccount's name: the main subaccount's name is "Main", unique. */
export function keySubaccountLabel(key: { subaccountName: string }, t: Translate): string {
  return key.subaccountName === MAIN_SUBACCOUNT_NAME ? t('subs.mainName') : key.subaccountName;
}

/** src/accounts/accounts-service.ts MAIN_SUBACCOUNT_NAME: no other subaccount of the user may take it. */
const MAIN_SUBACCOUNT_NAME = 'Main';
