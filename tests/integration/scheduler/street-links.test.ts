import { PageLinks } from '../../../src/requests/page-links';
import { openTestDatabase, type TestDatabase } from '../../helpers/database';
import type { SyntheticStreet } from '../../helpers/synthetic-street';
import { acknowledge, addRequest, at, emptyStreet, newScheduler, outbox } from './scheduler-fixtures';

/**
 * With the pages' address (MULIN_PUBLIC_URL), what the scheduler sends the street (the leadership
 * group's card, the admins' private lines, a street admin's private reminder) links each request
 * to its page; what it sends a building group, or a head or grid worker privately, never does.
 * Without it, every text is as it always was.
 *
 * The synthetic street: 春晖小区 (c1) 2号楼 has a group, 6号楼 has none and no head; 光明新村 (c2)
 * 5号楼 has no group but a head. admin.1 is the street admin.
 */

const ORIGIN = 'https://mulin.example.gov.cn';
let db: TestDatabase;
let street: SyntheticStreet;

beforeAll(async () => {
  db = await openTestDatabase();
  street = await emptyStreet(db.dataSource);
});

afterAll(async () => {
  await db.close();
});

const nameOf = (id: string) => street.ledger.people.find((p) => p.id === id)?.name ?? '';
const compoundName = (id: string) => street.ledger.compounds.find((c) => c.id === id)?.name ?? '';

interface Sent {
  purpose: string;
  to: string;
  content: string;
}

/** What the scheduler queued about request #no, in order, with where it went. */
async function sentAbout(no: number): Promise<Sent[]> {
  const [row] = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM request WHERE no = $1`, [no]);
  const rows = (await outbox(db.dataSource)).filter((r) => r.dedupe_key?.startsWith(`reminder:${row?.id}:`));
  return rows.map((r) => ({
    purpose: r.purpose,
    to: r.destination.webhookKey ?? `app:${(r.destination.userIds ?? []).join(',')}`,
    content: r.body.content,
  }));
}

/**
 * Three requests made on the 1st of the month at 09:00, swept daily until each has reached the
 * street or its grid worker; the first, taken on by the street admin, then runs late again.
 */
async function sweepThrough(month: string, links: PageLinks | undefined) {
  const day = (d: number, time = '09:00') => at(`${month}-${String(d).padStart(2, '0')} ${time}`);
  const base = { createdAt: day(1), text: '楼顶漏水' };
  const inGroup = await addRequest(db.dataSource, {
    ...base,
    compoundId: 'c1',
    buildingId: 'c1-b2',
    assigneeId: 'admin.1',
  });
  const noGroup = await addRequest(db.dataSource, {
    ...base,
    compoundId: 'c1',
    buildingId: 'c1-b6',
    assigneeId: 'admin.1',
  });
  const headOnly = await addRequest(db.dataSource, {
    ...base,
    compoundId: 'c2',
    buildingId: 'c2-b5',
    assigneeId: 'head.c2-b5',
  });
  const sweep = async (when: Date) => {
    const { scheduler } = newScheduler(db.dataSource, when, links ? { pageLinks: links } : {});
    expect(await scheduler.runJob('reminders', when)).toMatchObject({ status: 'ran' });
  };
  await sweep(day(2));
  await sweep(day(3));
  await acknowledge(db.dataSource, inGroup, day(3, '10:00'), 'admin.1');
  // Due to be resolved 7 days after it was made; with the street, told it is late 7 days later.
  await sweep(day(8));
  await sweep(day(15));
  return { inGroup, noGroup, headOnly };
}

// Each case in a month of its own: each sweep's minute is claimed once.
describe.each([
  ['set', new PageLinks(ORIGIN), '11', '11-09'],
  ['unset', undefined, '12', '12-07'],
] as const)('with MULIN_PUBLIC_URL %s', (_, links, month, monday) => {
  let no: { inGroup: number; noGroup: number; headOnly: number };
  beforeAll(async () => {
    no = await sweepThrough(month, links);
  });

  /** #12 in the leadership group's markdown card. */
  const card = (n: number) => (links ? `[#${n}](${ORIGIN}/admin/requests/${n})` : `#${n}`);
  /** #12 in a text message to a street admin through the self-built app. */
  const line = (n: number) => (links ? `<a href="${ORIGIN}/admin/requests/${n}">#${n}</a>` : `#${n}`);
  const c1 = () => compoundName('c1');

  it('links the leadership card and the admins’ line, never the building group’s notices', async () => {
    const n = no.inGroup;
    const lateAck = '超过接单时限（24小时）仍未接单';
    const lateResolve = '超过办结时限（7天）仍未办结';
    expect(await sentAbout(n)).toEqual([
      {
        purpose: 'reminder',
        to: 'syn-c1-b2',
        content: `提醒：#${n} 已过接单时限，请尽快接单：接单 ${n}\n报修 2号楼 楼顶漏水`,
      },
      {
        purpose: 'escalation',
        to: 'syn-c1-b2',
        content: `#${n} 已上报街道：${lateAck}\n报修 2号楼 楼顶漏水`,
      },
      {
        purpose: 'escalation',
        to: 'syn-leadership',
        content: `**上报街道** ${card(n)} 报修 ${c1()}2号楼 楼顶漏水\n> 原因：${lateAck}\n> 上报人：睦邻自动上报`,
      },
      {
        purpose: 'escalation',
        to: 'app:admin.1',
        content: `上报街道 ${line(n)} 报修 ${c1()}2号楼 楼顶漏水\n原因：${lateAck}`,
      },
      {
        purpose: 'reminder',
        to: 'syn-c1-b2',
        content: `提醒：#${n} 已过办结时限，请尽快办结：办结 ${n} 处理情况\n报修 2号楼 楼顶漏水`,
      },
      {
        purpose: 'escalation',
        to: 'syn-leadership',
        content: `**仍未办结** ${card(n)} 报修 ${c1()}2号楼 楼顶漏水\n> 已在街道，${lateResolve}\n> 经办人：${nameOf('admin.1')}`,
      },
      {
        purpose: 'escalation',
        to: 'app:admin.1',
        content: `仍未办结 ${line(n)} 报修 ${c1()}2号楼 楼顶漏水\n已在街道，${lateResolve}`,
      },
    ]);
  });

  it('links a street admin’s private reminder, not a head’s or a grid worker’s', async () => {
    const lateAck = '超过接单时限（24小时）仍未接单';
    const n = no.noGroup;
    expect(await sentAbout(n)).toEqual([
      {
        purpose: 'reminder',
        to: 'app:admin.1',
        content: `提醒：${line(n)} 已过接单时限，请尽快接单：接单 ${n}\n报修 6号楼 楼顶漏水`,
      },
      // 6号楼 has no group: its notice has nowhere to go.
      {
        purpose: 'escalation',
        to: 'syn-leadership',
        content: `**上报街道** ${card(n)} 报修 ${c1()}6号楼 楼顶漏水\n> 原因：${lateAck}\n> 上报人：睦邻自动上报`,
      },
      {
        purpose: 'escalation',
        to: 'app:admin.1',
        content: `上报街道 ${line(n)} 报修 ${c1()}6号楼 楼顶漏水\n原因：${lateAck}`,
      },
    ]);
    const h = no.headOnly;
    expect(await sentAbout(h)).toEqual([
      {
        purpose: 'reminder',
        to: 'app:head.c2-b5',
        content: `提醒：#${h} 已过接单时限，请尽快接单：接单 ${h}\n报修 5号楼 楼顶漏水`,
      },
      {
        purpose: 'escalation',
        to: 'app:gw.c2.1',
        content: `上报 #${h} 报修 ${compoundName('c2')}5号楼 楼顶漏水\n原因：${lateAck}（睦邻自动上报）`,
      },
    ]);
  });

  it('puts nothing but the request number in a link, and no link anywhere but to the street', async () => {
    const sent = (await Promise.all([no.inGroup, no.noGroup, no.headOnly].map(sentAbout))).flat();
    const linked = sent.filter((m) => m.content.includes('http'));
    if (!links) {
      expect(linked).toEqual([]);
      return;
    }
    expect(linked.map((m) => m.to)).toEqual([
      'syn-leadership',
      'app:admin.1',
      'syn-leadership',
      'app:admin.1',
      'app:admin.1',
      'syn-leadership',
      'app:admin.1',
    ]);
    for (const m of linked) {
      for (const url of m.content.match(/https?:\/\/[^\s"()<>]+/g) ?? []) {
        expect(url).toMatch(new RegExp(`^${ORIGIN}/admin/requests/\\d+$`));
      }
    }
  });

  it('links the digest’s requests and figures for the leadership, and never a building group’s note', async () => {
    const { scheduler } = newScheduler(
      db.dataSource,
      at(`${monday} 09:00`),
      links ? { pageLinks: links } : {},
    );
    expect(await scheduler.runJob('weekly-digest', at(`${monday} 09:00`))).toMatchObject({ status: 'ran' });
    expect(await scheduler.runJob('building-notes', at(`${monday} 09:30`))).toMatchObject({ status: 'ran' });
    const since = (r: { created_at: Date }) => r.created_at >= at(`${monday} 09:00`);
    const digest = (await outbox(db.dataSource, ['digest'])).filter(since);
    const text = digest.map((r) => r.body.content).join('\n');
    expect(digest.every((r) => r.destination.webhookKey === 'syn-leadership')).toBe(true);
    // On the street's list: escalated to the street and still open.
    expect(text).toContain(`> ${card(no.inGroup)} ${c1()}2号楼 报修：楼顶漏水`);
    const figures = `[在街道工作台查看周报数据](${ORIGIN}/admin/figures)`;
    if (links) expect(text.endsWith(`\n\n${figures}`)).toBe(true);
    else expect(text).not.toContain('http');
    const notes = (await outbox(db.dataSource, ['weekly-note'])).filter(since);
    const b2 = notes.find((r) => r.destination.webhookKey === 'syn-c1-b2');
    expect(b2?.body.content).toContain(`#${no.inGroup}`);
    for (const note of notes) expect(note.body.content).not.toMatch(/https?:|admin/);
  });
});
