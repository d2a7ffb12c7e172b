import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { describeImport, importLedgerFile } from './ledger/import-file';
import { currentLedgerDocument } from './ledger/ledger-store';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';
import { projectRoot } from './shared/project-root';
import { WecomSimulator } from './wecom/simulator';

/**
 * Local trial: with no WeCom credentials at all, `npm start` runs Mulin against the built-in WeCom
 * simulator with the example street, so anyone can try it with `mulin say`. These credentials
 * are public and only ever meet the local simulator.
 */
export const TRIAL_BOT = {
  token: 'mulinTrialToken',
  aesKey: 'mulinTrialAesKey0123456789abcdefghijklmnopq',
} as const;

export function trialWanted(config: Config): boolean {
  if (config.trial.mode === 'off') return false;
  return config.wecom.app === null && config.wecom.bot === null && config.wecom.appApi === null;
}

export interface Trial {
  readonly config: Config;
  readonly simulator: WecomSimulator;
  /** Loads the example street when the database has no ledger yet. */
  seed(dataSource: DataSource, clock: Clock): Promise<void>;
}

export async function startTrial(config: Config, logger: Logger): Promise<Trial> {
  const simulator = new WecomSimulator({ acceptAnyWebhookKey: true });
  await simulator.start(config.trial.simulatorPort);
  const trialConfig: Config = {
    ...config,
    wecom: {
      ...config.wecom,
      apiBase: simulator.url,
      bot: { token: TRIAL_BOT.token, aesKey: TRIAL_BOT.aesKey, receiveId: '' },
    },
  };
  logger.warn(
    { simulator: simulator.url },
    'trial mode: no WeCom credentials are set, so Mulin talks to its built-in WeCom simulator (set MULIN_TRIAL=off to disable)',
  );
  return {
    config: trialConfig,
    simulator,
    async seed(dataSource, clock) {
      if (config.ledgerFile || (await currentLedgerDocument(dataSource))) return;
      const file = path.join(projectRoot(), 'examples', 'ledger.yaml');
      const result = await importLedgerFile(dataSource, file, clock);
      if (result.ok) logger.info({ file }, `trial: ${describeImport(result)}`);
      logger.info(
        `trial: try  npm run mulin -- say --chat wrkB7FAKEjiangwan07 --from zhang.min "@睦邻助手 #报修 2单元楼道灯不亮"`,
      );
    },
  };
}
