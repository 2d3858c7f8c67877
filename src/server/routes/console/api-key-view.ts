/** What the console shows of an API key: the record minus the owner id, plus its subaccount's name. */
import type { ApiKey } from '../../../keys/index.ts';

export type ApiKeyView = Omit<ApiKey, 'userId'> & { subaccountName: string };

export function toApiKeyView(key: ApiKey, subaccountName: string): ApiKeyView {
  const { userId: _userId, ...view } = key;
  return { ...view, subaccountName };
}
