/** Response schemas of the capital routes: Backpack's `Deposit` and `Withdrawal` objects, and time-range paging. */

const nullableString = { type: ['string', 'null'] } as const;

export const depositSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    toAddress: nullableString,
    fromAddress: nullableString,
    source: { type: 'string', description: 'Lower-camel chain name, e.g. solana' },
    status: { type: 'string' },
    transactionHash: nullableString,
    symbol: { type: 'string' },
    quantity: { type: 'string' },
    createdAt: { type: 'string', description: 'Naive UTC date-time' },
    fiatAmount: nullableString,
    fiatCurrency: nullableString,
    institutionBic: nullableString,
    platformMemo: nullableString,
  },
} as const;

export const withdrawalSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    blockchain: { type: 'string' },
    clientId: nullableString,
    identifier: nullableString,
    quantity: { type: 'string' },
    fee: { type: 'string' },
    fiatFee: nullableString,
    fiatState: nullableString,
    fiatSymbol: nullableString,
    providerId: nullableString,
    symbol: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'confirmed'] },
    subaccountId: { type: ['integer', 'null'] },
    toAddress: { type: 'string' },
    transactionHash: nullableString,
    createdAt: { type: 'string', description: 'Naive UTC date-time' },
    isInternal: { type: 'boolean' },
    bankName: nullableString,
    bankIdentifier: nullableString,
    accountIdentifier: nullableString,
    triggerAt: nullableString,
  },
} as const;

export const timeRangeProperties = {
  from: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Inclusive, Unix ms' },
  to: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Inclusive, Unix ms' },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;
