import type { RequestStatus } from '../requests/request-store';

/** Why a command cannot apply to a request in this status, in words for the chat. */
export function closedReason(status: RequestStatus): string | null {
  switch (status) {
    case 'resolved':
      return '已办结';
    case 'closed':
      return '已完结';
    case 'withdrawn':
      return '已撤回';
    default:
      return null;
  }
}
