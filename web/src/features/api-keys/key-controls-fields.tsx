/**
 * The fields that set a key's controls, shared by the New API Key and Edit dialogs: the permissions (Read Only,
 * Allow withdrawals as a visible choice that starts unticked, and a checkbox per permission the operator declared
 * for their own API behind the gateway, also unticked), the IP allowlist (one entry per line, a confirmation
 * for 0.0.0.0/0 and ::/0, and for ranges that together allow every address, as the server asks, and a warning
 * for entries broader than the operator's prefixes) and the expiry (Never, 30, 90 or 365 days from now, or a date and time typed as
 * `2026-12-01 13:30` in the browser's time zone, which is named beside it, with the result shown in the console's
 * format). `validateKeyControls` checks all of them at once before anything is sent; the server validates
 * everything again.
 */
import { useId, type ReactNode } from 'react';

import { broadEntries, parseAllowlist } from '../../../../src/keys/ip-allowlist.ts';
import { isBuiltInPermission, type ApiKey } from '../../api/console-api.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { permissionLabel } from './key-badges.tsx';

const DAY_MS = 86_400_000;
export const EXPIRY_PRESETS = ['never', '30', '90', '365', 'custom'] as const;
export type ExpiryChoice = (typeof EXPIRY_PRESETS)[number] | 'keep';

export interface KeyControlsState {
  readOnly: boolean;
  withdraw: boolean;
  /** The operator's custom permissions ticked (gateway routes). */
  custom: string[];
  /** One entry per line. */
  allowedIps: string;
  allowAnyAddress: boolean;
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD HH:MM` in the browser's time zone, for `custom`. */
  expiresText: string;
  /** The key's current expiry, for `keep` (editing). */
  currentExpiry: number | null;
}

export function initialControls(key?: ApiKey): KeyControlsState {
  return {
    // Read Only is about the built-ins (no trade, no withdraw); the operator's own permissions stand beside it.
    readOnly: key ? !key.permissions.includes('trade') : false,
    withdraw: key ? key.permissions.includes('withdraw') : false,
    custom: key ? key.permissions.filter((p) => !isBuiltInPermission(p)) : [],
    allowedIps: key ? key.allowedIps.join('\n') : '',
    allowAnyAddress: key ? anyAddressEntry(key.allowedIps) !== undefined : false,
    expiry: key?.expiresAt ? 'keep' : 'never',
    expiresText: key?.expiresAt ? toLocalText(key.expiresAt) : '',
    currentExpiry: key?.expiresAt ?? null,
  };
}

/**
 * What needs the "any address" confirmation: a `/0` entry, or entries that together allow every address of a
 * family (the server's rule, src/keys/ip-allowlist.ts); undefined when nothing does or the list does not parse.
 */
function anyAddressEntry(entries: readonly string[]): string | undefined {
  try {
    parseAllowlist(entries);
    return undefined;
  } catch (error) {
    const detail = (error as { detail?: string; params?: { entry?: string } }).detail;
    if (detail !== 'ALLOWLIST_ANY_ADDRESS') return undefined;
    return (error as { params?: { entry?: string } }).params?.entry;
  }
}

/** `2026-12-01 13:30` in the browser's time zone. */
export function toLocalText(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `2026-12-01 13:30` (or with a T) in the browser's time zone to ms; undefined when it is not a real time. */
export function parseLocalText(text: string): number | undefined {
  const match = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi] = match.slice(1).map(Number) as [number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  if (
    date.getFullYear() !== y ||
    date.getMonth() !== mo - 1 ||
    date.getDate() !== d ||
    date.getHours() !== h
  ) {
    return undefined;
  }
  return date.getTime();
}

/**
 * The permissions to send: Read Only takes trade and withdraw away; the operator's own permissions are ticked
 * on their own (a key for a transfers API may need `transfers` and nothing of the exchange).
 */
export function permissionsOf(state: KeyControlsState): string[] {
  const builtIn = state.readOnly
    ? ['read']
    : state.withdraw
      ? ['read', 'trade', 'withdraw']
      : ['read', 'trade'];
  return [...builtIn, ...state.custom];
}

/** What the server calls read-only: read alone, no custom permission either. */
export function isReadOnlyChoice(state: KeyControlsState): boolean {
  return state.readOnly && state.custom.length === 0;
}

export function allowlistEntries(state: KeyControlsState): string[] {
  return state.allowedIps
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The expiry the state means, in ms (null = never; undefined = not a valid time). */
export function expiryOf(state: KeyControlsState, now: number): number | null | undefined {
  switch (state.expiry) {
    case 'never':
      return null;
    case 'keep':
      return state.currentExpiry;
    case 'custom':
      return parseLocalText(state.expiresText);
    default:
      return now + Number(state.expiry) * DAY_MS;
  }
}

/** The expiry to send: ISO-8601 in UTC, or null for never. */
export function expiryToSend(state: KeyControlsState, now: number): string | null {
  const at = expiryOf(state, now);
  return at === null || at === undefined ? null : new Date(at).toISOString();
}

export interface ControlErrors {
  allowedIps?: string;
  expiresAt?: string;
}

const LOOKS_LIKE_ADDRESS = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

/** Every problem the page can see before sending, at once. */
export function validateKeyControls(state: KeyControlsState, now: number, t: Translate): ControlErrors {
  const errors: ControlErrors = {};
  const entries = allowlistEntries(state);
  const bad = entries.find((entry) => !LOOKS_LIKE_ADDRESS.test(entry));
  if (bad !== undefined) errors.allowedIps = t('error.allowlistEntry', { entry: bad });
  else if (entries.length > 30)
    errors.allowedIps = t('error.allowlistTooLong', { max: 30, count: entries.length });
  else if (!state.allowAnyAddress) {
    const entry = anyAddressEntry(entries);
    if (entry !== undefined) errors.allowedIps = t('error.allowlistAnyAddress', { entry });
  }
  if (state.expiry === 'custom') {
    const at = parseLocalText(state.expiresText);
    if (at === undefined) errors.expiresAt = t('newKey.expiresFormat');
    else if (at <= now) errors.expiresAt = t('error.expiryPast');
  }
  return errors;
}

const PRESET_LABELS: Record<Exclude<ExpiryChoice, 'keep'>, MessageKey> = {
  never: 'newKey.expiresNever',
  '30': 'newKey.expires30',
  '90': 'newKey.expires90',
  '365': 'newKey.expires365',
  custom: 'newKey.expiresCustom',
};

/**
 * Read Only, Allow withdrawals and the operator's own permissions: the permission choices, shown in the main form.
 * `available` is what the operator declares; a permission the key holds that is no longer declared is still shown,
 * so it can be taken away.
 */
export function PermissionFields({
  state,
  onChange,
  available,
}: {
  state: KeyControlsState;
  onChange: (state: KeyControlsState) => void;
  available: readonly string[];
}): ReactNode {
  const { t } = useI18n();
  const { exchange } = useSession();
  const id = useId();
  const set = (patch: Partial<KeyControlsState>) => onChange({ ...state, ...patch });
  const custom = [...available, ...state.custom.filter((p) => !available.includes(p))];
  const toggle = (permission: string, on: boolean) =>
    set({ custom: on ? [...state.custom, permission].sort() : state.custom.filter((p) => p !== permission) });
  return (
    <fieldset className="field fieldset-plain permissions-fieldset">
      <legend>{t('newKey.permissions')}</legend>
      <p className="hint" id={`${id}-summary`}>
        {t('newKey.permissionsSummary', {
          list: permissionsOf(state)
            .map((p) => permissionLabel(t, p))
            .join(', '),
        })}
      </p>
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          name="readOnly"
          aria-describedby={`${id}-read-only-hint`}
          checked={state.readOnly}
          onChange={(event) => set({ readOnly: event.target.checked })}
        />
        <span className="switch-track" aria-hidden="true" />
        <span>{t('newKey.readOnly')}</span>
      </label>
      <p id={`${id}-read-only-hint`} className="hint switch-hint">
        {t(exchange ? 'newKey.readOnlyHint' : 'newKey.readOnlyHintGateway')}
      </p>
      <label className={state.readOnly ? 'switch switch-disabled' : 'switch'}>
        <input
          type="checkbox"
          role="switch"
          name="allowWithdrawals"
          aria-describedby={`${id}-withdraw-hint`}
          checked={state.withdraw && !state.readOnly}
          disabled={state.readOnly}
          onChange={(event) => set({ withdraw: event.target.checked })}
        />
        <span className="switch-track" aria-hidden="true" />
        <span>{t('newKey.allowWithdrawals')}</span>
      </label>
      <p id={`${id}-withdraw-hint`} className="hint switch-hint">
        {t(exchange ? 'newKey.allowWithdrawalsHint' : 'newKey.allowWithdrawalsHintGateway')}
      </p>
      {custom.length > 0 && (
        <div className="custom-permissions" role="group" aria-labelledby={`${id}-custom`}>
          <p className="custom-permissions-title" id={`${id}-custom`}>
            {t('newKey.customPermissions')}
          </p>
          {custom.map((permission) => (
            <label key={permission} className="switch">
              <input
                type="checkbox"
                role="switch"
                name={`permission-${permission}`}
                aria-describedby={`${id}-custom-hint`}
                checked={state.custom.includes(permission)}
                onChange={(event) => toggle(permission, event.target.checked)}
              />
              <span className="switch-track" aria-hidden="true" />
              <span className="mono">{permission}</span>
            </label>
          ))}
          <p id={`${id}-custom-hint`} className="hint switch-hint">
            {t('newKey.customPermissionsHint')}
          </p>
        </div>
      )}
    </fieldset>
  );
}

/** The IP allowlist and the expiry (under "Advanced" when creating). */
export function KeyControlsFields({
  state,
  onChange,
  errors,
  now,
  expiryRef,
  allowlistRef,
}: {
  state: KeyControlsState;
  onChange: (state: KeyControlsState) => void;
  errors: ControlErrors;
  now: number;
  expiryRef?: React.Ref<HTMLInputElement>;
  allowlistRef?: React.Ref<HTMLTextAreaElement>;
}): ReactNode {
  const { t, formatTime, timeZoneLabel } = useI18n();
  const id = useId();
  const set = (patch: Partial<KeyControlsState>) => onChange({ ...state, ...patch });
  const { broadAllowlistPrefixes } = useSession();
  const needsConfirmation = anyAddressEntry(allowlistEntries(state)) !== undefined;
  const broad = broadEntries(allowlistEntries(state), broadAllowlistPrefixes);
  const withdrawsAnywhere = state.withdraw && !state.readOnly && allowlistEntries(state).length === 0;
  const at = expiryOf(state, now);
  const choices: ExpiryChoice[] =
    state.currentExpiry === null ? [...EXPIRY_PRESETS] : ['keep', ...EXPIRY_PRESETS];

  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-ips`}>{t('newKey.allowedIps')}</label>
        <textarea
          id={`${id}-ips`}
          ref={allowlistRef}
          name="allowedIps"
          rows={3}
          spellCheck={false}
          className="mono"
          placeholder={'203.0.113.7\n2001:db8::/32'}
          aria-describedby={`${id}-ips-hint${errors.allowedIps ? ` ${id}-ips-error` : ''}`}
          aria-invalid={errors.allowedIps ? true : undefined}
          value={state.allowedIps}
          onChange={(event) => set({ allowedIps: event.target.value })}
        />
        <p id={`${id}-ips-hint`} className="hint">
          {t('newKey.allowedIpsHint')}
        </p>
        {withdrawsAnywhere && <p className="hint warning-text">{t('newKey.withdrawAnyAddress')}</p>}
        {broad.length > 0 && (
          <p className="hint warning-text" data-testid="broad-allowlist">
            {t('newKey.broadEntries', { entries: broad.join(', ') })}
          </p>
        )}
        {errors.allowedIps && (
          <p id={`${id}-ips-error`} className="field-error" role="alert">
            {errors.allowedIps}
          </p>
        )}
        {needsConfirmation && (
          <label className="checkbox">
            <input
              type="checkbox"
              name="allowAnyAddress"
              checked={state.allowAnyAddress}
              onChange={(event) => set({ allowAnyAddress: event.target.checked })}
            />
            {t('newKey.allowAnyAddress')}
          </label>
        )}
      </div>
      <fieldset className="field fieldset-plain">
        <legend>{t('newKey.expires')}</legend>
        <div className="segmented">
          {choices.map((choice) => (
            <label key={choice} className="segment">
              <input
                type="radio"
                name={`${id}-expiry`}
                value={choice}
                checked={state.expiry === choice}
                onChange={() =>
                  set({
                    expiry: choice,
                    ...(choice === 'custom' && state.expiresText === ''
                      ? { expiresText: toLocalText(now + 30 * DAY_MS) }
                      : {}),
                  })
                }
              />
              <span>{choice === 'keep' ? t('newKey.expiresKeep') : t(PRESET_LABELS[choice])}</span>
            </label>
          ))}
        </div>
        {state.expiry === 'custom' && (
          <div className="field">
            <label htmlFor={`${id}-expires-at`}>{t('newKey.expiresAt', { zone: timeZoneLabel })}</label>
            <input
              id={`${id}-expires-at`}
              ref={expiryRef}
              name="expiresAt"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              placeholder="2026-12-01 13:30"
              className="mono"
              aria-describedby={`${id}-expires-hint${errors.expiresAt ? ` ${id}-expires-error` : ''}`}
              aria-invalid={errors.expiresAt ? true : undefined}
              value={state.expiresText}
              onChange={(event) => set({ expiresText: event.target.value })}
            />
          </div>
        )}
        <p id={`${id}-expires-hint`} className="hint" data-testid="expiry-summary">
          {at === null
            ? t('newKey.expiresNeverHint')
            : at === undefined
              ? t('newKey.expiresFormat')
              : t('newKey.expiresOn', { time: formatTime(at), zone: timeZoneLabel })}
        </p>
        {errors.expiresAt && (
          <p id={`${id}-expires-error`} className="field-error" role="alert">
            {errors.expiresAt}
          </p>
        )}
      </fieldset>
    </>
  );
}
