import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The public WXBizMsgCrypt vectors kept in ../shared/wecom (copied into tests/fixtures). */
export interface Vector {
  id: string;
  kind: 'verify_url' | 'callback_message' | 'passive_reply_encrypt';
  token: string;
  encodingAESKey: string;
  receiveid: string;
  msg_signature: string;
  timestamp: string;
  nonce: string;
  ciphertext: string;
  echostr_urlencoded?: string;
  body?: string;
  expected_plaintext: string;
  random_16?: string;
}

export interface VectorFile {
  vectors: Vector[];
  negative_cases: {
    id: string;
    expect: string;
    token?: string;
    msg_signature?: string;
    timestamp?: string;
    nonce?: string;
    encodingAESKey?: string;
    ciphertext: string;
    configured_receiveid?: string;
  }[];
}

export const vectors = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'fixtures', 'wecom-vectors.json'), 'utf8'),
) as VectorFile;

export function vector(kind: Vector['kind']): Vector {
  const found = vectors.vectors.find((v) => v.kind === kind);
  if (!found) throw new Error(`no ${kind} vector`);
  return found;
}
