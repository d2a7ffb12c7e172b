import { formatMonthDay, weekDates, type IsoWeek } from './calendar';
import type { BuildingWeek } from './weekly-figures';

const NUMBERS_SHOWN = 5;

/**
 * The short weekly note to one building's group: its own week in one line. Null when the building
 * had nothing received, resolved or open: a note saying nothing is noise in a residents' group.
 */
export function renderBuildingNote(
  buildingName: string,
  week: IsoWeek,
  figures: BuildingWeek | undefined,
): string | null {
  if (!figures) return null;
  const { received, resolved, stillOpen } = figures;
  if (received === 0 && resolved === 0 && stillOpen.length === 0) return null;
  const { monday, sunday } = weekDates(week);
  const shown = stillOpen.slice(0, NUMBERS_SHOWN).map((no) => `#${no}`);
  const more = stillOpen.length > NUMBERS_SHOWN ? '等' : '';
  const open =
    stillOpen.length > 0 ? `还有 ${stillOpen.length} 件在办（${shown.join('、')}${more}）` : '没有在办的事项';
  return `【${buildingName}本周小结】${formatMonthDay(monday)}—${formatMonthDay(sunday)}：收到 ${received} 件，办结 ${resolved} 件，${open}。谢谢大家！`;
}
