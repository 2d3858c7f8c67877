import { describe, expect, it } from 'vitest';

import {
  deriveDepositAddress,
  deriveTransactionHash,
  getChainFamily,
  isValidAddress,
  toDepositSource,
} from './blockchain-addresses.ts';

describe('isValidAddress()', () => {
  const valid: [string, string][] = [
    ['Solana', 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'],
    ['Solana', '11111111111111111111111111111111'],
    ['Ethereum', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
    ['Base', '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749'],
    ['Bitcoin', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
    ['Bitcoin', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
    ['Bitcoin', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
    ['Bitcoin', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297'],
    ['Tron', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'],
  ];
  it.each(valid)('accepts a real %s address %s', (chain, address) => {
    expect(isValidAddress(chain, address)).toBe(true);
  });

  const invalid: [string, string][] = [
    ['Solana', 'DestAddr111'], // what ccxt's docs use: too short for 32 bytes
    ['Solana', 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v1'], // 33 bytes
    ['Solana', '0OIl' + 'x'.repeat(40)], // not base58
    ['Solana', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
    ['Ethereum', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB4'],
    ['Ethereum', 'A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
    ['Bitcoin', '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb'], // checksum
    ['Bitcoin', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr'], // checksum
    ['Bitcoin', 'bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'], // mixed case
    ['Bitcoin', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'], // testnet
    ['Tron', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'],
    ['Cardano', 'addr1whatever'], // no format known to Signet
  ];
  it.each(invalid)('refuses %s address %s', (chain, address) => {
    expect(isValidAddress(chain, address)).toBe(false);
  });
});

describe('deriveDepositAddress()', () => {
  it.each(['Solana', 'Ethereum', 'Arbitrum', 'Base', 'Polygon', 'Bitcoin', 'Tron'])(
    'gives a stable, valid %s address per subaccount',
    (chain) => {
      const address = deriveDepositAddress('sub_A', chain);
      expect(deriveDepositAddress('sub_A', chain)).toBe(address);
      expect(deriveDepositAddress('sub_B', chain)).not.toBe(address);
      expect(isValidAddress(chain, address)).toBe(true);
    },
  );

  it('differs per chain of the same family', () => {
    expect(deriveDepositAddress('sub_A', 'Ethereum')).not.toBe(deriveDepositAddress('sub_A', 'Base'));
  });
});

describe('deriveTransactionHash()', () => {
  it('uses each chain’s usual format', () => {
    expect(deriveTransactionHash('deposit:1', 'Solana')).toMatch(/^[1-9A-HJ-NP-Za-km-z]{80,90}$/);
    expect(deriveTransactionHash('deposit:1', 'Ethereum')).toMatch(/^0x[0-9a-f]{64}$/);
    expect(deriveTransactionHash('deposit:1', 'Bitcoin')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('chain names', () => {
  it('maps Backpack spellings to families and deposit sources', () => {
    expect(getChainFamily('Polygon')).toBe('evm');
    expect(getChainFamily('solana')).toBeUndefined(); // Backpack's spelling only
    expect(getChainFamily('constructor')).toBeUndefined();
    expect(toDepositSource('Solana')).toBe('solana');
  });
});
