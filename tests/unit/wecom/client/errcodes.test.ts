import { outcomeOfErrcode } from '../../../../src/wecom/client';

describe('outcomeOfErrcode', () => {
  it('counts errcode 0 as delivered', () => {
    expect(outcomeOfErrcode(0)).toEqual({ ok: true });
  });

  it.each([
    [-1, 'WeCom busy'],
    [45009, 'rate limited'],
    [45033, 'concurrency limit'],
  ])('retries %i (%s)', (errcode) => {
    expect(outcomeOfErrcode(errcode)).toMatchObject({ ok: false, retry: true, errcode });
  });

  it.each([
    [93000, 'webhook key invalid'],
    [40008, 'invalid msgtype'],
    [40058, 'content too long'],
    [81013, 'no valid recipients'],
    [60020, 'IP not trusted'],
    [40001, 'bad secret'],
    [40013, 'bad corp id'],
    [40014, 'token invalid (after the client has refreshed once)'],
    [48002, 'an errcode nobody listed'],
  ])('does not retry %i (%s)', (errcode) => {
    const outcome = outcomeOfErrcode(errcode);
    expect(outcome).toMatchObject({ ok: false, retry: false, errcode });
    expect(outcome.ok ? '' : outcome.reason).toContain(`errcode ${errcode}`);
  });
});
