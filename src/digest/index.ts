/**
 * The weekly figures and their rendering. weekly-figures.ts holds the one definition of every rate
 * (the digest, the API and the tests all use it); build-digest.ts gathers a week; render-digest.ts
 * writes it as WeCom markdown in parts within the byte limit.
 */
export * from './calendar';
export {
  compoundWeek,
  rate,
  weeklyFigures,
  weeklyFiguresForAll,
  weeklyFiguresWithBuildings,
  buildingWeeks,
  type Rate,
  type WeeklyFigures,
  type WeeklyFiguresQuery,
  type BuildingWeek,
} from './weekly-figures';
export {
  weekExceptions,
  type WeekExceptions,
  type RequestBrief,
  type OverdueRequest,
  type ReopenedRequest,
  type CouncilItem,
} from './week-exceptions';
export { buildDigest, type Digest, type CompoundDigest, type QuietBuilding } from './build-digest';
export { renderDigest } from './render-digest';
export { renderBuildingNote } from './building-note';
export { packParts } from './pack-parts';
export { percent, duration, age } from './format-figures';
