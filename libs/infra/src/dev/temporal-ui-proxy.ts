import * as http from 'node:http';

export interface TemporalUiProxy {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The dev server's Temporal UI behind a loopback proxy that adds the one codec setting the CLI has
 * no flag for: `Codec.IncludeCredentials`, so the UI's calls to the engine's codec endpoint carry
 * the browser session (DESIGN §7; the engine's codec answers them with CORS credentials). Every
 * other request and answer passes through unchanged.
 */
export function startTemporalUiProxy(options: { port: number; upstreamPort: number; host?: string }): Promise<TemporalUiProxy> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    const settings = req.method === 'GET' && (req.url ?? '').split('?')[0] === '/api/v1/settings';
    const headers = { ...req.headers, host: `127.0.0.1:${options.upstreamPort}`, ...(settings ? { 'accept-encoding': 'identity' } : {}) };
    const upstream = http.request({ host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers }, (answer) => {
      if (!settings || answer.statusCode !== 200) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        try {
          const json = JSON.parse(body.toString('utf8')) as { Codec?: Record<string, unknown> };
          json.Codec = { ...json.Codec, IncludeCredentials: true };
          body = Buffer.from(JSON.stringify(json));
        } catch {
          // Not the JSON expected: passed on as it came.
        }
        res.writeHead(200, { ...answer.headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('the Temporal UI is not answering');
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () =>
      resolve({
        url: `http://${host}:${options.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}
