/**
 * `npm run bench`: one table, every figure measured in the same run (the machine is shared and noisy, so compare
 * ratios, not absolute numbers). The server runs in its own process; load comes from this one over 127.0.0.1.
 */
import { createCapitalRequests } from './capital-load.ts';
import { startServerProcess } from './lib/server-process.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { benchMatchingEngine } from './matching-engine.ts';
import { auditDatabase, createOrderRequests } from './order-load.ts';
import { benchKeyControls } from './key-controls.ts';
import { benchAbuseControls } from './abuse-controls.ts';
import { benchGateway } from './gateway.ts';
import { benchScaleOut } from './scale-out.ts';
import { benchVerify, benchVerifySodium } from './verify.ts';
import { benchStreams } from './streams.ts';
import { benchOrderDialects } from './order-dialects.ts';
import { benchLiquidity } from './liquidity.ts';
import { checkBenchRequirements, loadGeneratorHeader } from './lib/preflight.ts';

interface Row {
  name: string;
  value: string;
  note: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const percent = (ratio: number): string => (ratio * 100).toFixed(0);
/** Alternating capital/order rounds (BENCH_ROUNDS overrides). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function median<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

async function main(): Promise<void> {
  await checkBenchRequirements();
  const header = loadGeneratorHeader();
  console.log(header);
  const rows: Row[] = [];
  // The baseline rows run without the abuse controls (load tests must: `SIGNET_RATE_LIMITS=off`); what the
  // controls cost is measured separately below, as ratios against a server with them off.
  const server = await startServerProcess({ env: { SIGNET_RATE_LIMITS: 'off', SIGNET_REPLAY: 'off' } });
  try {
    const status = await runLoad(server.url, [{ path: '/api/v1/status' }]);
    rows.push({
      name: 'GET /api/v1/status (unauthenticated)',
      value: `${fmt(status.requestsPerSecond)} req/s`,
      note: `p50 ${status.p50Ms} ms, p99 ${status.p99Ms} ms`,
    });

    // Signed GET /api/v1/capital and signed POST /api/v1/order (crossing Bid/Ask pairs, so about half the orders
    // rest and half fill), measured in alternating rounds: the ratio of each round compares two runs a few
    // seconds apart, and the median of the rounds is what the table reports (this machine is shared and noisy).
    // Requests are signed for each run: a signature is valid for at most 60 s (X-Window).
    const rounds: { signed: LoadResult; orders: LoadResult }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const warmupSeconds = round === 0 ? undefined : 1;
      const capitalRequests = await createCapitalRequests(server.databaseUrl, 20);
      const signedRound = await runLoad(server.url, capitalRequests, { warmupSeconds });
      if (signedRound.non2xx > 0) throw new Error(`signed run had ${signedRound.non2xx} non-2xx answers`);
      const orderRequests = await createOrderRequests(server.databaseUrl, 10);
      const ordersRound = await runLoad(server.url, orderRequests, { warmupSeconds });
      if (ordersRound.non2xx > 0) throw new Error(`order run had ${ordersRound.non2xx} non-2xx answers`);
      rounds.push({ signed: signedRound, orders: ordersRound });
    }
    const ratios = rounds.map((r) => r.orders.requestsPerSecond / r.signed.requestsPerSecond);
    const signed = median(
      rounds.map((r) => r.signed),
      (r) => r.requestsPerSecond,
    );
    const orders = median(
      rounds.map((r) => r.orders),
      (r) => r.requestsPerSecond,
    );
    const each = (values: number[], format: (n: number) => string) => values.map(format).join(', ');
    rows.push({
      name: 'GET /api/v1/capital (signed)',
      value: `${fmt(signed.requestsPerSecond)} req/s`,
      note: `p50 ${signed.p50Ms} ms, p99 ${signed.p99Ms} ms; median of ${each(
        rounds.map((r) => r.signed.requestsPerSecond),
        fmt,
      )}`,
    });
    rows.push({
      name: 'POST /api/v1/order (signed, crossing pairs)',
      value: `${fmt(orders.requestsPerSecond)} req/s`,
      note: `p50 ${orders.p50Ms} ms, p99 ${orders.p99Ms} ms; median of ${each(
        rounds.map((r) => r.orders.requestsPerSecond),
        fmt,
      )}`,
    });
    rows.push({
      name: 'order / capital (signed)',
      value: `${percent(median(ratios, (r) => r))} %`,
      note: `target >= 60 %; median of the rounds' ${each(ratios, (r) => `${percent(r)} %`)}`,
    });

    // Key controls: the same signed read with a key that has a 30-entry allowlist (matched by its last entry) and
    // an expiry, against plain keys, in alternating rounds; the median of the per-round ratios is reported.
    const controlRounds: { plain: LoadResult; controlled: LoadResult }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const plain = await runLoad(server.url, await createCapitalRequests(server.databaseUrl, 20), {
        warmupSeconds: 1,
      });
      const controlled = await runLoad(
        server.url,
        await createCapitalRequests(server.databaseUrl, 20, { controls: true }),
        { warmupSeconds: 1 },
      );
      if (plain.non2xx > 0 || controlled.non2xx > 0) throw new Error('key-controls run had non-2xx answers');
      controlRounds.push({ plain, controlled });
    }
    const controlRatios = controlRounds.map(
      (r) => r.controlled.requestsPerSecond / r.plain.requestsPerSecond,
    );
    const controlled = median(
      controlRounds.map((r) => r.controlled),
      (r) => r.requestsPerSecond,
    );
    rows.push({
      name: 'GET /api/v1/capital (signed, 30-entry allowlist + expiry)',
      value: `${fmt(controlled.requestsPerSecond)} req/s`,
      note: `p50 ${controlled.p50Ms} ms, p99 ${controlled.p99Ms} ms; median of ${each(
        controlRounds.map((r) => r.controlled.requestsPerSecond),
        fmt,
      )}`,
    });
    rows.push({
      name: 'allowlist+expiry / plain signed read',
      value: `${percent(median(controlRatios, (r) => r))} %`,
      note: `target >= 95 %; median of the rounds' ${each(controlRatios, (r) => `${percent(r)} %`)} (plain ${each(
        controlRounds.map((r) => r.plain.requestsPerSecond),
        fmt,
      )} req/s)`,
    });

    // The same, with orders that rest on both sides and never fill: what placing alone costs.
    const resting = await runLoad(
      server.url,
      await createOrderRequests(server.databaseUrl, 10, { crossing: false }),
    );
    if (resting.non2xx > 0) throw new Error(`resting order run had ${resting.non2xx} non-2xx answers`);
    rows.push({
      name: 'POST /api/v1/order (signed, resting, no fills)',
      value: `${fmt(resting.requestsPerSecond)} req/s`,
      note: `p50 ${resting.p50Ms} ms, p99 ${resting.p99Ms} ms; ${((resting.requestsPerSecond / signed.requestsPerSecond) * 100).toFixed(0)} % of capital`,
    });
    // Streams: the order rate with 100 subscribers of the traded market vs without, what they receive, and
    // the latency from an order's HTTP response to its orderUpdate frame.
    const streams = await benchStreams(server, Math.max(1, Math.min(ROUNDS, 2)));
    const streamRatio = median(streams.ratios, (r) => r);
    rows.push({
      name: `POST /api/v1/order with ${process.env.BENCH_SUBSCRIBERS ?? 100} stream subscribers`,
      value: `${fmt(median(streams.with, (r) => r.requestsPerSecond).requestsPerSecond)} req/s`,
      note: `${percent(streamRatio)} % of without (${each(streams.ratios, (r) => `${percent(r)} %`)}); target >= 85 %`,
    });
    rows.push({
      name: 'stream frames delivered while orders stream in',
      value: `${fmt(streams.framesPerSecond)} /s`,
      note: 'depth + trade + bookTicker of SOL_USDC, summed over the subscribers',
    });
    rows.push({
      name: 'order HTTP response -> orderUpdate frame',
      value: `p99 ${streams.latency.p99.toFixed(1)} ms`,
      note: `p50 ${streams.latency.p50.toFixed(1)} ms over ${streams.latency.samples} sequential orders; target p99 < 50 ms`,
    });

    // The built-in market makers: the same signed reads and crossing orders with them running vs without (fresh
    // servers, alternating), and their own CPU on an idle server.
    const liquidity = await benchLiquidity(Math.max(1, Math.min(ROUNDS, 3)));
    rows.push({
      name: 'signed reads with market makers / without',
      value: `${percent(median(liquidity.signedRatios, (r) => r))} %`,
      note: `target >= 90 %; rounds ${each(liquidity.signedRatios, (r) => `${percent(r)} %`)}`,
    });
    rows.push({
      name: 'crossing orders with market makers / without',
      value: `${percent(median(liquidity.orderRatios, (r) => r))} %`,
      note: `target >= 90 %; rounds ${each(liquidity.orderRatios, (r) => `${percent(r)} %`)}`,
    });
    rows.push({
      name: "market makers' own CPU (5 markets, 1 s steps)",
      value: `${median(liquidity.makerCpu, (r) => r).toFixed(1)} % of a core`,
      note: `idle server with makers minus without; rounds ${each(liquidity.makerCpu, (r) => r.toFixed(1))}`,
    });

    const audit = await auditDatabase(server.databaseUrl);
    rows.push({
      name: 'ledger invariants after the order run',
      value: audit.ok ? 'ok' : 'BROKEN',
      note: `${fmt(audit.trades)} trades${audit.ok ? '' : `: ${audit.problems.slice(0, 3).join('; ')}`}`,
    });

    const engine = await benchMatchingEngine();
    rows.push({
      name: 'matching engine, in process (SOL_USDC)',
      value: `${fmt(engine.ordersPerSecond)} orders/s`,
      note: `p50 ${engine.p50Micros} us, p99 ${engine.p99Micros} us; target >= 100,000/s`,
    });

    const { verifiesPerSecond } = benchVerify();
    rows.push({
      name: 'ed25519 verify, one core',
      value: `${fmt(verifiesPerSecond)} /s`,
      note: 'node:crypto, cached KeyObject',
    });

    const { usageNoteNs, allowlistMatchNs } = benchKeyControls();
    const signedRequestNs = 1e9 / signed.requestsPerSecond;
    rows.push({
      name: 'usage counter per request, in process',
      value: `${usageNoteNs.toFixed(0)} ns`,
      note: `${((usageNoteNs / signedRequestNs) * 100).toFixed(3)} % of one signed read at the rate above; no write per request`,
    });
    rows.push({
      name: '30-entry allowlist match, in process',
      value: `${allowlistMatchNs.toFixed(0)} ns`,
      note: `${((allowlistMatchNs / signedRequestNs) * 100).toFixed(3)} % of one signed read at the rate above`,
    });
    const sodium = benchVerifySodium();
    rows.push({
      name: 'ed25519 verify, one core (sodium-native)',
      value: sodium === undefined ? 'not loaded' : `${fmt(sodium.verifiesPerSecond)} /s`,
      note:
        sodium === undefined
          ? 'sodium-native did not load: the server falls back to node:crypto'
          : `${(sodium.verifiesPerSecond / verifiesPerSecond).toFixed(2)}x node:crypto; the default (SIGNET_ED25519=node for node:crypto)`,
    });

    const expected = 1 / (1 / status.requestsPerSecond + 1 / verifiesPerSecond);
    rows.push({
      name: 'signed / (1/(1/status + 1/verify))',
      value: `${((signed.requestsPerSecond / expected) * 100).toFixed(0)} %`,
      note: `target >= 80 % (expected ${fmt(expected)} req/s)`,
    });
  } finally {
    await server.stop();
  }
  if (process.env.BENCH_CONTROLS !== 'off') rows.push(...(await benchAbuseControls(ROUNDS)));

  // The gateway: a signed GET forwarded to a trivial upstream vs the upstream direct and Signet's own signed read,
  // CPU per request of Signet and the upstream apart (BENCH_GATEWAY=off skips; bench/gateway.ts runs it alone).
  if (process.env.BENCH_GATEWAY !== 'off') rows.push(...(await benchGateway(ROUNDS)));

  // Orders on each dialect: PostgreSQL / SQLite crossing orders, SQLite order / capital, server CPU per order on
  // each (BENCH_DIALECTS=off skips; bench/order-dialects.ts runs it alone).
  if (process.env.BENCH_DIALECTS !== 'off') rows.push(...(await benchOrderDialects(ROUNDS)));

  // PostgreSQL, workers, the ceiling server, the verify library and revocation delay (BENCH_SCALE_OUT=off skips).
  if (process.env.BENCH_SCALE_OUT !== 'off') rows.push(...(await benchScaleOut()));

  const width = Math.max(...rows.map((r) => r.name.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  console.log(`\n${header}`);
  console.log(`${'benchmark'.padEnd(width)}  ${'result'.padStart(valueWidth)}  note`);
  console.log(`${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}  ${'-'.repeat(30)}`);
  for (const row of rows)
    console.log(`${row.name.padEnd(width)}  ${row.value.padStart(valueWidth)}  ${row.note}`);
}

await main();
