/**
 * WeCom limits message content in UTF-8 bytes, not characters: a Chinese character is 3 bytes, an
 * emoji 4 or (with joiners) many more. Content over a limit is refused (40058) or silently cut, so
 * long messages are split here into numbered parts, each within the limit.
 */

/** Content limits in UTF-8 bytes (PROTOCOL.md 3.7, 4.2, 5.2). */
export const MESSAGE_LIMITS = {
  text: 2048,
  webhookMarkdown: 4096,
  appMarkdown: 2048,
  responseUrlMarkdown: 20480,
} as const;

export const TRUNCATION_MARK = '…（内容过长，已截断）';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Splits content into parts of at most maxBytes each. Content that fits comes back as is; otherwise
 * every part starts with "(i/n)" on a line of its own (a prefix on the same line would break a
 * markdown heading or quote). Parts break between lines; a line longer than a part is cut between
 * characters (between grapheme clusters where possible, so a flag or a family emoji stays whole).
 */
export function splitMessage(content: string, maxBytes: number): string[] {
  if (utf8Length(content) <= maxBytes) return [content];
  for (let digits = 1; ; digits++) {
    // "(" + i + "/" + n + ")\n": i and n have at most `digits` digits.
    const budget = maxBytes - (2 * digits + 4);
    if (budget < 4) throw new RangeError(`maxBytes ${maxBytes} is too small to split into parts`);
    const chunks = packLines(content, budget);
    const n = chunks.length;
    if (String(n).length <= digits) return chunks.map((chunk, i) => `(${i + 1}/${n})\n${chunk}`);
  }
}

/** Cuts content to at most maxBytes, marking the cut; for surfaces that take a single message. */
export function truncateMessage(content: string, maxBytes: number): string {
  if (utf8Length(content) <= maxBytes) return content;
  const [head] = cutAtBytes(content, maxBytes - utf8Length(TRUNCATION_MARK));
  return head + TRUNCATION_MARK;
}

/** Greedily packs whole lines into chunks of at most `budget` bytes. */
function packLines(content: string, budget: number): string[] {
  const chunks: string[] = [];
  let current: string | null = null;
  let currentBytes = 0;
  const flush = () => {
    // A part of nothing but blank lines is not worth a message: the break itself separates them.
    if (current !== null && current.trim() !== '') chunks.push(current);
    current = null;
    currentBytes = 0;
  };
  for (const line of content.split('\n')) {
    let rest = line;
    let restBytes = utf8Length(rest);
    if (restBytes > budget) {
      flush();
      while (restBytes > budget) {
        const [head, tail] = cutAtBytes(rest, budget);
        chunks.push(head);
        rest = tail;
        restBytes = utf8Length(rest);
      }
    }
    if (current !== null && currentBytes + 1 + restBytes <= budget) {
      current = `${current}\n${rest}`;
      currentBytes += 1 + restBytes;
    } else {
      flush();
      current = rest;
      currentBytes = restBytes;
    }
  }
  flush();
  if (chunks.length === 0) chunks.push(cutAtBytes(content, budget)[0]);
  return chunks;
}

/**
 * The longest head of `text` within maxBytes that ends on a grapheme boundary, and the rest. A
 * single grapheme larger than maxBytes (pathological: hundreds of combining marks) is cut between
 * code points instead, which still never splits a UTF-8 sequence.
 */
function cutAtBytes(text: string, maxBytes: number): [string, string] {
  let end = 0;
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += segment.length;
  }
  if (end === 0) {
    for (const codePoint of text) {
      const size = utf8Length(codePoint);
      if (bytes + size > maxBytes) break;
      bytes += size;
      end += codePoint.length;
    }
  }
  return [text.slice(0, end), text.slice(end)];
}
