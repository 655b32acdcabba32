// The load balancer of bench/scale.ts: a small round-robin HTTP proxy on loopback, run as a
// process of its own so that its CPU is counted apart from the instances' and the load
// generator's. It sends each request to the next instance whose readiness check (`/health/ready`,
// polled every half second) last answered 200, over keep-alive connections (as HAProxy or nginx
// keep them to their backends), and never retries: any error reaching an instance is a 502, which
// the bench counts as a failed request. `GET /__proxy/stats` answers how many requests each
// instance served, which are ready and how many requests failed.
//
//   node bench/scale-proxy.ts PORT,PORT,PORT
//   (prints `listening PORT` on stdout once it listens on 127.0.0.1; stops on SIGTERM)

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMain } from './support.ts';

const HEALTH_EVERY_MS = 500;
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'];

interface Backend {
  port: number;
  up: boolean;
  served: number;
  agent: http.Agent;
}

export interface ProxyStats {
  requests: number;
  failed: number;
  servedByInstance: number[];
  /** Whether each instance's readiness check last answered 200. */
  ready: boolean[];
  failures: string[];
}

export function startProxy(ports: readonly number[]) {
  const backends: Backend[] = ports.map((port) => ({
    port,
    up: false,
    served: 0,
    agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  }));
  const stats = { requests: 0, failed: 0, failures: [] as string[] };
  const fail = (what: string) => {
    stats.failed++;
    if (stats.failures.length < 20) stats.failures.push(what);
  };
  const poll = () => {
    for (const b of backends)
      http
        .get({ host: '127.0.0.1', port: b.port, path: '/health/ready', agent: false, timeout: 2_000 }, (res) => {
          b.up = res.statusCode === 200;
          res.resume();
        })
        .on('error', () => (b.up = false))
        .on('timeout', function (this: http.ClientRequest) {
          this.destroy();
        });
  };
  poll();
  const checks = setInterval(poll, HEALTH_EVERY_MS);
  let next = 0;
  const pick = (): Backend | undefined => {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[next++ % backends.length]!;
      if (b.up) return b;
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    if (req.url === '/__proxy/stats') {
      const body: ProxyStats = {
        ...stats,
        servedByInstance: backends.map((b) => b.served),
        ready: backends.map((b) => b.up),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    stats.requests++;
    const b = pick();
    if (!b) {
      fail(`${req.method} ${req.url}: no instance ready`);
      res.writeHead(503).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, 'x-forwarded-for': '127.0.0.1' };
    for (const hop of HOP_BY_HOP) delete headers[hop];
    const upstream = http.request(
      { host: '127.0.0.1', port: b.port, method: req.method, path: req.url, headers, agent: b.agent },
      (answer) => {
        b.served++;
        const out = { ...answer.headers };
        for (const hop of HOP_BY_HOP) delete out[hop];
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('error', () => fail(`${req.method} ${req.url}: the answer was cut off`));
      },
    );
    upstream.on('error', (error) => {
      fail(`${req.method} ${req.url}: ${error.message}`);
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;

  return {
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    async close(): Promise<void> {
      clearInterval(checks);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      for (const b of backends) b.agent.destroy();
    },
  };
}

if (isMain(import.meta.url)) {
  const ports = (process.argv[2] ?? '').split(',').map(Number);
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0))
    throw new Error('usage: node bench/scale-proxy.ts PORT,PORT,…');
  const proxy = startProxy(ports);
  const port = await proxy.listen();
  console.log(`listening ${port}`);
  const stop = () => void proxy.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
