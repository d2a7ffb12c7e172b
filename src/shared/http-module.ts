import http from 'node:http';
import https from 'node:https';

/** node:http or node:https for a URL; null for any other protocol. */
export function httpModuleFor(target: URL): typeof http | typeof https | null {
  if (target.protocol === 'https:') return https;
  if (target.protocol === 'http:') return http;
  return null;
}
