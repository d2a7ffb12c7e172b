export {
  type Category,
  type CategoryInput,
  type CategoryTable,
  DEFAULT_CATEGORIES,
  DEFAULT_CATEGORY_TABLE,
  buildCategoryTable,
  lookupCategory,
} from './categories';
export {
  type TaggedPost,
  type TaggedRequest,
  type MissingDescription,
  parseTaggedPost,
  suggestTag,
} from './tagged-post';
export { type Location, parseLocation, formatLocation, parseChineseNumber } from './location';
export { type Hazard, type Urgency, type UtilityKind, detectUrgency, detectUtilityKind } from './urgency';
export {
  type CommandName,
  type ParsedCommand,
  type CommandVerbSpec,
  COMMAND_VERBS,
  parseCommand,
} from './command';
export { type ClassifiedMessage, type ClassifyOptions, classifyMessage } from './classify';
export { captionOf, onlyPointsAtPhotos } from './photo-words';
export { hasContent, normalizeSpaces, splitQuotedReply } from './text';
