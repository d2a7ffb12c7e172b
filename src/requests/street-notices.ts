import type { Ledger } from '../ledger/ledger';
import { buildingNoticeAudience, planNotices } from './deliver';
import { escalationSummary, noticeDetail } from './escalate-request';
import { maskPhones } from './format';
import { reassignedLine } from './hand-over';
import type { OutgoingMessage } from './outgoing';
import { allStreetAdmins, appTextRef, type PageLinks } from './page-links';
import type { RequestRow } from './request-store';

/** How the street office's notices can reach people. */
export interface StreetNoticeSettings {
  /** Whether private notices can go out through the self-built app. */
  readonly privateNotices: boolean;
  /** Links to a request's page (MULIN_PUBLIC_URL), for street admins told privately; none if unset. */
  readonly links?: PageLinks | undefined;
}

/** How the street office signs what it sends from its pages (one shared sign-in, so no one's name). */
export const STREET_SIGNATURE = '街道';

/** How a notice names the request: `#12`, or a link to its page (see toGroupAndPerson). */
type NoticeText = (ref: string) => string;

/**
 * A notice @-ing someone about a request when no chat is being answered, as the reminders send
 * theirs: the request's building group where its robot can post (privately when it has none),
 * and a private line to that person as well, as an escalation tells its grid worker, so it does
 * not scroll away in a busy group. The private line is left out where the notice is private already.
 * A notice sent privately to a street admin links #12 to the request's page, as the reminders'
 * and escalations' do (`links`: none without MULIN_PUBLIC_URL); one to a building group or to a
 * head never does: they cannot sign in to the pages.
 */
function toGroupAndPerson(
  ledger: Ledger,
  request: RequestRow,
  person: string | null,
  texts: { readonly group: NoticeText; readonly person: NoticeText },
  purpose: string,
  notices: StreetNoticeSettings,
): OutgoingMessage[] {
  const audience = buildingNoticeAudience(ledger, request, person);
  const ref = (userIds: readonly string[]) =>
    appTextRef(request.no, allStreetAdmins(ledger, userIds) ? notices.links : undefined);
  const messages: OutgoingMessage[] = [
    {
      audience,
      format: 'text',
      content: texts.group(audience.to === 'people' ? ref(audience.userIds) : `#${request.no}`),
      mentions: person ? [person] : [],
      requestId: request.id,
      purpose,
    },
  ];
  if (person && notices.privateNotices && audience.to === 'building') {
    messages.push({
      audience: { to: 'people', userIds: [person] },
      format: 'text',
      content: texts.person(ref([person])),
      mentions: [],
      requestId: request.id,
      purpose,
    });
  }
  return messages;
}

/** What the handler is asked to do next: take it on, or finish it. */
function nextStep(request: RequestRow): string {
  return request.status === 'open'
    ? `请尽快接单：接单 ${request.no}`
    : `请尽快办结：办结 ${request.no} 处理情况`;
}

/**
 * 督办: the street is chasing a request. `街道督办 #12，请尽快接单：接单 12`, the staff member's note
 * and the request's line, @-ing its handler; the note is masked, as everything sent is.
 */
export function urgeNotices(
  ledger: Ledger,
  request: RequestRow,
  note: string,
  notices: StreetNoticeSettings,
): OutgoingMessage[] {
  const why = note ? `\n说明：${maskPhones(note)}` : '';
  return toGroupAndPerson(
    ledger,
    request,
    request.assigneeId,
    {
      group: (ref) =>
        `${STREET_SIGNATURE}督办 ${ref}，${nextStep(request)}${why}\n${noticeDetail(ledger, request)}`,
      person: (ref) =>
        `${STREET_SIGNATURE}督办 ${escalationSummary(ledger, request, ref)}${why}\n${nextStep(request)}`,
    },
    'urge',
    notices,
  );
}

/** 转派 from the street office's pages: the chat's notice, saying who handed it over, and the request's line. */
export function reassignNotices(
  ledger: Ledger,
  request: RequestRow,
  to: string,
  notices: StreetNoticeSettings,
): OutgoingMessage[] {
  const name = ledger.nameOf(to);
  return toGroupAndPerson(
    ledger,
    request,
    to,
    {
      group: (ref) =>
        `${reassignedLine(request.no, name, STREET_SIGNATURE, ref)}\n${noticeDetail(ledger, request)}`,
      person: (ref) =>
        `${STREET_SIGNATURE}把 ${escalationSummary(ledger, request, ref)} 转派给您，请接单：接单 ${request.no}`,
    },
    'assignment',
    notices,
  );
}

/** Where a street action's notices can go now: its form says so before it is sent. */
export interface NoticeReach {
  /** The request's building group, through its robot. */
  readonly group: boolean;
  /** A private message through the self-built app. */
  readonly privately: boolean;
}

/** Read from the notices' own plan, so what a form promises is where they would go. */
function reachOf(ledger: Ledger, messages: readonly OutgoingMessage[], privateNotices: boolean): NoticeReach {
  const { deliveries } = planNotices(messages, ledger, privateNotices);
  return {
    group: deliveries.some((d) => d.destination.type === 'group_webhook'),
    privately: deliveries.some((d) => d.destination.type === 'app_message'),
  };
}

export function urgeReach(ledger: Ledger, request: RequestRow, privateNotices: boolean): NoticeReach {
  return reachOf(ledger, urgeNotices(ledger, request, '', { privateNotices }), privateNotices);
}

/** Where a notice goes turns on whether it names someone, not on whom: anyone stands in for the one chosen. */
const ANYONE = 'anyone';

export function reassignReach(ledger: Ledger, request: RequestRow, privateNotices: boolean): NoticeReach {
  return reachOf(ledger, reassignNotices(ledger, request, ANYONE, { privateNotices }), privateNotices);
}
