/**
 * A small actions menu (the WAI-ARIA menu button pattern): a button with aria-haspopup/aria-expanded opens a
 * `role="menu"` list of `menuitem` buttons. Arrow keys, Home and End move between items, Escape and Tab close it
 * (Escape returns the focus to the button), a click outside closes it. Lets a table row offer several actions
 * in the width of one button.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

export interface MenuItem {
  label: string;
  /** Accessible name when the visible label alone is ambiguous (e.g. "Edit market maker"). */
  ariaLabel?: string;
  onSelect: () => void;
  danger?: boolean;
}

export function Menu({
  label,
  ariaLabel,
  items,
}: {
  label: ReactNode;
  ariaLabel: string;
  items: MenuItem[];
}): ReactNode {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);

  const itemsOf = (): HTMLButtonElement[] =>
    Array.from(list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);

  useEffect(() => {
    if (!open) return;
    itemsOf()[0]?.focus();
    const onPointer = (event: MouseEvent): void => {
      const target = event.target as Node;
      if (!list.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const onKeyDown = (event: React.KeyboardEvent): void => {
    const all = itemsOf();
    const index = all.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number): void => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(all.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'Tab') setOpen(false);
  };

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="button button-ghost button-small menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {label}
      </button>
      {open && (
        <div
          ref={list}
          id={id}
          role="menu"
          className="menu-list"
          aria-label={ariaLabel}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={item.danger ? 'menu-item menu-item-danger' : 'menu-item'}
              aria-label={item.ariaLabel}
              onClick={() => {
                // The button, not the vanishing item, is what a dialog opened from here returns focus to.
                button.current?.focus();
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
