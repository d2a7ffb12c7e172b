import { z } from 'zod';

/**
 * The ledger (台账): who is who in the street, and which WeCom group belongs to which building.
 * This file holds the shape only; rules that span several places (unique ids, references to
 * people, one group per chat id) live in parse-ledger.ts so that they can be checked even when
 * some other part of the document is malformed.
 *
 * Every object is strict: an unknown key is almost always a typo (`grid_worker`), and a typo in
 * an optional key would otherwise silently drop the setting.
 * The order of keys in each shape is the order the serializer writes them in.
 */

/** 自治提升型 (residents run the building themselves) | 兜底保障型 (the street steps in). */
export const GOVERNANCE_PATHS = ['self_governing', 'street_backed'] as const;
export type GovernancePath = (typeof GOVERNANCE_PATHS)[number];

/** As the requests module assigns them (see requests/due-times.ts). */
export const PRIORITIES = ['urgent', 'normal'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SAFETY_LINE_KINDS = ['gas', 'fire', 'electric', 'elevator', 'water', 'medical'] as const;
export type SafetyLineKind = (typeof SAFETY_LINE_KINDS)[number];

export const DURATION_PATTERN = /^\d+(m|h|d)$/;
const MINUTES_PER_UNIT = { m: 1, h: 60, d: 24 * 60 } as const;

/** `30m` → 30, `2h` → 120, `7d` → 10080. Throws on anything the ledger would reject. */
export function durationToMinutes(duration: string): number {
  const match = DURATION_PATTERN.exec(duration);
  if (!match) throw new RangeError(`not a duration: "${duration}" (expected e.g. 30m, 2h or 7d)`);
  const unit = match[1] as keyof typeof MINUTES_PER_UNIT;
  return Number.parseInt(duration, 10) * MINUTES_PER_UNIT[unit];
}

// WeCom userids: up to 64 letters, digits and _-.@ (case-insensitive on WeCom's side, exact here).
const PERSON_ID = /^[A-Za-z0-9_.@-]{1,64}$/;
const SLUG = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const MOBILE = /^1\d{10}$/;
const WEBHOOK_KEY = /^[A-Za-z0-9_-]+$/;

const slug = (what: string) =>
  z.string().regex(SLUG, `expected ${what} of lowercase letters and digits, joined by "-", "_" or "."`);

const personId = z
  .string()
  .regex(PERSON_ID, 'expected a WeCom userid (letters, digits, "_", "-", "." or "@", at most 64)');

const text = z.string().trim().min(1, { error: 'must not be empty', abort: true });

// Intake cuts a tag word (`#报修`, `【投诉】`) out of a message at these characters.
const tagWord = text.regex(
  /^[^\s#＃【】[\]［］:：@＠]+$/u,
  'a tag word cannot contain spaces, #, brackets, colons or @',
);

const chatId = z.string().regex(/^\S+$/, 'expected the chat id exactly as WeCom sends it (no spaces)');

const webhookKey = z
  .string()
  // People paste the whole URL from the group's robot settings; say what to keep.
  .refine((value) => !value.includes('key=') && !value.includes('://'), {
    error: 'expected just the key, not the webhook URL (keep only what follows "key=")',
    abort: true,
  })
  .regex(WEBHOOK_KEY, 'expected the webhook key (letters, digits and "-")');

const phone = z
  .string({
    // Unquoted in YAML, an 11-digit number arrives as a number.
    error: (issue) =>
      issue.input === undefined ? undefined : 'expected the number in quotes, e.g. "13800000001"',
  })
  .regex(MOBILE, 'expected an 11-digit mobile number starting with 1');

const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration such as 30m, 2h or 7d')
  .refine((value) => !/^0+[mhd]$/.test(value), 'expected a duration longer than zero');

const positiveInt = (what: string) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? undefined : `expected ${what}`) })
    .int(`expected ${what}`)
    .positive(`expected ${what}`);

export const StreetSchema = z.strictObject({
  id: slug('an id'),
  name: text,
  admins: z.array(personId).min(1, 'a street needs at least one admin'),
});

export const PersonSchema = z.strictObject({
  id: personId,
  name: text,
  /** Kept for staff only; never shown in group chats. */
  phone: phone.optional(),
});

export const UnitSchema = z.strictObject({
  no: positiveInt('a unit number (a whole number from 1)'),
  /** 单元长; a unit may have none yet. */
  head: personId.optional(),
});

export const BuildingSchema = z.strictObject({
  id: slug('an id'),
  name: text,
  path: z.enum(GOVERNANCE_PATHS, {
    error: (issue) =>
      issue.input === undefined
        ? undefined
        : 'expected self_governing (自治提升型) or street_backed (兜底保障型)',
  }),
  /** Absent while the building has no group yet. */
  chat_id: chatId.optional(),
  webhook_key: webhookKey.optional(),
  /** 楼长 */
  head: personId.optional(),
  households: positiveInt('a number of households (a whole number from 1)').optional(),
  /** Whether the building has a lift (e.g. 加装电梯), so the lift hotline is worth showing. */
  elevator: z.boolean().optional(),
  units: z.array(UnitSchema).optional(),
  /**
   * The street's survey of the building (楼栋画像): residents' structure, facilities,
   * self-governance base… Free keys, as each street words its own survey; shown on its page.
   */
  profile: z
    .record(
      z.string().regex(/^\S(.{0,38}\S)?$/u),
      z.union([text, z.number(), z.boolean(), z.array(text)], {
        error: (issue) =>
          issue.input === undefined ? undefined : 'expected text, a number, true/false or a list of text',
      }),
      {
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'expected a short label (at most 40 characters, no outer spaces)'
            : undefined,
      },
    )
    .optional(),
});

export const CompoundSchema = z.strictObject({
  id: slug('an id'),
  name: text,
  address: text.optional(),
  /** 网格员 */
  grid_workers: z.array(personId).min(1, 'a compound needs at least one grid worker'),
  buildings: z.array(BuildingSchema),
});

export const TeamSchema = z.strictObject({
  id: slug('an id'),
  name: text,
  members: z.array(personId).min(1, 'a team needs at least one member'),
  /** Words in a request that suggest this team. */
  keywords: z.array(text),
  /** Compound ids the team serves; absent means the whole street. */
  compounds: z.array(slug('a compound id')).optional(),
});

export const LeadershipSchema = z.strictObject({
  name: text.optional(),
  chat_id: chatId.optional(),
  webhook_key: webhookKey.optional(),
  members: z.array(personId).min(1, 'the leadership group needs at least one member'),
});

/**
 * A category beyond the defaults (intake/parse/categories.ts), or more synonyms for a default one
 * when `code` is one of theirs.
 */
export const CategorySchema = z.strictObject({
  code: slug('a category code'),
  name: tagWord,
  synonyms: z.array(tagWord).optional(),
});

export const SafetyLinesSchema = z.strictObject({
  gas: text.optional(),
  fire: text.optional(),
  electric: text.optional(),
  elevator: text.optional(),
  water: text.optional(),
  medical: text.optional(),
});

/**
 * One override of the response clocks. The selectors (category, priority, utility) that are
 * present must all match; a rule without selectors matches every request.
 */
export const ResponseClockSchema = z.strictObject({
  category: slug('a category code').optional(),
  priority: z
    .enum(PRIORITIES, {
      error: (issue) => (issue.input === undefined ? undefined : `expected one of ${PRIORITIES.join(', ')}`),
    })
    .optional(),
  /** Requests about water, power or gas supply (水电气). */
  utility: z.boolean().optional(),
  acknowledge: duration.optional(),
  resolve: duration.optional(),
});

export const LedgerSchema = z.strictObject({
  street: StreetSchema,
  people: z.array(PersonSchema),
  compounds: z.array(CompoundSchema).min(1, 'the ledger needs at least one compound'),
  teams: z.array(TeamSchema),
  leadership: LeadershipSchema,
  categories: z.array(CategorySchema).optional(),
  safety_lines: SafetyLinesSchema.optional(),
  response_clocks: z.array(ResponseClockSchema).optional(),
});

export type Street = z.infer<typeof StreetSchema>;
export type Person = z.infer<typeof PersonSchema>;
export type Unit = z.infer<typeof UnitSchema>;
export type Building = z.infer<typeof BuildingSchema>;
export type Compound = z.infer<typeof CompoundSchema>;
export type Team = z.infer<typeof TeamSchema>;
export type Leadership = z.infer<typeof LeadershipSchema>;
export type LedgerCategory = z.infer<typeof CategorySchema>;
export type SafetyLines = z.infer<typeof SafetyLinesSchema>;
export type ResponseClock = z.infer<typeof ResponseClockSchema>;
export type LedgerDocument = z.infer<typeof LedgerSchema>;

/** Strips the wrappers that do not change which keys an object has. */
function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

/**
 * The keys of the object schema found at `path` inside the ledger schema (array indexes step
 * into elements), in declaration order; undefined when `path` does not lead to an object.
 * Used to suggest the right key for a typo and to write keys in a stable order.
 */
export function ledgerKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  const schema = schemaAt(LedgerSchema, path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(root);
  for (const step of path) {
    if (current instanceof z.ZodArray && typeof step === 'number') {
      current = unwrap(current.element as z.ZodType);
    } else if (current instanceof z.ZodObject && typeof step === 'string') {
      const child: z.ZodType | undefined = (current.shape as Record<string, z.ZodType | undefined>)[step];
      current = child && unwrap(child);
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}
