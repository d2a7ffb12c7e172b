import { readLedgerFile, type LedgerDocument } from '../../src/ledger';
import { importLedger, LedgerCache } from '../../src/ledger/ledger-store';
import { digestParts } from '../../src/scheduler/weekly-jobs';
import type { TestDatabase } from '../helpers/database';
import { closeDesk, openDesk, type DeskHarness } from '../helpers/desk-harness';
import { AdminClient } from './admin/admin-client';
import { ADMIN_TOKEN, startAdminServer, type AdminServer } from './admin/admin-fixtures';

/**
 * A building taken out of the ledger (江湾小区 7号楼, jw-b7) after residents reported from it: its
 * requests keep the building's name wherever they are shown, as a removed person keeps theirs.
 *
 * Three repairs in 7号楼 (a hotspot), then an import without 7号楼; 周敏 (zhou.m) is a street
 * admin, 张敏 (zhang.min) a resident.
 */
let db: TestDatabase;
let desk: DeskHarness;
let server: AdminServer;
let admin: AdminClient;
const nos: number[] = [];

function withoutBuilding7(): LedgerDocument {
  const read = readLedgerFile('examples/ledger.yaml');
  if (!read.ok) throw new Error(read.problems.join('\n'));
  const doc = structuredClone(read.ledger);
  const jiangwan = doc.compounds.find((c) => c.id === 'jiangwan');
  if (!jiangwan) throw new Error('the example street has no 江湾小区');
  jiangwan.buildings = jiangwan.buildings.filter((b) => b.id !== 'jw-b7');
  return doc;
}

beforeAll(async () => {
  ({ db, desk } = await openDesk());
  for (const text of ['#报修 2单元三楼楼道灯不亮', '#报修 1单元门口路灯不亮', '#报修 3单元水管漏水'])
    nos.push(await desk.report('zhang.min', text));
  desk.advance(3 * 24 * 60);
  await importLedger(db.dataSource, withoutBuilding7(), desk.clock, 'without 7号楼');
  server = await startAdminServer(db.dataSource, { adminToken: ADMIN_TOKEN, clock: desk.clock });
  admin = new AdminClient(server.url);
  await admin.signIn();
});

afterAll(async () => {
  await server.close();
  await closeDesk(desk, db);
});

it('is gone from the ledger itself', async () => {
  const ledger = await new LedgerCache().current(db.dataSource);
  expect(ledger.placeOfBuilding('jw-b7')).toBeUndefined();
});

it('keeps its name in 查询', async () => {
  const { sent } = await desk.say('zhang.min', `查询 ${nos[0]}`, { single: true });
  expect(sent.map((r) => r.body.content).join('\n')).toContain('位置：7号楼2单元');
});

it('keeps its name on the request pages, without a link to a building page that is gone', async () => {
  const list = await admin.text('/admin/requests');
  expect(list).toContain('江湾小区 7号楼2单元');
  const detail = await admin.text(`/admin/requests/${nos[0]}`);
  expect(detail).toContain('江湾小区 7号楼2单元');
  expect(detail).not.toContain('/admin/ledger/buildings/jw-b7');
});

it('keeps its name in the CSV export', async () => {
  const res = await admin.fetch('/admin/requests.csv');
  expect(res.status).toBe(200);
  const row = (await res.text()).split('\r\n').find((line) => line.startsWith(`${nos[0]},`));
  expect(row).toContain(',江湾小区,7号楼,2,');
});

it('keeps its name in the hotspot list', async () => {
  const figures = await admin.text('/admin/figures');
  expect(figures).toContain('江湾小区 7号楼');
  expect(figures).not.toContain('/admin/ledger/buildings/jw-b7');
});

it('keeps its name in Open311 and /api', async () => {
  const geo = (await (await admin.fetch(`/api/open311/requests/${nos[0]}.json`)).json()) as {
    address: string;
  }[];
  expect(geo[0]?.address).toContain('江湾小区 7号楼2单元');
  const api = (await (await admin.fetch(`/api/requests/${nos[0]}`)).json()) as {
    building: { id: string; name: string | null };
  };
  expect(api.building).toEqual({ id: 'jw-b7', name: '7号楼' });
});

it('keeps its name in the weekly digest', async () => {
  const ledger = await new LedgerCache().current(db.dataSource);
  // The desk's clock started on Monday 30 November 2026: week 49.
  const parts = await digestParts(db.dataSource, ledger, { year: 2026, week: 49 }, 'Asia/Shanghai');
  expect(parts.join('\n')).toContain('江湾小区7号楼');
  expect(parts.join('\n')).not.toContain('jw-b7');
});

it('keeps its name, with its compound, in the notice of an escalation', async () => {
  const { sent } = await desk.say('zhou.m', `上报 ${nos[1]} 一直没人修`, { single: true });
  const card = sent.find((r) => r.body.content.startsWith('**上报街道**'));
  expect(card?.body.content).toContain(`#${nos[1]} 报修 江湾小区7号楼1单元 1单元门口路灯不亮`);
});
