import { describe, expect, it } from 'vitest';

import { Resources } from './resources.ts';

describe('Resources', () => {
  it('closes in the reverse order of opening, once, and keeps closing past a failure', async () => {
    const closed: string[] = [];
    const failures: string[] = [];
    const resources = new Resources((name) => failures.push(name));
    const db = resources.add('database', { name: 'db' }, (r) => void closed.push(r.name));
    expect(db).toEqual({ name: 'db' });
    resources.add('cache', 'cache', async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      closed.push(r);
    });
    resources.add('broken', 'broken', () => {
      throw new Error('no');
    });
    resources.add('http', 'http', (r, options) => void closed.push(`${r}:${options.graceMs}`));
    expect(resources.names()).toEqual(['database', 'cache', 'broken', 'http']);
    await Promise.all([resources.closeAll({ graceMs: 7 }), resources.closeAll()]);
    expect(closed).toEqual(['http:7', 'cache', 'db']);
    expect(failures).toEqual(['broken']);
    await resources.closeAll();
    expect(closed).toHaveLength(3);
  });
});
