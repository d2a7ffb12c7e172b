import { httpModuleFor } from '../shared/http-module';

/** What the photo keeper needs of an HTTP client: one GET, its status and its whole body. */
export interface MediaAnswer {
  readonly status: number;
  readonly body: Buffer;
}
export type MediaFetchFn = (
  url: string,
  init: { signal: AbortSignal; maxBytes: number },
) => Promise<MediaAnswer>;

/** A body past the caller's limit: refused while it streams, before it fills memory. */
export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file larger than ${maxBytes} bytes`);
    this.name = 'MediaTooLargeError';
  }
}

/**
 * A GET on node:http/https that keeps at most maxBytes of the body. A declared Content-Length
 * over the limit is refused before any byte is read. Errors never carry the URL: it is a
 * short-lived credential.
 */
export const httpMediaFetch: MediaFetchFn = (url, init) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = httpModuleFor(target);
    if (!client) {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      init.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const req = client.get(target, (res) => {
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > init.maxBytes) {
        req.destroy();
        finish(() => reject(new MediaTooLargeError(init.maxBytes)));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= init.maxBytes) chunks.push(chunk);
        else {
          req.destroy();
          finish(() => reject(new MediaTooLargeError(init.maxBytes)));
        }
      });
      res.on('error', (error: NodeJS.ErrnoException) =>
        finish(() => reject(new Error(`download failed: ${error.code ?? error.name}`))),
      );
      res.on('end', () =>
        finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })),
      );
    });
    const onAbort = () => {
      req.destroy();
      finish(() => reject(new Error('download timed out')));
    };
    if (init.signal.aborted) onAbort();
    else init.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(() => reject(new Error(`download failed: ${error.code ?? error.name}`))),
    );
  });
