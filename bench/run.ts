import { checkLogsForSecrets } from './lib/log-secrets';
import { benchDigest } from './digest';
import { benchEndToEnd } from './end-to-end';
import { benchFootprint } from './footprint';
import { benchIngest } from './ingest';
import { main } from './lib/suite';
import { benchOutboxDrain } from './outbox-drain';
import { benchOverload } from './overload';
import { benchReminderSweep } from './reminder-sweep';

/**
 * `npm run bench`: Mulin's figures next to their baselines, measured side by side on this machine.
 * `--smoke` runs each briefly (CI: the figures are indicative, only the checks count); `--only`
 * picks benchmarks; `--keep` keeps the logs. Exits 1 when a correctness check fails, and in a full
 * run when a speed goal is missed.
 */
main({
  title: 'benchmarks',
  cases: {
    ingest: benchIngest,
    'end-to-end': benchEndToEnd,
    footprint: benchFootprint,
    digest: benchDigest,
    'reminder-sweep': benchReminderSweep,
    outbox: benchOutboxDrain,
    overload: benchOverload,
  },
  finally: checkLogsForSecrets,
  goalsFail: true,
});
