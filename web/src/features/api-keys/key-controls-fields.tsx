/**
 * The fields that set a key's controls, shared by the New API Key and Edit dialogs: "Allow withdrawals", the IP
 * allowlist (one entry per line, with a confirmation for 0.0.0.0/0 and ::/0) and the expiry (a local date-time or
 * never). The server validates everything again; this only shapes what is sent.
 */
import { useId, type ReactNode } from 'react';

import type { ApiKey } from '../../api/console-api.ts';
import { useI18n } from '../../i18n/i18n.tsx';

export interface KeyControlsState {
  allowWithdrawals: boolean;
  /** One entry per line. */
  allowedIps: string;
  allowAnyAddress: boolean;
  neverExpires: boolean;
  /** `YYYY-MM-DDTHH:mm`, local time (what <input type="datetime-local"> holds). */
  expiresLocal: string;
}

export function initialControls(options: { key?: ApiKey; allowWithdrawals: boolean }): KeyControlsState {
  const key = options.key;
  return {
    allowWithdrawals: key ? key.permissions.includes('withdraw') : options.allowWithdrawals,
    allowedIps: key ? key.allowedIps.join('\n') : '',
    allowAnyAddress: key ? key.allowedIps.some(matchesAll) : false,
    neverExpires: key ? key.expiresAt === null : true,
    expiresLocal: key?.expiresAt ? toLocalInput(key.expiresAt) : toLocalInput(Date.now() + 30 * 86_400_000),
  };
}

function matchesAll(entry: string): boolean {
  return /^(0\.0\.0\.0|::)\/0$/.test(entry.trim());
}

function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function allowlistEntries(state: KeyControlsState): string[] {
  return state.allowedIps
    .split(/[\n,]+/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The expiry to send: ISO-8601 in UTC (the browser's local input converted), or null for never. */
export function expiryToSend(state: KeyControlsState): string | null {
  if (state.neverExpires || state.expiresLocal === '') return null;
  const ms = new Date(state.expiresLocal).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : state.expiresLocal;
}

export function KeyControlsFields({
  state,
  onChange,
  readOnly,
  errors,
}: {
  state: KeyControlsState;
  onChange: (state: KeyControlsState) => void;
  readOnly: boolean;
  errors: { allowedIps?: string; expiresAt?: string };
}): ReactNode {
  const { t } = useI18n();
  const id = useId();
  const set = (patch: Partial<KeyControlsState>) => onChange({ ...state, ...patch });
  const needsConfirmation = allowlistEntries(state).some(matchesAll);

  return (
    <>
      {!readOnly && (
        <div className="field">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              name="allowWithdrawals"
              aria-describedby={`${id}-withdraw-hint`}
              checked={state.allowWithdrawals}
              onChange={(event) => set({ allowWithdrawals: event.target.checked })}
            />
            <span className="switch-track" aria-hidden="true" />
            <span>{t('newKey.allowWithdrawals')}</span>
          </label>
          <p id={`${id}-withdraw-hint`} className="hint">
            {t('newKey.allowWithdrawalsHint')}
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-ips`}>{t('newKey.allowedIps')}</label>
        <textarea
          id={`${id}-ips`}
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
        <label className="checkbox">
          <input
            type="checkbox"
            name="neverExpires"
            checked={state.neverExpires}
            onChange={(event) => set({ neverExpires: event.target.checked })}
          />
          {t('newKey.expiresNever')}
        </label>
        {!state.neverExpires && (
          <input
            type="datetime-local"
            name="expiresAt"
            aria-label={t('newKey.expires')}
            aria-describedby={`${id}-expires-hint`}
            aria-invalid={errors.expiresAt ? true : undefined}
            value={state.expiresLocal}
            onChange={(event) => set({ expiresLocal: event.target.value })}
          />
        )}
        <p id={`${id}-expires-hint`} className="hint">
          {t('newKey.expiresHint')}
        </p>
        {errors.expiresAt && (
          <p className="field-error" role="alert">
            {errors.expiresAt}
          </p>
        )}
      </fieldset>
    </>
  );
}
