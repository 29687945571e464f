import type { RequestKind } from '../../policy/schema.ts';
import { requestKindRules } from '../../law/appi/request-kinds.ts';

/**
 * Mails to staff about the request queue. They carry the request number, its kind and its deadline, never the
 * requester's data: the link opens the console, where reading the request is recorded. Japanese first, then English.
 */
export type StaffAlert =
  | { kind: 'new_request'; requestId: string; requestKind: RequestKind; dueAt: string | null }
  | { kind: 'deadline_soon'; requestId: string; requestKind: RequestKind; dueAt: string }
  | { kind: 'callback_missing'; requestId: string; requestKind: RequestKind; dataset: string; since: string };

function jst(iso: string, lang: 'ja' | 'en'): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function renderStaffAlert(alert: StaffAlert, opts: { serviceName: string; consoleUrl: string }): { subject: string; text: string } {
  const link = `${opts.consoleUrl}/console/requests/${alert.requestId}`;
  const ja = requestKindRules[alert.requestKind].name.ja;
  const en = requestKindRules[alert.requestKind].name.en;
  const due = (lang: 'ja' | 'en') => ('dueAt' in alert && alert.dueAt ? jst(alert.dueAt, lang) : lang === 'ja' ? '本人確認後に決まります' : 'set once identity is confirmed');
  switch (alert.kind) {
    case 'new_request':
      return {
        subject: `[${opts.serviceName}] 新しい請求（${ja}）${alert.requestId}`,
        text: `新しい請求を受け付けました。担当者を決めて対応を始めてください。\n\n受付番号: ${alert.requestId}\n種類: ${ja}\n回答期限: ${due('ja')}（日本時間）\n${link}\n\n---\nA new request (${en}) has arrived. Please assign it and start.\nDue: ${due('en')} (Japan time)\n${link}\n`,
      };
    case 'deadline_soon':
      return {
        subject: `[${opts.serviceName}] 回答期限まで3日以内です ${alert.requestId}`,
        text: `次の請求の回答期限が近づいています。期限内に決定と通知を行ってください。\n\n受付番号: ${alert.requestId}\n種類: ${ja}\n回答期限: ${due('ja')}（日本時間）\n${link}\n\n---\nThe answer to this request (${en}) is due within 3 days: ${due('en')} (Japan time).\n${link}\n`,
      };
    case 'callback_missing':
      return {
        subject: `[${opts.serviceName}] 連携システムからの完了連絡が届いていません ${alert.requestId}`,
        text: `連携システム「${alert.dataset}」に処理を依頼しましたが、${jst(alert.since, 'ja')}から完了の連絡が届いていません。システムの状況を確認し、必要であればコンソールで手作業の完了として記録してください。\n\n受付番号: ${alert.requestId}\n種類: ${ja}\n${link}/systems\n\n---\nThe connected system "${alert.dataset}" has not called back since ${jst(alert.since, 'en')} (Japan time). Check it, and resolve the step by hand in the console if needed.\n${link}/systems\n`,
      };
    default: {
      const never: never = alert;
      return never;
    }
  }
}
