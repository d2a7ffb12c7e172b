import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { buildCategoryTable, DEFAULT_CATEGORIES, foldWord } from '../intake/parse/categories';
import { PHONE_PATTERN } from '../requests/phone-mask';
import { buildingLabel } from './building-label';
import {
  DURATION_PATTERN,
  durationToMinutes,
  LedgerSchema,
  ledgerKeysAt,
  type LedgerDocument,
} from './schema';

export type LedgerFormat = 'yaml' | 'json';

/** Each problem is one line, `path: message`, e.g. `compounds[0].buildings[3].head: unknown person "li.xl"`. */
export type LedgerParseResult = { ok: true; ledger: LedgerDocument } | { ok: false; problems: string[] };

type Path = (string | number)[];

interface Problem {
  path: Path;
  message: string;
}

/** Parses and checks a ledger, reporting every problem found rather than the first. */
export function parseLedger(text: string, format: LedgerFormat): LedgerParseResult {
  // Notepad on the street office's PCs saves UTF-8 with a byte order mark.
  const source = text.replace(/^\uFEFF/, '');
  const read = format === 'json' ? readJson(source) : readYaml(source);
  if (!read.ok) return read;
  return validateLedger(read.data);
}

/** Checks an already-decoded document (e.g. one built in memory) against the ledger rules. */
export function validateLedger(data: unknown): LedgerParseResult {
  if (data === null || data === undefined) return { ok: false, problems: ['(root): the ledger is empty'] };
  const parsed = LedgerSchema.safeParse(data, { error: describeIssue });
  const problems = [...(parsed.success ? [] : parsed.error.issues.flatMap(fromIssue)), ...checkRules(data)];
  if (parsed.success && problems.length === 0) {
    // Intake builds its tag table from the ledger and refuses bad words by throwing; whatever the
    // checks above missed must fail here, not when the bot loads the ledger.
    try {
      buildCategoryTable(parsed.data.categories ?? []);
    } catch (error) {
      return { ok: false, problems: [`categories: ${(error as Error).message}`] };
    }
    return { ok: true, ledger: parsed.data };
  }
  return { ok: false, problems: unique(sortByDocumentOrder(problems).map(formatProblem)) };
}

/** The format a ledger file is in, from its extension; undefined when it is neither. */
export function ledgerFormatOf(path: string): LedgerFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.json') return 'json';
  return undefined;
}

/** Reads a .yaml, .yml or .json ledger file; a file that cannot be read is reported as a problem. */
export function readLedgerFile(path: string): LedgerParseResult {
  const format = ledgerFormatOf(path);
  if (!format) return { ok: false, problems: [`${path}: expected a .yaml, .yml or .json file`] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ok: false, problems: [`${path}: cannot read the file (${reason})`] };
  }
  return parseLedger(text, format);
}

// ---------------------------------------------------------------------------------------------
// Decoding

type Decoded = { ok: true; data: unknown } | { ok: false; problems: string[] };

function readYaml(source: string): Decoded {
  const lineCounter = new LineCounter();
  // prettyErrors would append a multi-line code excerpt; problems must stay one line each.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `line ${line}, column ${col}: ${error.message}`;
    });
    return { ok: false, problems };
  }
  try {
    // A cap on alias expansion keeps a hostile file (billion laughs) from exhausting memory.
    return { ok: true, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { ok: false, problems: [`(root): ${(error as Error).message}`] };
  }
}

function readJson(source: string): Decoded {
  try {
    return { ok: true, data: JSON.parse(source) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    if (!position) return { ok: false, problems: [`(root): ${message}`] };
    const offset = Number(position[1]);
    const before = source.slice(0, offset).split('\n');
    const line = before.length;
    const col = (before[before.length - 1]?.length ?? 0) + 1;
    const reason = message.replace(/ in JSON at position \d+.*$/, '');
    return { ok: false, problems: [`line ${line}, column ${col}: ${reason}`] };
  }
}

// ---------------------------------------------------------------------------------------------
// Schema issues

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
};

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/** Plain-English wording for the issues whose schema does not word them itself. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'missing required key';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      // A missing enum (a building's path) is reported as a value not among the options.
      return issue.input === undefined ? 'missing required key' : undefined;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} entries`;
      return undefined;
    default:
      return undefined;
  }
}

function fromIssue(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((step): step is string | number => typeof step !== 'symbol');
  if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
  // zod reports all unknown keys of an object in one issue; each deserves its own line and path.
  const known = ledgerKeysAt(path) ?? [];
  return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, known) }));
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key.toLowerCase(), known);
  if (guess) return `unknown key (did you mean "${guess}"?)`;
  return known.length > 0 ? `unknown key (expected one of ${known.join(', ')})` : 'unknown key';
}

/** The known key a typo most likely meant: one edit away for short keys, two for longer ones. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    const allowed = candidate.length <= 4 ? 1 : 2;
    if (distance <= allowed && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1];
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (same ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}

// ---------------------------------------------------------------------------------------------
// Rules spanning several places. These walk the raw data defensively rather than the parsed
// ledger, so that a typo in one building does not hide an unknown person in another.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** [element, index] pairs of an array; nothing for anything else (the schema reports that). */
function entries(value: unknown): [unknown, number][] {
  return Array.isArray(value) ? value.map((item, index): [unknown, number] => [item, index]) : [];
}

/** [object, index] pairs of the object elements of a list found at `key`. */
function objectsAt(container: unknown, key: string): [Json, number][] {
  if (!isObject(container)) return [];
  return entries(container[key]).filter((entry): entry is [Json, number] => isObject(entry[0]));
}

function textAt(container: Json, key: string): string | undefined {
  const value = container[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reports the second and later occurrences of a value, pointing back to the first. */
class UniqueIndex {
  private readonly seen = new Map<string, Path>();

  constructor(
    private readonly what: string,
    private readonly problems: Problem[],
  ) {}

  add(value: unknown, path: Path): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const key = String(value);
    const first = this.seen.get(key);
    const shown = typeof value === 'string' ? JSON.stringify(value) : key;
    if (first)
      this.problems.push({
        path,
        message: `duplicate ${this.what} ${shown} (first at ${formatPath(first)})`,
      });
    else this.seen.set(key, path);
  }
}

function checkRules(data: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!isObject(data)) return problems;

  const personIds = new UniqueIndex('person id', problems);
  const people = new Set<string>();
  // WeCom userids ignore case: `Wang.JG` and `wang.jg` are one account, so two entries would give
  // one person two sets of roles and names, depending on which spelling a list used.
  const caseless = new Map<string, { id: string; path: Path }>();
  for (const [person, i] of objectsAt(data, 'people')) {
    const path: Path = ['people', i, 'id'];
    personIds.add(person.id, path);
    const id = textAt(person, 'id');
    if (id === undefined) continue;
    people.add(id);
    const first = caseless.get(id.toLowerCase());
    if (!first) caseless.set(id.toLowerCase(), { id, path });
    else if (first.id !== id) {
      problems.push({
        path,
        message: `duplicate person id ${JSON.stringify(id)} (first at ${formatPath(first.path)}, as ${JSON.stringify(first.id)}: WeCom userids ignore case)`,
      });
    }
    noPhoneInName(person, ['people', i], problems);
  }
  // Without a readable people list every reference would be "unknown": one problem is enough.
  const canCheckPeople = Array.isArray(data.people);
  const person = (value: unknown, path: Path): void => {
    if (canCheckPeople && typeof value === 'string' && !people.has(value)) {
      problems.push({ path, message: `unknown person ${JSON.stringify(value)}` });
    }
  };
  const personList = (container: Json, key: string, path: Path): void => {
    const listed = new UniqueIndex('person', problems);
    for (const [value, i] of entries(container[key])) {
      person(value, [...path, key, i]);
      listed.add(value, [...path, key, i]);
    }
  };

  if (isObject(data.street)) {
    personList(data.street, 'admins', ['street']);
    noPhoneInName(data.street, ['street'], problems);
  }

  // A group belongs to exactly one building (or the leadership): a shared chat id would send one
  // group's requests to another building's heads.
  const chatIds = new UniqueIndex('chat id', problems);
  const webhookKeys = new UniqueIndex('webhook key', problems);
  const compoundIds = new UniqueIndex('compound id', problems);
  const buildingIds = new UniqueIndex('building id', problems);
  const compounds = new Set<string>();
  for (const [compound, c] of objectsAt(data, 'compounds')) {
    const at: Path = ['compounds', c];
    compoundIds.add(compound.id, [...at, 'id']);
    const id = textAt(compound, 'id');
    if (id !== undefined) compounds.add(id);
    personList(compound, 'grid_workers', at);
    noPhoneInName(compound, at, problems);
    noPhoneOnPage(compound.address, [...at, 'address'], problems);
    const labels = new Map<string, { name: string; path: Path }>();
    for (const [building, b] of objectsAt(compound, 'buildings')) {
      const bat: Path = [...at, 'buildings', b];
      buildingIds.add(building.id, [...bat, 'id']);
      noPhoneInName(building, bat, problems);
      checkBuildingLabel(building, [...bat, 'name'], labels, problems);
      if (isObject(building.profile)) {
        for (const [label, value] of Object.entries(building.profile)) {
          const path: Path = [...bat, 'profile', label];
          if (Array.isArray(value)) value.forEach((item, k) => noPhoneOnPage(item, [...path, k], problems));
          else noPhoneOnPage(value, path, problems);
        }
      }
      chatIds.add(building.chat_id, [...bat, 'chat_id']);
      webhookKeys.add(building.webhook_key, [...bat, 'webhook_key']);
      person(building.head, [...bat, 'head']);
      const unitNumbers = new UniqueIndex('unit number', problems);
      for (const [unit, u] of objectsAt(building, 'units')) {
        unitNumbers.add(unit.no, [...bat, 'units', u, 'no']);
        person(unit.head, [...bat, 'units', u, 'head']);
      }
    }
  }

  const teamIds = new UniqueIndex('team id', problems);
  for (const [team, t] of objectsAt(data, 'teams')) {
    const at: Path = ['teams', t];
    teamIds.add(team.id, [...at, 'id']);
    noPhoneInName(team, at, problems);
    personList(team, 'members', at);
    const keywords = new UniqueIndex('keyword', problems);
    for (const [keyword, k] of entries(team.keywords)) keywords.add(keyword, [...at, 'keywords', k]);
    const served = new UniqueIndex('compound', problems);
    for (const [value, k] of entries(team.compounds)) {
      served.add(value, [...at, 'compounds', k]);
      if (typeof value === 'string' && Array.isArray(data.compounds) && !compounds.has(value)) {
        problems.push({
          path: [...at, 'compounds', k],
          message: `unknown compound ${JSON.stringify(value)}`,
        });
      }
    }
  }

  if (isObject(data.leadership)) {
    chatIds.add(data.leadership.chat_id, ['leadership', 'chat_id']);
    webhookKeys.add(data.leadership.webhook_key, ['leadership', 'webhook_key']);
    personList(data.leadership, 'members', ['leadership']);
    noPhoneInName(data.leadership, ['leadership'], problems);
  }

  const categoryCodes = new UniqueIndex('category code', problems);
  const categories = new Set<string>(DEFAULT_CATEGORIES.map((category) => category.code));
  for (const [category, i] of objectsAt(data, 'categories')) {
    categoryCodes.add(category.code, ['categories', i, 'code']);
    const code = textAt(category, 'code');
    if (code !== undefined) categories.add(code);
  }

  checkTagWords(data, problems);

  for (const [rule, i] of objectsAt(data, 'response_clocks')) {
    checkClock(rule, ['response_clocks', i], categories, problems);
  }
  return problems;
}

const PHONE = new RegExp(PHONE_PATTERN, 'u');

/**
 * Names are printed in receipts, reminders and pages: a number written into one (`王建国 138…`)
 * would reach every group. Staff numbers belong in a person's `phone`, which is never shown.
 */
function noPhoneInName(container: Json, at: Path, problems: Problem[]): void {
  const name = container.name;
  if (typeof name === 'string' && PHONE.test(name)) {
    problems.push({
      path: [...at, 'name'],
      message:
        'a phone number in a name would be shown in the groups; staff numbers belong in people[].phone',
    });
  }
}

/** Addresses and profiles are shown on the street office's pages, which show no phone numbers. */
function noPhoneOnPage(value: unknown, path: Path, problems: Problem[]): void {
  if (typeof value === 'string' && PHONE.test(value)) {
    problems.push({
      path,
      message: 'a phone number here would be shown on the pages; staff numbers belong in people[].phone',
    });
  }
}

/** A building name that is its number or letter and nothing else: `8号楼`, `八号楼`, `8栋`, `8#`, `A座`. */
const PLAIN_BUILDING_NAME =
  /^\s*(?:[0-9０-９]{1,3}|[一二两三四五六七八九十]{1,3}|[A-Za-zＡ-Ｚａ-ｚ])\s*(?:号楼|号|栋|幢|座|楼|[#＃]\s*楼?)\s*$/u;

/**
 * A post names a building of its compound by number or letter (`8号楼`, `八号楼`, `8栋`, `8#楼`), and
 * routing picks the building whose name reads the same: two such names in one compound would send
 * every post about the second to the first.
 */
function checkBuildingLabel(
  building: Json,
  path: Path,
  labels: Map<string, { name: string; path: Path }>,
  problems: Problem[],
): void {
  const name = textAt(building, 'name');
  // Only names that are nothing but the number are compared: `8号楼` and `8栋` are one building
  // written twice. Posts read `A1栋` and `B1栋`, `一期1号楼` and `二期1号楼`, `1号楼` and `1号楼（东）`
  // alike (as 1): estates in phases, courtyards or halves that number that way cannot be told
  // apart by a post at all, and refusing their ledger would leave them with no desk.
  if (name === undefined || !PLAIN_BUILDING_NAME.test(name)) return;
  const label = buildingLabel(name);
  if (label === undefined) return;
  const first = labels.get(label);
  if (!first) {
    labels.set(label, { name, path });
    return;
  }
  problems.push({
    path,
    message: `${JSON.stringify(name)} names the same building as ${JSON.stringify(first.name)} (${formatPath(first.path)}): a post naming it could not tell them apart`,
  });
}

/** A tag word (name or synonym) may name one category only: `#维修` must mean one thing. */
function checkTagWords(data: Json, problems: Problem[]): void {
  const owners = new Map<string, string>();
  for (const category of DEFAULT_CATEGORIES) {
    for (const word of [category.name, ...category.synonyms]) owners.set(foldWord(word), category.code);
  }
  for (const [category, i] of objectsAt(data, 'categories')) {
    const code = textAt(category, 'code');
    if (code === undefined) continue;
    const words: [unknown, Path][] = [
      [category.name, ['categories', i, 'name']],
      ...entries(category.synonyms).map(([word, j]): [unknown, Path] => [
        word,
        ['categories', i, 'synonyms', j],
      ]),
    ];
    for (const [word, path] of words) {
      if (typeof word !== 'string' || word.trim() === '') continue;
      const key = foldWord(word);
      const owner = owners.get(key);
      if (owner !== undefined && owner !== code) {
        problems.push({
          path,
          message: `tag word ${JSON.stringify(word.trim())} already names category "${owner}"`,
        });
      } else {
        owners.set(key, code);
      }
    }
  }
}

function checkClock(rule: Json, at: Path, categories: ReadonlySet<string>, problems: Problem[]): void {
  const category = rule.category;
  if (typeof category === 'string' && !categories.has(category)) {
    const known = [...categories].join(', ');
    problems.push({
      path: [...at, 'category'],
      message: `unknown category ${JSON.stringify(category)} (known: ${known})`,
    });
  }
  if (rule.acknowledge === undefined && rule.resolve === undefined) {
    problems.push({ path: at, message: 'a response clock needs acknowledge, resolve or both' });
  }
  const { acknowledge, resolve } = rule;
  if (isDuration(acknowledge) && isDuration(resolve)) {
    if (durationToMinutes(acknowledge) > durationToMinutes(resolve)) {
      problems.push({
        path: [...at, 'acknowledge'],
        message: `acknowledge (${acknowledge}) is longer than resolve (${resolve})`,
      });
    }
  }
}

function isDuration(value: unknown): value is string {
  return typeof value === 'string' && DURATION_PATTERN.test(value);
}

// ---------------------------------------------------------------------------------------------
// Output

/** `compounds[0].buildings[3].units[1].head`; keys that would read ambiguously are quoted. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((step, i) => {
      if (typeof step === 'number') return `[${step}]`;
      if (/^[^\s.[\]"'()]+$/.test(step)) return i === 0 ? step : `.${step}`;
      return `[${JSON.stringify(step)}]`;
    })
    .join('');
}

function formatProblem(problem: Problem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}

/**
 * Orders problems as their places appear in a well-formed document (keys in schema order, list
 * entries by index), so a long report reads top to bottom. The sort is stable: problems at the
 * same place keep the order they were found in.
 */
function sortByDocumentOrder(problems: Problem[]): Problem[] {
  const rank = (prefix: Path, key: string): number => {
    const index = ledgerKeysAt(prefix)?.indexOf(key) ?? -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  const compare = (a: Path, b: Path): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'string' && typeof y === 'string') {
        return rank(a.slice(0, i), x) - rank(a.slice(0, i), y) || x.localeCompare(y);
      }
      return typeof x === 'number' ? -1 : 1;
    }
    return a.length - b.length;
  };
  return [...problems].sort((p, q) => compare(p.path, q.path));
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
