import type { Ledger } from '../ledger/ledger';

/**
 * Addresses of the street office pages (MULIN_PUBLIC_URL), for links in messages to the people
 * who can sign in there: the street admins and the leadership. Never for a building group: its
 * residents and heads have no way in, and a link would only invite them to try.
 *
 * A link carries the request's number and nothing else: no name, no phone, no filter.
 */
export class PageLinks {
  /** origin: as the configuration gives it, e.g. https://mulin.example.gov.cn (no trailing slash). */
  constructor(private readonly origin: string) {}

  /** The page of request #no. */
  request(no: number): string {
    if (!Number.isSafeInteger(no) || no <= 0) throw new RangeError(`not a request number: ${no}`);
    return `${this.origin}/admin/requests/${no}`;
  }

  /** The weekly figures page. */
  figures(): string {
    return `${this.origin}/admin/figures`;
  }
}

/** Links for the configured public address; undefined (no links anywhere) when it is not set. */
export function pageLinksFor(publicUrl: string | undefined): PageLinks | undefined {
  return publicUrl ? new PageLinks(publicUrl) : undefined;
}

/** `#12`, or `[#12](…/admin/requests/12)` in markdown (the group robot's and the app's alike). */
export function markdownRef(no: number, links: PageLinks | undefined): string {
  return links ? `[#${no}](${links.request(no)})` : `#${no}`;
}

/**
 * `#12`, or `<a href="…/admin/requests/12">#12</a>` in a text message sent through the self-built
 * app, the one text message that shows links. A group robot's text shows the tag as typed.
 */
export function appTextRef(no: number, links: PageLinks | undefined): string {
  return links ? `<a href="${links.request(no)}">#${no}</a>` : `#${no}`;
}

/** Whether every one of these people can open the pages: the street admins can, no one else. */
export function allStreetAdmins(ledger: Ledger, userIds: readonly string[]): boolean {
  return userIds.length > 0 && userIds.every((id) => ledger.isAdmin(id));
}
