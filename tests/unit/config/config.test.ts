import { ConfigError, loadConfig } from '../../../src/config';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts with defaults and both channels off when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      prepareStatements: true,
      dataDir: './data',
      timezone: 'Asia/Shanghai',
      logLevel: 'info',
      wecom: {
        apiBase: 'https://qyapi.weixin.qq.com',
        timestampToleranceS: 300,
        botName: '睦邻助手',
        app: null,
        bot: null,
      },
    });
    expect(Object.isFrozen(config.wecom)).toBe(true);
  });

  it('turns each channel on with its credentials and the right receiveid', () => {
    const config = loadConfig({
      WECOM_CORP_ID: 'ww123',
      WECOM_CALLBACK_TOKEN: 'appTok',
      WECOM_CALLBACK_AES_KEY: KEY,
      WECOM_BOT_TOKEN: 'botTok',
      WECOM_BOT_AES_KEY: KEY,
      WECOM_API_BASE: 'http://127.0.0.1:4000/',
      WECOM_TIMESTAMP_TOLERANCE_S: '0',
      DATABASE_URL: 'postgres://u@localhost:5432/db',
    });
    expect(config.wecom.app).toEqual({ token: 'appTok', aesKey: KEY, receiveId: 'ww123' });
    expect(config.wecom.bot).toEqual({ token: 'botTok', aesKey: KEY, receiveId: '' });
    expect(config.wecom.apiBase).toBe('http://127.0.0.1:4000');
    expect(config.wecom.timestampToleranceS).toBe(0);
    expect(config.databaseUrl).toBe('postgres://u@localhost:5432/db');
  });

  it('turns prepared statements off with DATABASE_PREPARE=off, and refuses anything but on or off', () => {
    expect(loadConfig({ DATABASE_PREPARE: 'off' }).prepareStatements).toBe(false);
    expect(loadConfig({ DATABASE_PREPARE: 'on' }).prepareStatements).toBe(true);
    expect(problemsOf({ DATABASE_PREPARE: 'no' })).toEqual([
      expect.stringMatching(/^DATABASE_PREPARE: expected on or off/),
    ]);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', WECOM_BOT_TOKEN: ' ', WECOM_BOT_AES_KEY: '' }).wecom.bot).toBeNull();
  });

  it('names every bad variable at once, with what it expects', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      MULIN_TIMEZONE: 'Mars/Olympus',
      LOG_LEVEL: 'loud',
      WECOM_TIMESTAMP_TOLERANCE_S: '-5',
      WECOM_API_BASE: 'qyapi.weixin.qq.com',
    });
    const names = problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'MULIN_TIMEZONE',
        'LOG_LEVEL',
        'WECOM_TIMESTAMP_TOLERANCE_S',
        'WECOM_API_BASE',
      ]),
    );
    expect(problems.find((p) => p.startsWith('MULIN_TIMEZONE'))).toContain('Asia/Shanghai');
  });

  it('refuses a half-configured channel, naming what is missing', () => {
    const problems = problemsOf({ WECOM_CORP_ID: 'ww123', WECOM_CALLBACK_TOKEN: 'tok' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^WECOM_CALLBACK_AES_KEY: required because WECOM_CORP_ID, WECOM_CALLBACK_TOKEN are set/,
    );
  });

  it('reads the trial settings like every other variable: empty is unset, a typo is refused', () => {
    expect(loadConfig({}).trial).toEqual({ mode: 'auto', simulatorPort: 3001 });
    expect(loadConfig({ PORT: '4000' }).trial.simulatorPort).toBe(4001);
    expect(loadConfig({ MULIN_TRIAL: 'OFF', MULIN_SIMULATOR_PORT: '5000' }).trial).toEqual({
      mode: 'off',
      simulatorPort: 5000,
    });
    // `MULIN_SIMULATOR_PORT=` used to mean port 0 (any free port), where `mulin say` never looks.
    expect(loadConfig({ MULIN_SIMULATOR_PORT: '' }).trial.simulatorPort).toBe(3001);
    const names = problemsOf({ MULIN_TRIAL: 'no', MULIN_SIMULATOR_PORT: 'abc' }).map((p) => p.split(':')[0]);
    expect(names).toEqual(['MULIN_TRIAL', 'MULIN_SIMULATOR_PORT']);
  });

  it('reads the trusted proxies as addresses and ranges, and refuses anything else', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(
      loadConfig({ MULIN_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustedProxies,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const bad of ['proxy.local', '10.0.0.0/33', '127.0.0.1,', '::1/129', '*']) {
      expect(problemsOf({ MULIN_TRUSTED_PROXIES: bad })).toEqual([
        expect.stringMatching(/^MULIN_TRUSTED_PROXIES: expected IP addresses or ranges/),
      ]);
    }
  });

  it("reads the pages' public address as an origin, and refuses anything that is not one", () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ MULIN_PUBLIC_URL: '' }).publicUrl).toBeUndefined();
    expect(loadConfig({ MULIN_PUBLIC_URL: 'https://mulin.example.gov.cn' }).publicUrl).toBe(
      'https://mulin.example.gov.cn',
    );
    // One spelling of each address: the scheme and host in lower case, no default port, no slash.
    expect(loadConfig({ MULIN_PUBLIC_URL: 'HTTPS://Mulin.Example.gov.cn:443/' }).publicUrl).toBe(
      'https://mulin.example.gov.cn',
    );
    expect(loadConfig({ MULIN_PUBLIC_URL: 'http://10.1.2.3:8080' }).publicUrl).toBe('http://10.1.2.3:8080');
    for (const bad of [
      'mulin.example.gov.cn',
      '/admin',
      'ftp://mulin.example.gov.cn',
      'https://mulin.example.gov.cn/?from=chat',
      'https://mulin.example.gov.cn/#top',
      'https://mulin.example.gov.cn/mulin',
      'https://staff:secret@mulin.example.gov.cn',
      'https://mulin.example.gov.cn/ x',
      `https://${'a'.repeat(200)}.example.gov.cn`,
    ]) {
      expect(problemsOf({ MULIN_PUBLIC_URL: bad })).toEqual([
        expect.stringMatching(
          /^MULIN_PUBLIC_URL: expected the address the street office pages are opened at/,
        ),
      ]);
    }
  });

  it('never echoes a secret value in its message', () => {
    const secretKey = 'short-secret-key-value';
    const secretToken = 'tokenValueThatIsSecret';
    try {
      loadConfig({ WECOM_BOT_TOKEN: secretToken, WECOM_BOT_AES_KEY: secretKey });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('WECOM_BOT_AES_KEY');
      expect(message).not.toContain(secretKey);
      expect(message).not.toContain(secretToken);
    }
  });
});
