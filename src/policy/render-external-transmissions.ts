import type { Block, Inline, Lang, Rich } from './render/policy-document.ts';
import type { Policy } from './schema.ts';
import type { TransmissionRouteKind, TransmissionServiceKind } from './external-transmission-schema.ts';
import { externalTransmissionsOf, type ResolvedTransmission, type TextPair } from './external-transmissions.ts';
import { toolCatalog, type CatalogTool } from './tool-catalog.ts';

/**
 * The 外部送信 publication (電気通信事業法27条の12): the section the privacy policy carries and the blocks of the
 * standalone page `/privacy/external-transmissions`. Both come from {@link externalTransmissionsOf}, so the policy,
 * the page, the API and consent.js say the same thing.
 */

/** Where the standalone page is served. */
export const EXTERNAL_TRANSMISSIONS_PATH = '/privacy/external-transmissions';

const serviceKindNames: Record<TransmissionServiceKind, TextPair> = {
  messaging: { ja: '利用者間のメッセージの媒介', en: 'carrying messages between users' },
  sns: { ja: 'ソーシャル・ネットワーキング・サービス', en: 'a social networking service' },
  bulletin_board: { ja: '電子掲示板', en: 'a bulletin board' },
  search: { ja: '検索サービス', en: 'a search service' },
  online_media: { ja: '各種情報のオンラインでの提供', en: 'providing information online (online media)' },
  other: { ja: 'その他の対象役務', en: 'another service the rule covers' },
};

function routeSummary(kind: TransmissionRouteKind, lang: Lang): string {
  const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  switch (kind) {
    case 'notice':
      return L('本ページへの掲載により公表しています（送信するかどうかを選ぶ設定はありません）。', 'Published on this page; there is no setting to turn it off.');
    case 'consent':
      return L('ご同意をいただいた場合にのみ送信します。同意はいつでも撤回できます。', 'Sent only once you consent; you can withdraw consent at any time.');
    case 'opt_out':
      return L('初期状態で送信しますが、次の方法によりいつでも停止（オプトアウト）できます。', 'Sent by default; you can stop it (opt out) at any time as follows.');
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function routeRich(t: ResolvedTransmission, lang: Lang): Rich {
  const out: Inline[] = [routeSummary(t.route.kind, lang)];
  if (t.route.description) out.push(lang === 'ja' ? t.route.description.ja : ` ${t.route.description.en}`);
  if (t.route.url) out.push(lang === 'ja' ? '（' : ' (', { href: t.route.url, text: t.route.url }, lang === 'ja' ? '）' : ')');
  return out;
}

/** The transmissions the page and the policy list: those that leave the operator. */
function listed(policy: Policy): ResolvedTransmission[] {
  return externalTransmissionsOf(policy).transmissions.filter((t) => t.external);
}

/**
 * The policy's section on 外部送信, or undefined when the policy does not declare the service in scope (the tools
 * section already describes every tool for APPI's purposes).
 * @example const s = externalTransmissionSection(policy, 'ja', '当社'); if (s) add('external_transmissions', s.title, s.blocks);
 */
export function externalTransmissionSection(policy: Policy, lang: Lang, self: string, pageUrl = EXTERNAL_TRANSMISSIONS_PATH): { title: string; blocks: Block[] } | undefined {
  const view = externalTransmissionsOf(policy);
  if (view.applies !== true) return undefined;
  const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  const pick = (p: TextPair | undefined) => (p ? p[lang] : L('（記載なし）', '(not stated)'));
  const items = listed(policy);
  const link = { href: `${pageUrl}?lang=${lang}`, text: L('外部送信に関する公表事項', 'External transmissions') };
  const blocks: Block[] = [
    {
      kind: 'paragraph',
      content: [
        L(
          `本サービスのページには、閲覧される方の端末から${self}以外の者へ情報を送信させるプログラム等が含まれています。電気通信事業法第27条の12に基づき、送信される情報の内容、送信先で情報を取り扱う者の名称及び利用目的を次のとおり公表します。送信の停止や同意の変更の方法を含む詳細は、`,
          'The pages of the service contain programs that make your device send information to parties other than us. Under Article 27-12 of the Telecommunications Business Act, we publish below what is sent, who handles it at the destination and for what purpose. For details, including how to stop a transmission or change your consent, see ',
        ),
        link,
        L('をご覧ください。', '.'),
      ],
    },
  ];
  if (items.length > 0) {
    blocks.push({
      kind: 'table',
      head: [L('送信先（取り扱う者）', 'Recipient'), L('送信される情報', 'Information sent'), L('利用目的', 'Purpose'), L('同意・停止', 'Consent or opt-out')],
      rows: items.map((t) => [[L(`${pick(t.recipient)}（${t.name}）`, `${pick(t.recipient)} (${t.name})`)], [t.information.map((i) => i[lang]).join(L('、', ', '))], [pick(t.purpose)], [routeLabel(t.route.kind, lang)]]),
    });
  }
  return { title: L('外部送信について', 'External transmissions'), blocks };
}

function routeLabel(kind: TransmissionRouteKind, lang: Lang): string {
  const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  switch (kind) {
    case 'notice': return L('公表', 'Published');
    case 'consent': return L('同意を得て送信', 'With consent');
    case 'opt_out': return L('オプトアウト可', 'Opt-out');
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** The blocks of the standalone page (after its title): scope, then one entry per transmission, then how to choose. */
export function externalTransmissionPageBlocks(policy: Policy, lang: Lang, self: string, policyUrl: string): Block[] {
  const view = externalTransmissionsOf(policy);
  const L = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  const service = typeof policy.service.name === 'string' ? policy.service.name : policy.service.name[lang];
  const blocks: Block[] = [];
  const kinds = view.serviceKinds.map((k) => serviceKindNames[k][lang]).join(L('、', ', '));
  const scope = (() => {
    switch (view.applies) {
      case true:
        return L(
          `本ページは、電気通信事業法第27条の12（外部送信規律）に基づき、${service}のページをご覧になる際に、利用者の端末から${self}以外の者へ送信される情報について公表するものです。本サービスは、同条の対象となる役務のうち、${kinds}に該当します。`,
          `Under Article 27-12 of the Telecommunications Business Act (the external-transmission rule), this page publishes the information your device sends to parties other than us when you view the pages of ${service}. The service is one the rule covers: ${kinds}.`,
        );
      case false:
        return L(
          `${service}は電気通信事業法第27条の12（外部送信規律）の対象となる役務には該当しませんが、ページをご覧になる際に利用者の端末から${self}以外の者へ送信される情報を、参考として次のとおりお知らせします。`,
          `${service} is not one of the services Article 27-12 of the Telecommunications Business Act covers; for your information, we list below what your device sends to parties other than us when you view its pages.`,
        );
      case undefined:
        return L(
          `${service}のページをご覧になる際に、利用者の端末から${self}以外の者へ送信される情報を次のとおりお知らせします。`,
          `Below is what your device sends to parties other than us when you view the pages of ${service}.`,
        );
      default: {
        const never: never = view.applies;
        return never;
      }
    }
  })();
  blocks.push({ kind: 'paragraph', content: [scope] });
  if (view.note) blocks.push({ kind: 'paragraph', content: [view.note[lang]] });
  const items = listed(policy);
  if (items.length === 0) {
    blocks.push({ kind: 'paragraph', content: [L('現在、外部へ情報を送信させるプログラム等は利用していません。', 'At present the pages make no transmissions to other parties.')] });
  }
  for (const t of items) {
    const recipient = t.recipient ? t.recipient[lang] : L('（記載なし）', '(not stated)');
    blocks.push({ kind: 'heading', text: t.recipient && t.recipient.ja !== t.name ? `${t.name} — ${recipient}` : t.name });
    const fields: Array<{ term: string; content: Rich }> = [
      { term: L('送信先で情報を取り扱う者', 'Who handles it at the destination'), content: [recipient] },
      { term: L('送信される情報', 'Information sent'), content: [t.information.length > 0 ? t.information.map((i) => i[lang]).join(L('、', ', ')) : L('（記載なし）', '(not stated)')] },
      { term: L('利用目的', 'Purpose'), content: [t.purpose ? t.purpose[lang] : L('（記載なし）', '(not stated)')] },
      { term: L('同意・停止の方法', 'Consent or opting out'), content: routeRich(t, lang) },
    ];
    const tool = policy.tools[t.toolIndex];
    const cat: CatalogTool | undefined = tool && tool.catalog !== 'custom' ? toolCatalog[tool.catalog] : undefined;
    const privacy = tool?.links?.privacy ?? cat?.links.privacy;
    if (privacy) fields.push({ term: L('送信先のプライバシーポリシー', "The recipient's privacy policy"), content: [{ href: privacy, text: privacy }] });
    if (t.hosts.length > 0) fields.push({ term: L('送信先のホスト', 'Destination hosts'), content: t.hosts.flatMap((h, i): Inline[] => (i === 0 ? [{ code: h }] : [L('、', ', '), { code: h }])) });
    blocks.push({ kind: 'fields', items: fields });
  }
  const choosable = items.some((t) => t.route.kind !== 'notice');
  blocks.push({ kind: 'heading', text: choosable ? L('同意・オプトアウトの設定の変更', 'Changing your choices') : L('個人情報の取扱い', 'How we handle personal information') });
  blocks.push({
    kind: 'paragraph',
    content: [
      choosable ? L('同意の有無やオプトアウトの設定は、本サービスのページに表示される同意設定（Cookie 設定）から、いつでも変更できます。', 'You can change your consent or opt-out settings at any time through the consent (cookie) settings on the pages of the service. ') : '',
      L('個人情報の取扱い全般については、', 'For how we handle personal information generally, see the '),
      { href: policyUrl, text: L('プライバシーポリシー', 'privacy policy') },
      L('をご覧ください。', '.'),
    ],
  });
  return blocks;
}
