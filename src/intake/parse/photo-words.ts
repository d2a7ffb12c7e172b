import { splitQuotedReply, trimPunctuation, withoutEmoji } from './text';

/**
 * Words people send with a photo only to point at it: `照片`, `如图`, `就是这个！`. Residents add
 * them out of politeness or habit (a phone's share sheet asks for a caption); they say nothing a
 * handler needs, so a photo sent with them is a photo sent on its own (later-photos.ts). Kept to
 * what names or points at the picture, plus a few sentence particles (看一下, 发图了): anything
 * else is a real word and the message is read as one.
 */
const POINTING_WORDS = [
  // The picture itself.
  '照片',
  '图片',
  '相片',
  '图',
  // Pointing at it.
  '看',
  '请看',
  '您看',
  '看图',
  '见图',
  '如图',
  '上图',
  '发图',
  '这个',
  '这张',
  '这里',
  '就是这个',
  '就是这里',
  // Saying it adds to a post.
  '补充照片',
  '补照片',
  '补图',
  // Particles.
  '一下',
  '了',
  '吧',
  '啊',
  '呀',
  '哦',
];

const POINTING = new RegExp(
  `^(?:${[...POINTING_WORDS].sort((a, b) => b.length - a.length).join('|')})+$`,
  'u',
);

/**
 * Longer than any run of pointing words someone types. Also what keeps the pattern cheap: words
 * that overlap (看, 看图) let a failing match be tried in many ways, doubling with each repeat.
 */
const MAX_LETTERS = 16;

/**
 * Whether the text says nothing but pointing words (see above), with any punctuation, spaces,
 * emoji or emoticon codes between them; an empty text does too. People @-ed before the words
 * are left out, as in a post.
 */
export function onlyPointsAtPhotos(text: string): boolean {
  const words = withoutEmoji(splitQuotedReply(text).body)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  if (words.join('').length > MAX_LETTERS) return false;
  return words.every((w) => POINTING.test(w));
}

/**
 * The sender's own words beside a photo (`@睦邻助手 看看这里扶手都快掉了`), as they are kept: without
 * people @-ed before them, a pasted quote, or the punctuation around them.
 */
export function captionOf(text: string): string {
  return trimPunctuation(splitQuotedReply(text).body);
}
