import net from 'node:net';

/**
 * A keep-alive HTTP/1.1 connection for the closed-loop load generator, on a bare socket: the request
 * goes out as one write and the answer is read just far enough to know its status and where it
 * ends. node:http's client cost the harness more CPU per request than Node's HTTP server costs the
 * server (120–150 µs against 75–99 µs on a two-core machine), CPU taken from the service it
 * measures; pgbench's own client costs about 30 µs a transaction.
 */
export class RawConnection {
  private socket: net.Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** POSTs `body` to `path` and resolves with the status once the whole answer is read. */
  async post(path: string, body: string): Promise<number> {
    const socket = this.socket ?? (await this.connect());
    const payload = Buffer.from(body);
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`;
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        this.socket = socket;
        this.buffered = Buffer.alloc(0);
        resolve(socket);
      });
      socket.once('error', reject);
      // A socket this connection has moved on from (closed after an answer) says nothing more.
      socket.on('error', (error) => {
        if (this.socket === socket) this.fail(error);
      });
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.received(chunk);
      });
      socket.on('close', () => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.fail(Object.assign(new Error('connection closed before the answer'), { code: 'ECONNRESET' }));
      });
    });
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const answer = parseAnswer(this.buffered);
    if (!answer) return;
    this.buffered = this.buffered.subarray(answer.length);
    if (answer.close) this.close();
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(answer.status);
  }
}

/**
 * The status and byte length of the first complete answer in `data`, or null while it is still
 * coming. Bodies are sized by Content-Length or chunked (the two Node's server sends).
 */
export function parseAnswer(data: Buffer): { status: number; length: number; close: boolean } | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = data.subarray(0, headEnd).toString('latin1');
  const status = Number(head.slice(9, 12));
  const header = (name: string) => new RegExp(`\r\n${name}:[ \t]*([^\r\n]*)`, 'i').exec(head)?.[1]?.trim();
  const close = header('connection')?.toLowerCase() === 'close';
  const bodyStart = headEnd + 4;
  if (header('transfer-encoding')?.toLowerCase().includes('chunked')) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) return null;
      const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
      const next = lineEnd + 2 + size + 2;
      if (next > data.length) return null;
      at = next;
      if (size === 0) return { status, length: at, close };
    }
  }
  const length = bodyStart + Number(header('content-length') ?? 0);
  return length <= data.length ? { status, length, close } : null;
}
