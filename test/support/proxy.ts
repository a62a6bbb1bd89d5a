/** A small reverse proxy for tests of apps deployed behind one that strips a path prefix. */
import { createServer, request as httpRequest, type Server } from 'node:http';

/** A reverse proxy that forwards `<prefix>rest` to `<target>/rest` and answers 404 to anything else. */
export async function strippingProxy(
  prefix: string,
  target: URL,
): Promise<{ url: string; seen: string[]; server: Server }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    if (!req.url!.startsWith(prefix)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('outside the prefix');
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `/${req.url!.slice(prefix.length)}`,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, server };
}
