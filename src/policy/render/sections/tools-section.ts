import { toolCatalog, type CatalogTool } from '../../tool-catalog.ts';
import type { Block, Rich, Inline } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: External tools and cookies. */
export function toolsSection(ctx: RenderContext): SectionDraft | undefined {
  const { lang, L, t, self, service, list, purposeById, countryName, p, policy } = ctx;
  if (!(policy.tools.length > 0 || policy.cookies.length > 0)) return undefined;
  const blocks: Block[] = [p(L(`本サービスでは、次の外部サービスやCookie等の技術を利用しています。Cookieとは、ウェブサイトがお使いのブラウザに保存する小さなデータで、ブラウザの設定により受け入れを拒否したり、削除したりできます（本サービスの一部の機能がご利用になれなくなる場合があります。）。`, `The service uses the external services and technologies such as cookies listed below. A cookie is a small piece of data a website stores in your browser; you can refuse or delete cookies in your browser settings (some features of the service may then not work).`))];
  for (const tool of policy.tools) {
    const cat: CatalogTool | undefined = tool.catalog === 'custom' ? undefined : toolCatalog[tool.catalog];
    const name = tool.name ? t(tool.name) : cat?.name ?? tool.id;
    const provider = tool.provider ? t(tool.provider) : cat ? cat.provider[lang] : undefined;
    const collects = tool.collects ? tool.collects.map(t) : cat ? cat.collects.map((c) => c[lang]) : [];
    const choice = tool.choice ?? cat?.defaultChoice ?? 'none';
    const country = tool.country ?? (tool.self_hosted ? undefined : cat?.country);
    const purpose = purposeById.get(tool.purpose);
    const optOut = tool.opt_out ? t(tool.opt_out) : cat ? cat.optOut[lang] : undefined;
    const links = { terms: tool.links?.terms ?? cat?.links.terms, privacy: tool.links?.privacy ?? cat?.links.privacy, optOut: tool.links?.opt_out ?? cat?.links.optOut };
    const cookies = tool.cookies ?? cat?.cookies ?? [];
    blocks.push({ kind: 'heading', text: name });
    const items: Array<{ term: string; content: Rich }> = [];
    if (provider) items.push({ term: L('提供者', 'Provider'), content: [provider] });
    if (purpose) items.push({ term: L('利用目的', 'Purpose'), content: [t(purpose.description)] });
    if (collects.length > 0) items.push({ term: L('取得される情報', 'What it collects'), content: [list(collects)] });
    if (tool.self_hosted) items.push({ term: L('送信先', 'Where the data goes'), content: [L(`${self.ja}が自ら管理するサーバーに送信され、外部の事業者には送信されません。`, 'To a server we run ourselves; it is not sent to the outside provider.')] });
    else if (country) items.push({ term: L('情報の送信先の国', 'Country the data goes to'), content: [countryName(country)] });
    if (cookies.length > 0) items.push({ term: L('使用するCookie', 'Cookies'), content: cookies.flatMap((c, i) => (i === 0 ? [{ code: c }] : [L('、', ', '), { code: c }])) });
    const choiceText = (() => {
      switch (choice) {
        case 'consent': return L('ご本人の同意をいただいた場合にのみ有効にします。', 'Turned on only with your consent.');
        case 'opt_out': return L('初期状態で有効ですが、いつでも停止できます。', 'On by default; you can turn it off at any time.');
        case 'none': return L('同意の設定の対象ではなく、常に有効です。', 'Always on; it is not subject to the consent settings.');
        default: { const never: never = choice; return never; }
      }
    })();
    items.push({ term: L('同意・停止', 'Consent and opting out'), content: [choiceText, optOut ? L(optOut, ` ${optOut}`) : ''] });
    const linkItems: Inline[] = [];
    const pushLink = (href: string | undefined, label: string) => { if (href) { if (linkItems.length > 0) linkItems.push(L('／', ' / ')); linkItems.push({ href, text: label }); } };
    pushLink(links.terms, L('利用規約', 'Terms'));
    pushLink(links.privacy, L('プライバシーポリシー', 'Privacy policy'));
    pushLink(links.optOut, L('オプトアウトの方法', 'How to opt out'));
    if (linkItems.length > 0) items.push({ term: L('提供者の規約等', "The provider's terms"), content: linkItems });
    if (tool.note) items.push({ term: L('補足', 'Note'), content: [t(tool.note)] });
    blocks.push({ kind: 'fields', items });
  }
  if (policy.cookies.length > 0) {
    const toolName = (id: string | undefined) => {
      if (!id) return L(`${self.ja}（ファーストパーティ）`, 'Us (first party)');
      const tool = policy.tools.find((x) => x.id === id);
      if (!tool) return id;
      return tool.name ? t(tool.name) : tool.catalog === 'custom' ? tool.id : toolCatalog[tool.catalog].name;
    };
    blocks.push({ kind: 'heading', text: L('Cookieの一覧', 'Cookies we use') });
    blocks.push({
      kind: 'table',
      head: [L('名前', 'Name'), L('設定者', 'Set by'), L('目的', 'Purpose'), L('保存期間', 'Duration'), L('区分', 'Party')],
      rows: policy.cookies.map((c) => {
        const purpose = purposeById.get(c.purpose);
        return [[{ code: c.name }], [toolName(c.tool)], [purpose ? t(purpose.description) : c.purpose, c.description ? ` ${t(c.description)}` : ''], [t(c.duration)], [c.party === 'first' ? L('ファーストパーティ', 'First party') : L('サードパーティ', 'Third party')]];
      }),
    });
  }
  return section('tools', L('外部サービス・Cookie等の利用', 'External services and cookies'), blocks);
}
