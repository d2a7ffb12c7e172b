import { Document, isMap, visit } from 'yaml';
import type { LedgerFormat } from './parse-ledger';
import { ledgerKeysAt, type LedgerDocument } from './schema';

/** Collections whose one-line form is at most this wide are written inline (`[a, b]`, `{ no: 1 }`). */
const INLINE_WIDTH = 90;

/**
 * Writes a ledger back as text, keys in the schema's order, so that `parseLedger` of the result
 * deep-equals the input. Comments in the original file are not kept: the ledger is data here.
 */
export function serializeLedger(ledger: LedgerDocument, format: LedgerFormat): string {
  const ordered = inSchemaOrder(ledger, []);
  if (format === 'json') return `${JSON.stringify(ordered, null, 2)}\n`;

  // Short lists and records go inline, as in examples/ledger.yaml; long ones block-style.
  const doc = new Document(ordered);
  visit(doc, {
    Seq(_key, node) {
      const items: unknown[] = node.toJSON();
      // Records in one list are either all inline or all block, so the list reads evenly.
      if (items.length > 0 && items.every((item) => isFlatRecord(item) && fits(item))) {
        for (const item of node.items) if (isMap(item)) item.flow = true;
      }
      if (items.every((item) => isScalar(item) || (isFlatRecord(item) && fits(item))) && fits(items)) {
        node.flow = true;
      }
    },
    Pair(_key, pair) {
      // A record held by a key (street, leadership...); records in lists are handled above.
      if (isMap(pair.value) && isFlatRecord(pair.value.toJSON()) && fits(pair.value.toJSON())) {
        pair.value.flow = true;
      }
    },
  });
  return doc.toString({ lineWidth: 0, singleQuote: true });
}

function isScalar(value: unknown): boolean {
  return typeof value !== 'object' || value === null;
}

/** A record of scalars and lists of scalars: the deepest thing still easy to read on one line. */
function isFlatRecord(value: unknown): boolean {
  if (isScalar(value) || Array.isArray(value)) return false;
  return Object.values(value as object).every(
    (field) => isScalar(field) || (Array.isArray(field) && field.every(isScalar)),
  );
}

function fits(value: unknown): boolean {
  return displayWidth(JSON.stringify(value)) <= INLINE_WIDTH;
}

/** A copy with each object's keys in declaration order and undefined values left out. */
function inSchemaOrder(value: unknown, path: (string | number)[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => inSchemaOrder(item, [...path, i]));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const known = ledgerKeysAt(path) ?? [];
  // Keys the schema does not know cannot come from a parsed ledger; keep them last rather than lose data.
  const keys = [...known, ...Object.keys(record).filter((key) => !known.includes(key))];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (record[key] !== undefined) out[key] = inSchemaOrder(record[key], [...path, key]);
  }
  return out;
}

/** Chinese characters take two columns in an editor. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u2e80-\u9fff\uff00-\uffef]/.test(char) ? 2 : 1;
  return width;
}
