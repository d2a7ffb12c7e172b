import { isIP } from 'node:net';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';

/** The robot's display name when WECOM_BOT_NAME is unset: what residents @ in the groups. */
export const DEFAULT_BOT_NAME = '睦邻助手';

/**
 * The whole environment Mulin reads, parsed once at start.
 * Empty strings count as unset, so `FOO=` in a .env file does not turn a channel half on.
 */

const AES_KEY = /^[A-Za-z0-9]{43}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const optionalText = z.string().min(1).optional();

/** A job's schedule: a node-cron expression read in MULIN_TIMEZONE, or `off`. */
const schedule = (fallback: string) =>
  z
    .string()
    .refine(
      (value) => value === 'off' || isCronExpression(value),
      'expected a cron expression such as "0 9 * * 1" (minute hour day month weekday), or off',
    )
    .default(fallback);

const QUIET_HOURS = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const DURATION = /^(\d+)(m|h|d)$/;
const MINUTES_PER = { m: 1, h: 60, d: 1440 } as const;

/** 21:00-08:00 → minutes after midnight; null for off. Only called on values the schema accepted. */
function quietHoursOf(value: string): { start: number; end: number } | null {
  const m = QUIET_HOURS.exec(value);
  if (!m) return null;
  return { start: Number(m[1]) * 60 + Number(m[2]), end: Number(m[3]) * 60 + Number(m[4]) };
}

function minutesOf(duration: string): number {
  const m = DURATION.exec(duration);
  return m ? Number(m[1]) * MINUTES_PER[m[2] as keyof typeof MINUTES_PER] : 0;
}

/** An IP address, or a CIDR range such as 10.0.0.0/8 or fd00::/8. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** Long enough for any real host name; a link per request in the digest must stay a short line. */
const PUBLIC_URL_MAX = 200;

/**
 * An http(s) origin, as typed (a trailing slash allowed), or null. A path is refused as well as a
 * query: the pages answer at /admin on the address itself, and their redirects say so. So are a
 * user name and password, which would be posted in every link.
 */
function publicOrigin(value: string): string | null {
  if (value.length > PUBLIC_URL_MAX || /[\s?#]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  if (!web || url.username !== '' || url.password !== '' || url.pathname !== '/') return null;
  return url.origin;
}

const aesKey = z
  .string()
  .regex(AES_KEY, 'expected the 43-character EncodingAESKey (letters and digits) from the admin console')
  .optional();

const EnvSchema = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a port number')
    .min(1, 'expected a port number from 1 to 65535')
    .max(65535, 'expected a port number from 1 to 65535')
    .default(3000),
  // Unset: every interface, as Node listens by default (a container's port mapping needs that).
  HOST: optionalText,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// connection URL')
    .optional(),
  DATABASE_PREPARE: z
    .enum(['on', 'off'], { error: 'expected on or off (off for PgBouncer in transaction mode)' })
    .default('on'),
  MULIN_DATA_DIR: z.string().min(1).default('./data'),
  MULIN_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  MULIN_LEDGER: optionalText,
  MULIN_REMINDER_SCHEDULE: schedule('*/10 * * * *'),
  MULIN_AUTO_CLOSE_SCHEDULE: schedule('0 * * * *'),
  MULIN_DIGEST_SCHEDULE: schedule('0 9 * * 1'),
  MULIN_BUILDING_NOTE_SCHEDULE: schedule('30 9 * * 1'),
  MULIN_QUIET_HOURS: z
    .string()
    .refine((value) => {
      if (value === 'off') return true;
      const quiet = quietHoursOf(value);
      return quiet !== null && quiet.start !== quiet.end;
    }, 'expected a nightly window such as 21:00-08:00 (24-hour clock), or off')
    .default('21:00-08:00'),
  MULIN_AUTO_CLOSE_AFTER: z
    .string()
    .refine((value) => minutesOf(value) > 0, 'expected a duration such as 72h, 3d or 90m')
    .default('72h'),
  MULIN_ADMIN_TOKEN: z
    .string()
    .min(16, 'expected at least 16 characters (it guards the admin API and pages)')
    .optional(),
  MULIN_PUBLIC_URL: z
    .string()
    .refine(
      (value) => publicOrigin(value) !== null,
      'expected the address the street office pages are opened at, such as https://mulin.example.gov.cn (http or https, no path, query or password)',
    )
    .transform((value) => publicOrigin(value) as string)
    .optional(),
  MULIN_TRUSTED_PROXIES: z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .refine(
      (entries) => entries.every(isAddressOrRange),
      'expected IP addresses or ranges of the reverse proxies in front of Mulin, separated by commas (such as 127.0.0.1 or 10.0.0.0/8)',
    )
    .optional(),
  WECOM_CORP_ID: optionalText,
  WECOM_CORP_SECRET: optionalText,
  WECOM_AGENT_ID: z.coerce
    .number({ error: 'expected the numeric AgentId of the self-built app' })
    .int('expected the numeric AgentId of the self-built app')
    .positive('expected the numeric AgentId of the self-built app')
    .optional(),
  WECOM_CALLBACK_TOKEN: optionalText,
  WECOM_CALLBACK_AES_KEY: aesKey,
  WECOM_BOT_TOKEN: optionalText,
  WECOM_BOT_AES_KEY: aesKey,
  WECOM_TIMESTAMP_TOLERANCE_S: z.coerce
    .number({ error: 'expected a whole number of seconds (0 turns the check off)' })
    .int('expected a whole number of seconds (0 turns the check off)')
    .min(0, 'expected a whole number of seconds (0 turns the check off)')
    .default(300),
  WECOM_BOT_NAME: z.string().min(1).default(DEFAULT_BOT_NAME),
  MULIN_TRIAL: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['auto', 'off'], { error: 'expected auto or off' }))
    .default('auto'),
  MULIN_SIMULATOR_PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a port number')
    .min(1, 'expected a port number from 1 to 65535')
    .max(65535, 'expected a port number from 1 to 65535')
    .optional(),
  WECOM_API_BASE: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'expected an http(s) origin such as https://qyapi.weixin.qq.com')
    .default('https://qyapi.weixin.qq.com'),
});

export interface CallbackChannelConfig {
  /** Signs callbacks: the Token entered in the admin console. */
  readonly token: string;
  /** The EncodingAESKey entered in the admin console. */
  readonly aesKey: string;
  /** What the decrypted payload must name as its receiver: the corp id for the app, "" for the bot. */
  readonly receiveId: string;
}

export interface Config {
  readonly port: number;
  /** The address to listen on; undefined: every interface. */
  readonly host: string | undefined;
  readonly databaseUrl: string | undefined;
  /** Whether statements are sent as named prepared statements (PostgreSQL only). */
  readonly prepareStatements: boolean;
  readonly dataDir: string;
  readonly timezone: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** A ledger file imported at start, if set. */
  readonly ledgerFile: string | undefined;
  /** Guards /api (and later /admin); unset turns them off. */
  readonly adminToken: string | undefined;
  /**
   * Where people open the street office pages (an origin such as https://mulin.example.gov.cn),
   * for links in messages to street staff and leadership; undefined: no links.
   */
  readonly publicUrl: string | undefined;
  /**
   * The reverse proxies whose X-Forwarded-For names the client (addresses or CIDR ranges); empty:
   * the client is the connection's peer, as for failed sign-ins counted per address.
   */
  readonly trustedProxies: readonly string[];
  /** The scheduler's jobs (cron expressions in `timezone`; null when off) and its rules. */
  readonly schedule: {
    readonly reminders: string | null;
    readonly autoClose: string | null;
    readonly weeklyDigest: string | null;
    readonly buildingNotes: string | null;
    /** Minutes after local midnight; start after end wraps past midnight. null: never quiet. */
    readonly quietHours: { readonly start: number; readonly end: number } | null;
    readonly autoCloseAfterMinutes: number;
  };
  readonly wecom: {
    readonly apiBase: string;
    readonly timestampToleranceS: number;
    /** The robot's display name, as it appears in @mentions. */
    readonly botName: string;
    /** null when the self-built app channel is off. */
    readonly app: CallbackChannelConfig | null;
    /** null when the intelligent robot channel is off. */
    readonly bot: CallbackChannelConfig | null;
    /** The self-built app's API credentials for private notices; null when not configured. */
    readonly appApi: {
      readonly corpId: string;
      readonly corpSecret: string;
      readonly agentId: number;
    } | null;
  };
  /** Local trial against the built-in WeCom simulator (src/trial.ts). */
  readonly trial: {
    /** off: never; auto: when no WeCom credentials are set. */
    readonly mode: 'auto' | 'off';
    /** Where the trial's simulator listens (PORT + 1 unless set); `mulin say` looks there too. */
    readonly simulatorPort: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The variables that turn a channel on; all or none must be set. */
const CHANNELS = {
  app: ['WECOM_CORP_ID', 'WECOM_CALLBACK_TOKEN', 'WECOM_CALLBACK_AES_KEY'],
  bot: ['WECOM_BOT_TOKEN', 'WECOM_BOT_AES_KEY'],
  appApi: ['WECOM_CORP_ID', 'WECOM_CORP_SECRET', 'WECOM_AGENT_ID'],
} as const;

const PURPOSE: Record<keyof typeof CHANNELS, string> = {
  app: 'the self-built app callback',
  bot: 'the intelligent robot callback',
  appApi: 'sending private notices through the self-built app',
};

export function channelVariables(channel: 'app' | 'bot'): readonly string[] {
  return CHANNELS[channel];
}

function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[name] = value.trim();
  }
  return out;
}

/**
 * Parses the environment into a frozen Config, or throws a ConfigError naming every bad
 * variable and what it expects. Values are never echoed: some of them are secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = withoutEmpty(env);
  const parsed = EnvSchema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
  }
  for (const [channel, names] of Object.entries(CHANNELS)) {
    const set = names.filter((n) => n in present);
    // The corp id alone serves the app callback; it does not half-configure the app API.
    if (channel === 'appApi' && set.length === 1 && set[0] === 'WECOM_CORP_ID') continue;
    if (set.length > 0 && set.length < names.length) {
      const missing = names.filter((n) => !(n in present));
      problems.push(
        `${missing.join(', ')}: required because ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set (${PURPOSE[channel as keyof typeof CHANNELS]} needs all of ${names.join(', ')})`,
      );
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  const app =
    e.WECOM_CORP_ID && e.WECOM_CALLBACK_TOKEN && e.WECOM_CALLBACK_AES_KEY
      ? { token: e.WECOM_CALLBACK_TOKEN, aesKey: e.WECOM_CALLBACK_AES_KEY, receiveId: e.WECOM_CORP_ID }
      : null;
  const bot =
    e.WECOM_BOT_TOKEN && e.WECOM_BOT_AES_KEY
      ? { token: e.WECOM_BOT_TOKEN, aesKey: e.WECOM_BOT_AES_KEY, receiveId: '' }
      : null;
  const appApi =
    e.WECOM_CORP_ID && e.WECOM_CORP_SECRET && e.WECOM_AGENT_ID
      ? { corpId: e.WECOM_CORP_ID, corpSecret: e.WECOM_CORP_SECRET, agentId: e.WECOM_AGENT_ID }
      : null;
  return deepFreeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    prepareStatements: e.DATABASE_PREPARE === 'on',
    dataDir: e.MULIN_DATA_DIR,
    timezone: e.MULIN_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    ledgerFile: e.MULIN_LEDGER,
    adminToken: e.MULIN_ADMIN_TOKEN,
    publicUrl: e.MULIN_PUBLIC_URL,
    trustedProxies: e.MULIN_TRUSTED_PROXIES ?? [],
    schedule: {
      reminders: e.MULIN_REMINDER_SCHEDULE === 'off' ? null : e.MULIN_REMINDER_SCHEDULE,
      autoClose: e.MULIN_AUTO_CLOSE_SCHEDULE === 'off' ? null : e.MULIN_AUTO_CLOSE_SCHEDULE,
      weeklyDigest: e.MULIN_DIGEST_SCHEDULE === 'off' ? null : e.MULIN_DIGEST_SCHEDULE,
      buildingNotes: e.MULIN_BUILDING_NOTE_SCHEDULE === 'off' ? null : e.MULIN_BUILDING_NOTE_SCHEDULE,
      quietHours: quietHoursOf(e.MULIN_QUIET_HOURS),
      autoCloseAfterMinutes: minutesOf(e.MULIN_AUTO_CLOSE_AFTER),
    },
    wecom: {
      apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
      timestampToleranceS: e.WECOM_TIMESTAMP_TOLERANCE_S,
      botName: e.WECOM_BOT_NAME,
      app,
      bot,
      appApi,
    },
    trial: { mode: e.MULIN_TRIAL, simulatorPort: e.MULIN_SIMULATOR_PORT ?? e.PORT + 1 },
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
