import { checkLogsForSecrets } from '../bench/lib/log-secrets';
import { main } from '../bench/lib/suite';
import { chaosDatabaseOutage } from './database-outage';
import { chaosFuzz } from './fuzz';
import { chaosRetryStorm } from './retry-storm';
import { chaosSchedulerInstances } from './scheduler-instances';
import { chaosSigkill } from './sigkill';
import { chaosSimulatorFaults } from './simulator-faults';

/**
 * `npm run chaos`: retries, crashes and outages on loopback, each case ending with a check that
 * nothing was lost or duplicated. `--smoke` runs each briefly (CI), `--only` picks cases, `--keep`
 * keeps the logs. Exits 1 when any check fails.
 */
main({
  title: 'chaos',
  cases: {
    'retry-storm': chaosRetryStorm,
    sigkill: chaosSigkill,
    'database-outage': chaosDatabaseOutage,
    'wecom-faults': chaosSimulatorFaults,
    fuzz: chaosFuzz,
    'scheduler-instances': chaosSchedulerInstances,
  },
  finally: checkLogsForSecrets,
  goalsFail: false,
});
