import { truncateMessage, utf8Length } from '../wecom/client';

const SEPARATOR = '\n\n';

/**
 * Packs markdown blocks into as few messages as fit maxBytes (UTF-8) each, breaking only between
 * blocks (or, for a block too long on its own, between its lines), so every part reads on its own.
 * With more than one part each starts with "# title（i/n）"; a single part with "# title".
 */
export function packParts(title: string, blocks: readonly string[], maxBytes: number): string[] {
  const whole = [`# ${title}`, ...blocks].join(SEPARATOR);
  if (utf8Length(whole) <= maxBytes) return [whole];

  // Room for the longest heading this could need: "# title（999/999）".
  const budget = maxBytes - utf8Length(`# ${title}（999/999）${SEPARATOR}`);
  if (budget < 64) throw new RangeError(`maxBytes ${maxBytes} leaves no room for the digest`);
  const pieces = blocks.flatMap((block) =>
    utf8Length(block) <= budget ? [block] : splitBlock(block, budget),
  );

  const parts: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current === '' ? piece : `${current}${SEPARATOR}${piece}`;
    if (utf8Length(joined) <= budget) {
      current = joined;
    } else {
      parts.push(current);
      current = piece;
    }
  }
  if (current !== '') parts.push(current);
  return parts.map((part, i) => `# ${title}（${i + 1}/${parts.length}）${SEPARATOR}${part}`);
}

/** A block longer than a part: whole lines per piece; a single overlong line is cut and marked. */
function splitBlock(block: string, budget: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const raw of block.split('\n')) {
    const line = truncateMessage(raw, budget);
    const joined = current === '' ? line : `${current}\n${line}`;
    if (utf8Length(joined) <= budget) {
      current = joined;
    } else {
      pieces.push(current);
      current = line;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}
