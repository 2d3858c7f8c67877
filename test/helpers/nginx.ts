/**
 * nginx (found by the suite's probe: NGINX_PATH or PATH; see requirements.ts) started by a test with its own configuration, prefix and logs in a temporary
 * directory, in the foreground (`daemon off`), as the reverse proxy in front of Signet nodes. The configuration is
 * the one docs/DEPLOY.md recommends, minus TLS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NGINX } from './requirements.ts';

export interface NginxProxy {
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** `sites`: listen port -> upstream `host:port` list. */
export async function startNginx(sites: { port: number; upstreams: string[] }[]): Promise<NginxProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const servers = sites
    .map(
      (site, i) => `
  upstream signet_${i} {
${site.upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 32;
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${site.port};
    proxy_connect_timeout 2s;
    proxy_send_timeout 30s;
    proxy_read_timeout 35s;
    location = / {
      proxy_pass http://signet_${i};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      proxy_read_timeout 75s;
      proxy_send_timeout 75s;
    }
    location / {
      proxy_pass http://signet_${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
    }
  }`,
    )
    .join('\n');
  const config = `
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
${servers}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn(
    NGINX.where,
    ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = sites[0]!.port;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    if (i > 100) throw new Error('nginx did not start');
    const up = await fetch(`http://127.0.0.1:${port}/api/v1/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
