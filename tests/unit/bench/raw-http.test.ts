import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAnswer, RawConnection } from '../../../bench/lib/raw-http';

/** The closed-loop load generator's HTTP client: it must read each answer whole, however it comes. */
describe('raw keep-alive client', () => {
  it('finds where an answer ends: Content-Length, chunked, and not yet complete', () => {
    const sized = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsuccessHTTP/1.1 503');
    expect(parseAnswer(sized)).toEqual({ status: 200, length: sized.length - 12, close: false });
    expect(parseAnswer(sized.subarray(0, 40))).toBeNull();
    const chunked = Buffer.from(
      'HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    expect(parseAnswer(chunked)).toEqual({ status: 401, length: chunked.length, close: true });
    expect(parseAnswer(chunked.subarray(0, chunked.length - 2))).toBeNull();
  });

  it('posts over one connection, answer after answer, and reconnects after the server closes it', async () => {
    const seen: { body: string; socket: unknown }[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ body, socket: req.socket });
        if (body === 'chunked') {
          res.write('a');
          res.end('b');
        } else if (body === 'close') {
          res.setHeader('Connection', 'close');
          res.writeHead(503).end('busy');
        } else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const connection = new RawConnection('127.0.0.1', port);
    try {
      expect(await connection.post('/a', '{"n":1}')).toBe(200);
      expect(await connection.post('/a', 'chunked')).toBe(200);
      expect(await connection.post('/a', 'close')).toBe(503);
      expect(await connection.post('/a', '{"n":2}')).toBe(200);
      expect(seen.map((s) => s.body)).toEqual(['{"n":1}', 'chunked', 'close', '{"n":2}']);
      // The first three on one connection, the last on a new one.
      expect(seen[1]?.socket).toBe(seen[0]?.socket);
      expect(seen[2]?.socket).toBe(seen[0]?.socket);
      expect(seen[3]?.socket).not.toBe(seen[0]?.socket);
    } finally {
      connection.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
