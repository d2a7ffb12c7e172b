import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { encrypt, getSignature } from '@wecom/crypto';
import { TRIAL_BOT } from '../trial';
import { CONTROL_PREFIX } from '../wecom/simulator';
import type { SimulatedMessage } from '../wecom/simulator';

export const SAY_USAGE = `mulin say --chat CHAT --from USERID [--single] [--service URL] [--simulator URL] "TEXT"
  Plays WeCom: encrypts TEXT as a robot callback from USERID in group CHAT, posts it to the service
  (retrying like WeCom when there is no 200 within 5 s), then prints what the bot sent back: waits
  up to --wait MS (15000) for a reply, then until no more arrive for a second.
  Defaults: --service http://127.0.0.1:$PORT (3000), --simulator on $MULIN_SIMULATOR_PORT (PORT+1);
  credentials from WECOM_BOT_TOKEN and WECOM_BOT_AES_KEY, else the trial's.`;

/** How long to wait for the bot's first reply, unless --wait says otherwise. */
const DEFAULT_WAIT_MS = 15_000;
/** After a reply, how long without another before the bot is taken to have finished. */
const QUIET_MS = 1_000;

interface SimulatorMessages {
  next: number;
  messages: SimulatedMessage[];
}

async function postWithRetries(url: string, body: string, log: (line: string) => void): Promise<boolean> {
  // WeCom waits 5 s for a 200 and tries three times in all.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return true;
      log(`service answered ${res.status} (try ${attempt} of 3)`);
    } catch (error) {
      log(
        `no answer from the service (try ${attempt} of 3): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return false;
}

function describe(m: SimulatedMessage): string {
  const d = m.destination;
  const where =
    d.type === 'group_webhook'
      ? `群(${d.webhookKey.slice(-5)})`
      : d.type === 'response_url'
        ? '回复'
        : `私信 ${d.userIds.join('、')}`;
  const mentions =
    m.body.kind === 'text' && m.body.mentions?.length ? `  @${m.body.mentions.join(' @')}` : '';
  return `睦邻助手 → ${where}:\n${m.body.content.replace(/^/gm, '  ')}${mentions}`;
}

export async function say(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      chat: { type: 'string' },
      from: { type: 'string' },
      single: { type: 'boolean' },
      service: { type: 'string' },
      simulator: { type: 'string' },
      wait: { type: 'string' },
    },
  });
  const text = positionals.join(' ').trim();
  if (!values.from || !text || (!values.chat && !values.single)) {
    process.stderr.write(`${SAY_USAGE}\n`);
    return 2;
  }
  const waitMs = values.wait === undefined ? DEFAULT_WAIT_MS : Number(values.wait);
  if (!Number.isInteger(waitMs) || waitMs < 0) {
    process.stderr.write(`--wait takes milliseconds, a whole number such as 15000, not ${values.wait}\n`);
    return 2;
  }
  // Read as the service reads them (empty is unset), so both look for the simulator on one port.
  const setting = (name: string) => env[name]?.trim() || undefined;
  const port = Number(setting('PORT') ?? 3000);
  const simulatorPort = Number(setting('MULIN_SIMULATOR_PORT') ?? port + 1);
  const service = values.service ?? `http://127.0.0.1:${port}`;
  const simulator = values.simulator ?? `http://127.0.0.1:${simulatorPort}`;
  const token = setting('WECOM_BOT_TOKEN') ?? TRIAL_BOT.token;
  const aesKey = setting('WECOM_BOT_AES_KEY') ?? TRIAL_BOT.aesKey;

  const before = (await (
    await fetch(`${simulator}${CONTROL_PREFIX}/messages?after=999999999`)
  ).json()) as SimulatorMessages;
  const { url: responseUrl } = (await (
    await fetch(`${simulator}${CONTROL_PREFIX}/response-url`, { method: 'POST' })
  ).json()) as { url: string };
  const message = {
    msgid: randomBytes(12).toString('base64'),
    aibotid: 'aibMulinSay',
    ...(values.single ? {} : { chatid: values.chat }),
    chattype: values.single ? 'single' : 'group',
    from: { userid: values.from },
    response_url: responseUrl,
    msgtype: 'text',
    text: { content: text },
  };
  const encrypted = encrypt(aesKey, JSON.stringify(message), '');
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const signature = getSignature(token, timestamp, nonce, encrypted);
  const url = `${service}/wecom/bot?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!(await postWithRetries(url, JSON.stringify({ encrypt: encrypted }), log))) return 1;

  // Print what arrives at the simulator: wait for the first reply as long as --wait allows (the
  // outbox sends it, after its own wait when the machine is busy), then until the replies stop.
  // Waiting less printed nothing here and the late reply under the next message sent.
  const deadline = Date.now() + waitMs;
  let next = before.next;
  let printed = 0;
  let lastArrival = 0;
  while (printed === 0 ? Date.now() < deadline : Date.now() - lastArrival < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const page = (await (
      await fetch(`${simulator}${CONTROL_PREFIX}/messages?after=${next}`)
    ).json()) as SimulatorMessages;
    for (const m of page.messages) {
      process.stdout.write(`${describe(m)}\n`);
      printed++;
      lastArrival = Date.now();
    }
    next = page.next;
  }
  if (printed === 0) process.stdout.write(`（${Math.ceil(waitMs / 1000)}秒内机器人没有回复）\n`);
  return 0;
}
