import type { Policy } from '../schema.ts';
import { text } from './render-toolkit.ts';

/** How the operator refers to itself. Japanese policies pick this from who the operator is (当社, 当サーバー …). */
export interface SelfName {
  ja: string;
  en: string;
}

/**
 * A short self-name: corporations say 当社; associations 当団体; an individual running a server or site names the
 * service it runs (当サーバー, 当サイト), otherwise 運営者.
 * @example selfName({ operator: { kind: 'corporation' } , … }) // { ja: '当社', en: 'we' }
 */
export function selfName(policy: Policy): SelfName {
  switch (policy.operator.kind) {
    case 'corporation':
      return { ja: '当社', en: 'we' };
    case 'association':
      return { ja: '当団体', en: 'we' };
    case 'individual': {
      const name = `${text(policy.service.name, 'ja')} ${text(policy.service.name, 'en')}`.toLowerCase();
      if (/サーバー|サーバ|server|instance|インスタンス|misskey|mastodon/.test(name)) return { ja: '当サーバー', en: 'we' };
      if (/サイト|site|blog|ブログ/.test(name)) return { ja: '当サイト', en: 'we' };
      return { ja: '運営者', en: 'we' };
    }
    default: {
      const never: never = policy.operator.kind;
      return never;
    }
  }
}
