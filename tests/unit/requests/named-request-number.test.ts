import { namedRequestNumber, requestNumberIn } from '../../../src/requests/request-search';

describe('a request number typed in the search box', () => {
  it.each([
    ['#12', 12],
    ['＃12', 12],
    ['12号', 12],
    [' 12号 ', 12],
    ['#007', 7],
  ])('takes %s as request %i alone', (text, no) => {
    expect(namedRequestNumber(text)).toBe(no);
  });

  it.each(['12', '12号楼', '#12a', '号', '#', '1234567890号', '12 号', undefined])(
    'does not take %s as a number written as one',
    (text) => {
      expect(namedRequestNumber(text)).toBeUndefined();
    },
  );

  it('lists a bare number first among the texts holding it, and only a bare one', () => {
    expect(requestNumberIn(' 12 ')).toBe(12);
    expect(requestNumberIn('#12')).toBeUndefined();
  });
});
