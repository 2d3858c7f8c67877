/**
 * An accessible modal dialog: role="dialog", aria-modal, labelled by its title (and described by `description`),
 * focus moved inside on open, trapped there (Tab wraps, the page behind is `inert`), and restored to the
 * element that opened it on close. Escape and the backdrop close it only when `onClose` is given, so a dialog
 * that must not be dismissed by accident (the one showing a secret) simply omits it until it is safe.
 *
 * Focus never falls to the page: when the focused element disappears or is disabled (a submit button while its
 * request runs), focus comes back to the dialog. A `dirty` dialog (a filled form) asks before Escape, the
 * backdrop, × or its own Cancel (the `footer` function's `close`) throw the input away.
 */
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

import { useI18n } from '../i18n/i18n.tsx';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  title: string;
  description?: ReactNode;
  /** Closes the dialog (Escape, backdrop, × button); omit while closing is not allowed. */
  onClose?: () => void;
  /** Element to focus first (default: the first focusable element). */
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
  /** The footer; as a function it gets `close`, which asks first when the dialog is `dirty`. */
  footer?: ReactNode | ((close: () => void) => ReactNode);
  wide?: boolean;
  /** The person has typed something that closing would lose: closing asks first. */
  dirty?: boolean;
}

export function Dialog({
  title,
  description,
  onClose,
  initialFocus,
  children,
  footer,
  wide,
  dirty,
}: DialogProps): ReactNode {
  const { t } = useI18n();
  const titleId = useId();
  const descriptionId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const keepEditing = useRef<HTMLButtonElement>(null);
  const [confirming, setConfirming] = useState(false);
  const requestClose = onClose && (dirty ? () => setConfirming(true) : onClose);
  const closeRef = useRef(requestClose);
  closeRef.current = requestClose;

  useEffect(() => {
    if (confirming) keepEditing.current?.focus();
  }, [confirming]);

  // Focus that would fall to <body> (its element removed or disabled) comes back to the dialog.
  useEffect(() => {
    const element = panel.current;
    if (!element) return;
    const onFocusOut = (): void => {
      window.setTimeout(() => {
        const active = document.activeElement;
        if (panel.current && (active === null || active === document.body)) panel.current.focus();
      }, 0);
    };
    element.addEventListener('focusout', onFocusOut);
    return () => element.removeEventListener('focusout', onFocusOut);
  }, []);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const root = document.getElementById('root');
    root?.setAttribute('inert', '');
    const first = initialFocus?.current ?? panel.current?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? panel.current)?.focus();
    return () => {
      root?.removeAttribute('inert');
      if (opener && document.contains(opener)) opener.focus();
    };
    // Runs once per opening: the dialog is mounted when it opens and unmounted when it closes.
  }, []);

  const onKeyDown = (event: React.KeyboardEvent): void => {
    if (event.key === 'Escape' && confirming) {
      event.stopPropagation();
      setConfirming(false);
      return;
    }
    if (event.key === 'Escape' && closeRef.current) {
      event.stopPropagation();
      closeRef.current();
      return;
    }
    if (event.key !== 'Tab' || !panel.current) return;
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    if (items.length === 0) return;
    const first = items[0] as HTMLElement;
    const last = items[items.length - 1] as HTMLElement;
    if (event.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div
      className="dialog-backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) closeRef.current?.();
      }}
    >
      <div
        ref={panel}
        className={wide ? 'dialog dialog-wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          {requestClose && (
            <button
              type="button"
              className="icon-button"
              aria-label={t('common.close')}
              onClick={requestClose}
            >
              ×
            </button>
          )}
        </header>
        {description && (
          <div id={descriptionId} className="dialog-description">
            {description}
          </div>
        )}
        <div className="dialog-body">{children}</div>
        {confirming && onClose ? (
          <footer className="dialog-footer dialog-confirm" role="alert">
            <p>{t('dialog.discardQuestion')}</p>
            <div className="dialog-confirm-actions">
              <button
                ref={keepEditing}
                type="button"
                className="button button-secondary"
                onClick={() => setConfirming(false)}
              >
                {t('dialog.keepEditing')}
              </button>
              <button type="button" className="button button-danger" onClick={onClose}>
                {t('dialog.discard')}
              </button>
            </div>
          </footer>
        ) : (
          footer && (
            <footer className="dialog-footer">
              {typeof footer === 'function' ? footer(requestClose ?? (() => undefined)) : footer}
            </footer>
          )
        )}
      </div>
    </div>,
    document.body,
  );
}

/**
 * The footer of a dialog that confirms something destructive: Cancel (focused first through `cancelRef`, so Enter
 * does not destroy by accident) and a danger button; both disabled while the action runs.
 */
export function DangerFooter({
  cancelRef,
  onCancel,
  onConfirm,
  busy,
  confirmLabel,
  busyLabel,
}: {
  cancelRef: RefObject<HTMLButtonElement | null>;
  onCancel: () => void;
  onConfirm: () => void;
  busy: boolean;
  confirmLabel: string;
  busyLabel: string;
}): ReactNode {
  const { t } = useI18n();
  return (
    <>
      <button
        ref={cancelRef}
        type="button"
        className="button button-secondary"
        onClick={onCancel}
        disabled={busy}
      >
        {t('common.cancel')}
      </button>
      <button type="button" className="button button-danger" onClick={onConfirm} disabled={busy}>
        {busy ? busyLabel : confirmLabel}
      </button>
    </>
  );
}
