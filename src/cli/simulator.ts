import { parseArgs } from 'node:util';
import { WecomSimulator } from '../wecom/simulator';

export const SIMULATOR_USAGE = `mulin simulator [--port N]
  Runs the WeCom simulator (webhook send, response_url, gettoken, message/send) until Ctrl-C.
  Point WECOM_API_BASE at it. Control: GET /_simulator/messages, POST /_simulator/fault {"mode":"rate_limit"}.`;

export async function simulator(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { port: { type: 'string' } } });
  const sim = new WecomSimulator({ acceptAnyWebhookKey: true });
  await sim.start(Number(values.port ?? 3001));
  process.stdout.write(`WeCom simulator on ${sim.url} (WECOM_API_BASE=${sim.url})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}
