import { stringify } from 'yaml';
import { parseLedger, type LedgerDocument } from '../../../src/ledger';

/** The smallest ledger that passes every rule; tests break one thing at a time. */
export function minimalLedger(): LedgerDocument {
  return {
    street: { id: 'jiangwan-jd', name: '江湾街道', admins: ['zhou.m'] },
    people: [
      { id: 'zhou.m', name: '周敏' },
      { id: 'liu.t', name: '刘婷', phone: '13800000011' },
      { id: 'wang.jg', name: '王建国' },
      { id: 'li.xl', name: '李秀兰' },
      { id: 'ma.sf', name: '马顺福' },
      { id: 'song.t', name: '宋涛' },
    ],
    compounds: [
      {
        id: 'jiangwan',
        name: '江湾小区',
        grid_workers: ['liu.t'],
        buildings: [
          {
            id: 'jw-b7',
            name: '7号楼',
            path: 'self_governing',
            chat_id: 'wrkB7FAKE07',
            webhook_key: '0000fake-0000-4000-8000-000000000007',
            head: 'wang.jg',
            units: [{ no: 1, head: 'li.xl' }, { no: 2 }],
          },
          { id: 'jw-b8', name: '8号楼', path: 'street_backed', chat_id: 'wrkB7FAKE08' },
        ],
      },
    ],
    teams: [{ id: 'electricians', name: '电工志愿队', members: ['ma.sf'], keywords: ['灯', '电'] }],
    leadership: { chat_id: 'wrkLeadFAKE', members: ['song.t'] },
  };
}

/** A mutable, loosely typed copy, so tests can write what a careless editor would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export function looseLedger(): Loose {
  return structuredClone(minimalLedger());
}

/** The problems parseLedger reports for a document, or [] when it is valid. */
export function problemsOf(document: unknown, format: 'yaml' | 'json' = 'yaml'): string[] {
  const text = format === 'yaml' ? stringify(document) : JSON.stringify(document);
  const result = parseLedger(text, format);
  return result.ok ? [] : result.problems;
}
