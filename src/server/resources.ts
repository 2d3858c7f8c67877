/**
 * What a running server holds (the database, Redis, listeners, the HTTP server...), each registered once, where it
 * is opened, together with how it is closed. Closing runs the list backwards, so whatever was opened later (and
 * may use what came before) is closed first, by construction rather than by a hand-kept order; one that fails to
 * close is reported and the rest still close. A start-up that fails half-way closes what it had opened, so a
 * failed start leaves no connection or timer behind.
 */
export interface CloseOptions {
  /** Drain period for the HTTP server (start-server.ts); absent: close at once. */
  graceMs?: number;
}

type Closer = (options: CloseOptions) => Promise<unknown> | void;

export class Resources {
  private readonly open: { name: string; close: Closer }[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly onCloseError: (name: string, error: unknown) => void) {}

  /** Registers `resource` (opened just now) with its closer; returns it, so opening and registering read as one. */
  add<T>(
    name: string,
    resource: T,
    close: (resource: T, options: CloseOptions) => Promise<unknown> | void,
  ): T {
    this.open.push({ name, close: (options) => close(resource, options) });
    return resource;
  }

  /** Names in the order they were opened (tests, diagnostics). */
  names(): string[] {
    return this.open.map((entry) => entry.name);
  }

  /** Closes everything, last opened first; a second call waits for the first. */
  closeAll(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      for (let entry = this.open.pop(); entry !== undefined; entry = this.open.pop()) {
        try {
          await entry.close(options);
        } catch (error) {
          this.onCloseError(entry.name, error);
        }
      }
    })();
    return this.closing;
  }
}
