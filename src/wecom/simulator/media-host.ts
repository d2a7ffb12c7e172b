import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../../shared/clock';

/** Where the simulator serves files, as the robot's image.url points at WeCom's file servers. */
export const MEDIA_PREFIX = '/media/';

interface Hosted {
  readonly bytes: Uint8Array;
  expiresAt: Date;
  downloads: number;
}

/**
 * The robot's download links: bytes (already encrypted, as WeCom serves them) behind a random
 * path that answers 404 once its link has expired, like WeCom's 5-minute links.
 */
export class MediaHost {
  private readonly files = new Map<string, Hosted>();

  constructor(private readonly clock: Clock) {}

  /** Returns the path of the new link. */
  host(bytes: Uint8Array, lifetimeMs: number): string {
    const path = `${MEDIA_PREFIX}${randomBytes(12).toString('hex')}`;
    this.files.set(path, {
      bytes,
      expiresAt: new Date(this.clock.now().getTime() + lifetimeMs),
      downloads: 0,
    });
    return path;
  }

  /** The link answers 404 from now on. */
  expire(path: string): void {
    const file = this.files.get(path);
    if (file) file.expiresAt = new Date(0);
  }

  /** GETs of the link so far, answered or not. */
  downloads(path: string): number {
    return this.files.get(path)?.downloads ?? 0;
  }

  serve(method: string | undefined, path: string, res: ServerResponse): void {
    const file = this.files.get(path);
    if (file) file.downloads += 1;
    if (method !== 'GET' || !file || this.clock.now() >= file.expiresAt) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.bytes.length });
    res.end(file.bytes);
  }
}
