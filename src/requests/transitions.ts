import type { RequestStatus } from './request-store';

/** Why a command (or a street office action) cannot apply to a request in this status, in words for people. */
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
