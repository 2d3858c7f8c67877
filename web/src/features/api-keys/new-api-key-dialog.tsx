/**
 * The New API Key dialog. With Public Key left empty (what most people do, and what the hint recommends) the key
 * pair is generated here, in the browser (WebCrypto Ed25519, pure-JS fallback: src/client/signer.ts), and only the
 * public key is sent; the secret goes straight to the "created" dialog and nowhere else.
 *
 * The main form holds what decides what a key can do: name, subaccount, public key, and the permissions (Read
 * Only; Allow withdrawals, visible and unticked: a console key is read + trade unless the person asks for more).
 * The IP allowlist and the expiry wait under "Advanced". A subaccount can be added without leaving the dialog.
 *
 * Errors: everything the page can check is checked at once and shown on its field; a server error lands on the
 * field its detail names (error-message.ts `errorField`), never chosen by its English text. After a failure the
 * focus goes to the first field in error (or the alert), so it never falls to the page. Closing a filled form
 * asks first (dialog.tsx `dirty`).
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { generateKeyPair } from '../../../../src/client/signer.ts';
import { ApiError, consoleApi } from '../../api/console-api.ts';
import { describeError, errorField, type ErrorField } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { useResource } from '../../use-resource.ts';
import { subaccountLabel } from '../exchange/subaccount-label.ts';
import type { CreatedKey } from './created-key-dialog.tsx';
import {
  allowlistEntries,
  expiryToSend,
  initialControls,
  KeyControlsFields,
  PermissionFields,
  isReadOnlyChoice,
  permissionsOf,
  validateKeyControls,
} from './key-controls-fields.tsx';

type Errors = Partial<Record<ErrorField, string>>;

/** 64 hex digits: a raw public key someone copied as hex (a common mistake); Signet wants base64. */
export function looksLikeHex(value: string): boolean {
  return /^(0x)?[0-9a-fA-F]{64}$/.test(value.trim());
}

/** The order fields are checked and focused in: top to bottom. */
const FIELD_ORDER: ErrorField[] = [
  'form',
  'name',
  'subaccount',
  'publicKey',
  'permissions',
  'allowedIps',
  'expiresAt',
  'totpCode',
];

export function NewApiKeyDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: CreatedKey) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user, requireTwoFactorForKeys, customPermissions } = useSession();
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [controls, setControls] = useState(() => initialControls());
  const [addingSubaccount, setAddingSubaccount] = useState(false);
  const [newSubaccountName, setNewSubaccountName] = useState('');
  const [name, setName] = useState('');
  const [subaccountId, setSubaccountId] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState<'generating' | 'creating'>();
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    form: useRef<HTMLDivElement>(null),
    name: useRef<HTMLInputElement>(null),
    subaccount: useRef<HTMLSelectElement>(null),
    publicKey: useRef<HTMLInputElement>(null),
    allowedIps: useRef<HTMLTextAreaElement>(null),
    expiresAt: useRef<HTMLInputElement>(null),
    totpCode: useRef<HTMLInputElement>(null),
  };

  const blocked = requireTwoFactorForKeys && !user.twoFactorEnabled;
  const mainId = subaccounts.data?.find((s) => s.isMain)?.id ?? '';
  const dirty =
    name.trim() !== '' ||
    publicKey.trim() !== '' ||
    controls.withdraw ||
    controls.readOnly ||
    controls.custom.length > 0 ||
    controls.allowedIps.trim() !== '' ||
    controls.expiry !== 'never';

  /** Shows the errors and puts the focus on the first of them (opening "Advanced" when it is in there). */
  const fail = (found: Errors): void => {
    setErrors(found);
    const first = FIELD_ORDER.find((field) => found[field] !== undefined);
    if (first === 'allowedIps' || first === 'expiresAt') setAdvancedOpen(true);
    window.setTimeout(() => {
      const target = first && first in refs ? refs[first as keyof typeof refs].current : null;
      (target ?? refs.form.current)?.focus();
    }, 0);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy || blocked) return;
    const now = Date.now();
    const found: Errors = { ...validateKeyControls(controls, now, t) };
    if (name.trim() === '') found.name = t('newKey.nameRequired');
    if (looksLikeHex(publicKey)) found.publicKey = t('newKey.publicKeyHex');
    if (user.twoFactorEnabled && !/^\d{6}$/.test(totpCode)) found.totpCode = t('newKey.totpRequired');
    if (Object.keys(found).length > 0) return fail(found);
    setErrors({});
    try {
      let pair: { apiKey: string; secret?: string };
      const supplied = publicKey.trim();
      if (supplied === '') {
        setBusy('generating');
        pair = await generateKeyPair();
      } else {
        pair = { apiKey: supplied };
      }
      setBusy('creating');
      const entries = allowlistEntries(controls);
      const key = await consoleApi.createKey({
        name: name.trim(),
        subaccountId: subaccountId || mainId,
        readOnly: isReadOnlyChoice(controls),
        permissions: permissionsOf(controls),
        ...(entries.length > 0 ? { allowedIps: entries, allowAnyAddress: controls.allowAnyAddress } : {}),
        expiresAt: expiryToSend(controls, now),
        publicKey: pair.apiKey,
        publicKeySource: pair.secret === undefined ? 'user' : 'browser',
        ...(user.twoFactorEnabled ? { totpCode } : {}),
      });
      onCreated({ key, secret: pair.secret });
    } catch (caught) {
      const error =
        caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', (caught as Error).message);
      setBusy(undefined);
      const field = errorField(error);
      fail({ [field === 'password' ? 'form' : field]: describeError(error, language, t) });
    }
  };

  const addSubaccount = async (): Promise<void> => {
    try {
      const created = await consoleApi.createSubaccount(newSubaccountName.trim());
      subaccounts.reload();
      setSubaccountId(created.id);
      setAddingSubaccount(false);
      setNewSubaccountName('');
      setErrors({});
      window.setTimeout(() => refs.subaccount.current?.focus(), 0);
    } catch (caught) {
      setErrors({ subaccount: describeError(caught, language, t) });
    }
  };

  return (
    <Dialog
      title={t('newKey.title')}
      onClose={busy ? undefined : onClose}
      dirty={dirty}
      initialFocus={refs.name}
      footer={(close) => (
        <>
          <button
            type="button"
            className="button button-secondary"
            onClick={close}
            disabled={busy !== undefined}
          >
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            form="new-api-key-form"
            className="button button-primary"
            aria-disabled={busy !== undefined || blocked ? true : undefined}
          >
            {busy === 'generating'
              ? t('newKey.generating')
              : busy === 'creating'
                ? t('newKey.creating')
                : t('newKey.create')}
          </button>
        </>
      )}
    >
      <form id="new-api-key-form" className="form" onSubmit={submit} noValidate>
        {blocked && (
          <div className="alert alert-warning" role="alert">
            <span>{t('newKey.twoFactorRequired')}</span>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                onClose();
                navigate('/settings/security');
              }}
            >
              {t('newKey.enableTwoFactor')}
            </button>
          </div>
        )}
        <div ref={refs.form} tabIndex={-1} className="form-error-anchor">
          <FormError message={errors.form ?? errors.permissions} />
        </div>
        <Field
          label={t('newKey.name')}
          name="name"
          required
          maxLength={64}
          autoComplete="off"
          placeholder={t('newKey.namePlaceholder')}
          inputRef={refs.name}
          value={name}
          error={errors.name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="field">
          <label htmlFor="new-key-subaccount">{t('newKey.subaccount')}</label>
          <select
            id="new-key-subaccount"
            ref={refs.subaccount}
            name="subaccountId"
            value={subaccountId || mainId}
            disabled={!subaccounts.data}
            aria-invalid={errors.subaccount ? true : undefined}
            onChange={(event) => setSubaccountId(event.target.value)}
          >
            {(subaccounts.data ?? []).map((subaccount) => (
              <option key={subaccount.id} value={subaccount.id}>
                {subaccountLabel(subaccount, t)}
              </option>
            ))}
          </select>
          {subaccounts.error && <p className="field-error">{subaccounts.error}</p>}
          {addingSubaccount ? (
            <div className="inline-form">
              <input
                aria-label={t('newKey.newSubaccountName')}
                placeholder={t('newKey.newSubaccountName')}
                name="newSubaccountName"
                maxLength={64}
                autoFocus
                value={newSubaccountName}
                onChange={(event) => setNewSubaccountName(event.target.value)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') {
                    event.preventDefault();
                    void addSubaccount();
                  }
                }}
              />
              <button
                type="button"
                className="button button-secondary button-small"
                disabled={newSubaccountName.trim() === ''}
                onClick={() => void addSubaccount()}
              >
                {t('newKey.addSubaccount')}
              </button>
            </div>
          ) : (
            <button type="button" className="link-button" onClick={() => setAddingSubaccount(true)}>
              + {t('newKey.newSubaccount')}
            </button>
          )}
          {errors.subaccount && (
            <p className="field-error" role="alert">
              {errors.subaccount}
            </p>
          )}
        </div>
        <Field
          label={t('newKey.publicKey')}
          labelNote={t('newKey.publicKeyOptional')}
          name="publicKey"
          autoComplete="off"
          spellCheck={false}
          className="field-mono"
          inputRef={refs.publicKey}
          hint={
            <>
              {t('newKey.publicKeyHintBefore')}
              <a href="/docs/protocol" target="_blank" rel="noopener">
                {t('newKey.signingGuide')}
              </a>
              {t('newKey.publicKeyHintAfter')}
            </>
          }
          value={publicKey}
          error={errors.publicKey ?? (looksLikeHex(publicKey) ? t('newKey.publicKeyHex') : undefined)}
          onChange={(event) => setPublicKey(event.target.value)}
        />
        <PermissionFields state={controls} onChange={setControls} available={customPermissions} />
        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(event) => setAdvancedOpen((event.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>{t('newKey.advanced')}</summary>
          <KeyControlsFields
            state={controls}
            onChange={setControls}
            now={Date.now()}
            allowlistRef={refs.allowedIps}
            expiryRef={refs.expiresAt}
            errors={{ allowedIps: errors.allowedIps, expiresAt: errors.expiresAt }}
          />
        </details>
        {user.twoFactorEnabled && (
          <Field
            label={t('newKey.totpCode')}
            hint={t('newKey.totpHint')}
            name="totpCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            inputRef={refs.totpCode}
            value={totpCode}
            error={errors.totpCode}
            onChange={(event) => setTotpCode(event.target.value.replace(/\D/g, ''))}
          />
        )}
      </form>
    </Dialog>
  );
}
