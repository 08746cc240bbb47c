// The load generator's HTTP calls: node:http over kept-alive connections. It shares the two cores
// with the servers it measures, and fetch (undici's WHATWG streams) cost it about twice the CPU
// per request; every millisecond it spends is one the servers do not get.
import http from 'node:http';

export interface JsonResponse {
  status: number;
  body: any;
}

export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly base: string) {}

  /** Sends JSON (when `body` is given) and reads the answer as JSON (null when empty). */
  request(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method,
          headers: payload ? { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) } : headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
            } catch {
              reject(new Error(`${method} ${path}: ${res.statusCode} answered no JSON: ${text.slice(0, 200)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
