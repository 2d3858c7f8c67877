/** Settings → Subaccounts: the list, and a form to create one by name. */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { Field } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import { subaccountLabel } from '../features/exchange/subaccount-label.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useResource } from '../use-resource.ts';

export function SubaccountsPage(): ReactNode {
  const { t, formatTime, language } = useI18n();
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const nameInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (name.trim() === '') {
      setError(t('subs.nameRequired'));
      nameInput.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const created = await consoleApi.createSubaccount(name);
      setName('');
      setNotice(t('subs.created', { name: created.name }));
      subaccounts.reload();
    } catch (caught) {
      setError(describeError(caught, language, t));
      window.setTimeout(() => nameInput.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page" aria-labelledby="subaccounts-title">
      <div className="page-header">
        <div>
          <h1 id="subaccounts-title">{t('subs.title')}</h1>
          <p className="muted">{t('subs.description')}</p>
        </div>
      </div>

      <form className="card inline-form" onSubmit={submit}>
        <Field
          label={t('subs.name')}
          name="subaccountName"
          required
          maxLength={32}
          autoComplete="off"
          hint={t('subs.nameHint')}
          inputRef={nameInput}
          value={name}
          error={error}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="button button-primary" aria-disabled={busy ? true : undefined}>
          {busy ? t('subs.creating') : t('subs.create')}
        </button>
      </form>
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}

      <LoadState
        loading={subaccounts.loading && !subaccounts.data}
        error={subaccounts.error}
        onRetry={subaccounts.reload}
      />
      {subaccounts.data && (
        <div className="card">
          <div className="table-scroll">
            <table className="table" aria-label={t('subs.tableLabel')}>
              <thead>
                <tr>
                  <th scope="col">{t('subs.col.name')}</th>
                  <th scope="col">{t('subs.col.id')}</th>
                  <th scope="col">{t('subs.col.created')}</th>
                </tr>
              </thead>
              <tbody>
                {subaccounts.data.map((subaccount) => (
                  <tr key={subaccount.id}>
                    <th scope="row">
                      {subaccountLabel(subaccount, t)}
                      {subaccount.isMain && <span className="badge badge-neutral">{t('subs.main')}</span>}
                    </th>
                    <td>
                      <code>{subaccount.number}</code>
                    </td>
                    <td>{formatTime(subaccount.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
