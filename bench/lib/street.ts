import { validateLedger, type LedgerDocument } from '../../src/ledger';

/**
 * A synthetic street of any size for the benchmarks and the chaos cases: compounds of
 * `buildingsPerCompound` buildings, each with a group, a webhook key, a head and unit heads. Names
 * and ids are derived from the index, so a building's chat id, key and heads can be recomputed
 * without keeping the document around.
 */
export interface StreetShape {
  readonly buildings: number;
  readonly buildingsPerCompound?: number;
  /** Units per building, each with its own head (0 keeps the ledger small for huge streets). */
  readonly unitsPerBuilding?: number;
}

export interface BuildingIds {
  readonly index: number;
  readonly id: string;
  readonly compoundId: string;
  readonly chatId: string;
  readonly webhookKey: string;
  readonly headId: string;
  readonly unitHeadIds: readonly string[];
  readonly gridWorkerId: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Webhook keys carry this prefix, so a log scan can find any of them by pattern. */
export const WEBHOOK_KEY_PREFIX = 'benchKEY';
export const LEADERSHIP_WEBHOOK_KEY = `${WEBHOOK_KEY_PREFIX}-leadership-9f3c2a7d`;

/** The ids of building `index` (0-based) in a street of this shape. */
export function buildingIds(index: number, shape: StreetShape): BuildingIds {
  const perCompound = shape.buildingsPerCompound ?? 20;
  const compound = Math.floor(index / perCompound);
  const units = shape.unitsPerBuilding ?? 2;
  const b = pad(index + 1, 5);
  // Not guessable from the index alone in a log line, yet reproducible: a cheap hash of it.
  const salt = ((index + 1) * 2654435761) >>> 0;
  return {
    index,
    id: `b${b}`,
    compoundId: `c${pad(compound + 1, 4)}`,
    chatId: `wrkBench${b}`,
    webhookKey: `${WEBHOOK_KEY_PREFIX}-${b}-${salt.toString(16).padStart(8, '0')}`,
    headId: `head.${b}`,
    unitHeadIds: Array.from({ length: units }, (_, u) => `unit${u + 1}.${b}`),
    gridWorkerId: `grid.c${pad(compound + 1, 4)}`,
  };
}

/** A valid ledger document for the shape; throws with the problems if it is not (a bug here). */
export function syntheticLedger(shape: StreetShape): LedgerDocument {
  const perCompound = shape.buildingsPerCompound ?? 20;
  const compoundCount = Math.ceil(shape.buildings / perCompound);
  const people: { id: string; name: string }[] = [
    { id: 'admin.street', name: '街道管理员' },
    { id: 'leader.one', name: '街道领导' },
  ];
  const compounds = [];
  for (let c = 0; c < compoundCount; c++) {
    const buildings = [];
    let gridWorkerId = '';
    for (let i = c * perCompound; i < Math.min(shape.buildings, (c + 1) * perCompound); i++) {
      const ids = buildingIds(i, shape);
      gridWorkerId = ids.gridWorkerId;
      people.push({ id: ids.headId, name: `楼长${i + 1}` });
      for (const [u, unitHead] of ids.unitHeadIds.entries())
        people.push({ id: unitHead, name: `单元长${i + 1}-${u + 1}` });
      buildings.push({
        id: ids.id,
        name: `${(i % perCompound) + 1}号楼`,
        path: i % 5 === 0 ? ('street_backed' as const) : ('self_governing' as const),
        chat_id: ids.chatId,
        webhook_key: ids.webhookKey,
        head: ids.headId,
        households: 24 + (i % 40),
        ...(ids.unitHeadIds.length > 0
          ? { units: ids.unitHeadIds.map((head, u) => ({ no: u + 1, head })) }
          : {}),
      });
    }
    people.push({ id: gridWorkerId, name: `网格员${c + 1}` });
    compounds.push({
      id: `c${pad(c + 1, 4)}`,
      name: `第${c + 1}小区`,
      grid_workers: [gridWorkerId],
      buildings,
    });
  }
  const document = {
    street: { id: 'bench-street', name: '基准街道', admins: ['admin.street'] },
    people,
    compounds,
    teams: [{ id: 'electricians', name: '电工志愿队', members: ['admin.street'], keywords: ['灯', '电闸'] }],
    leadership: {
      name: '街道领导小组',
      chat_id: 'wrkBenchLeadership',
      webhook_key: LEADERSHIP_WEBHOOK_KEY,
      members: ['leader.one'],
    },
  };
  const parsed = validateLedger(document);
  if (!parsed.ok) throw new Error(`synthetic ledger is invalid:\n${parsed.problems.slice(0, 10).join('\n')}`);
  return parsed.ledger;
}
