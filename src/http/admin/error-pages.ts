import type { Middleware } from 'koa';
import type { AppState } from '../app-state';
import { messagePage } from './layout';

interface Back {
  readonly href: string;
  readonly label: string;
}

const TO_LIST: Back = { href: '/admin/requests', label: '返回诉求列表' };
const TO_LEDGER: Back = { href: '/admin/ledger', label: '返回台账' };
const TO_FIGURES: Back = { href: '/admin/figures', label: '返回周报数据' };

/** Back to the section the failed page belongs to. */
function backFor(path: string): Back {
  if (path.startsWith('/admin/ledger')) return TO_LEDGER;
  if (path.startsWith('/admin/figures')) return TO_FIGURES;
  return TO_LIST;
}

/** What was not found, told from the path alone: the error carries no detail to show. */
function notFound(path: string): [string, string] {
  if (/^\/admin\/requests\/[^/]+$/.test(path))
    return ['没有找到这条诉求', '没有这个编号的诉求，请核对编号。'];
  if (path.startsWith('/admin/ledger/buildings/')) {
    return ['台账里没有这栋楼', '这栋楼不在现在的台账里，可能已经移除或改了编号。'];
  }
  if (path.startsWith('/admin/figures') || path === '/admin/ledger')
    return ['台账里没有这个小区', '这个小区不在现在的台账里。'];
  if (path.startsWith('/admin/photos/')) return ['没有找到这张照片', '这张照片不存在，或者还没有保存好。'];
  return ['没有找到这个页面', '这个地址没有对应的页面，请检查链接。'];
}

/** A failed page in Chinese, in the pages' frame, with a way back; no detail of the failure. */
export function errorPage(status: number, path: string): string {
  const back = backFor(path);
  if (status === 404) return messagePage(...notFound(path), back).text;
  if (status === 400) {
    return messagePage('链接有误', '链接里的条件看不懂，可能复制得不完整。请返回重新选择。', back).text;
  }
  if (status === 401) {
    return messagePage('请先登录', '还没有登录，或者登录已过期。', { href: '/admin/login', label: '去登录' })
      .text;
  }
  if (status === 429) return messagePage('尝试太多', '尝试的次数太多，请稍后再试。', back).text;
  if (status < 500) return messagePage('提交的内容有误', '请返回页面重新操作。', back).text;
  return messagePage('系统暂时出了问题', '请稍后再试；一直这样的话，请联系系统管理员。', back).text;
}

/**
 * Makes the error middleware answer a failed page with {@link errorPage} instead of the status's
 * bare English name (ctx.state.errorBody, the hook Open311 uses for its JSON errors).
 */
export function chineseErrorPages(): Middleware<AppState> {
  return (ctx, next) => {
    ctx.state.errorBody = (status) => {
      // Whatever the failed route had set (text/csv, an attachment) no longer describes the body.
      ctx.remove('Content-Disposition');
      ctx.type = 'html';
      return errorPage(status, ctx.path);
    };
    return next();
  };
}
