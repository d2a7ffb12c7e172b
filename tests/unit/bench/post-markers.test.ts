import fc from 'fast-check';
import { planMessages } from '../../../bench/lib/callbacks';
import { runId } from '../../../bench/lib/context';
import { maskPhones } from '../../../src/requests/format';

/**
 * Each benchmark post ends with a marker that its receipt must repeat, so the end-to-end check can
 * match receipts to callbacks. The receipt masks phone numbers (7–8 digit landlines too), so a
 * marker whose run id and sequence number read together as a phone was masked, and every receipt
 * after the hundredth counted as out of order (CI, session 9: 203 of 500, run id all digits).
 */
describe('benchmark post markers', () => {
  it('are never masked as a phone number, whatever the run id and sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seq) => {
        const id = runId();
        const [post] = planMessages({
          count: 1,
          shape: { buildings: 10 },
          seed: 1,
          runId: id,
          firstSeq: seq,
          mix: { post: 1, command: 0, chatter: 0 },
        });
        const marker = post?.text.slice(post.text.lastIndexOf(' ') + 1) ?? '';
        expect(maskPhones(marker)).toBe(marker);
      }),
      { numRuns: 2000 },
    );
  });

  it('include run ids made of digits only', () => {
    const [post] = planMessages({
      count: 1,
      shape: { buildings: 10 },
      seed: 1,
      runId: '4821',
      firstSeq: 137,
      mix: { post: 1, command: 0, chatter: 0 },
    });
    const marker = post?.text.slice(post.text.lastIndexOf(' ') + 1) ?? '';
    expect(maskPhones(marker)).toBe(marker);
  });
});
