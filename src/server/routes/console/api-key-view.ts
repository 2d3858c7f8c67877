/**
 * What the console shows of an API key: the record minus the owner id, plus its subaccount's name, its state at
 * the server's clock (`status`, keys.ts `keyStatus`) and both ends of a rotation: `replacedBy` on the old key,
 * `replaces` on the new one, so the list can say which replaced which and when the old one stops.
 */
import { keyStatus, type ApiKey, type KeyStatus } from '../../../keys/index.ts';

export type ApiKeyView = Omit<ApiKey, 'userId'> & {
  subaccountName: string;
  status: KeyStatus;
  /** The id of the key this one replaced by rotation, when it did. */
  replaces: string | null;
};

export function toApiKeyView(
  key: ApiKey,
  subaccountName: string,
  options: { now: number; replaces?: string | null },
): ApiKeyView {
  const { userId: _userId, ...view } = key;
  return { ...view, subaccountName, status: keyStatus(key, options.now), replaces: options.replaces ?? null };
}

/** Views of a user's whole key list: each new key learns which old key it replaced from the old key's link. */
export function toApiKeyViews(
  keys: readonly ApiKey[],
  subaccountNames: ReadonlyMap<string, string>,
  now: number,
): ApiKeyView[] {
  const replaces = new Map<string, string>();
  for (const key of keys) if (key.replacedBy) replaces.set(key.replacedBy, key.id);
  return keys.map((key) =>
    toApiKeyView(key, subaccountNames.get(key.subaccountId) ?? '', { now, replaces: replaces.get(key.id) }),
  );
}
