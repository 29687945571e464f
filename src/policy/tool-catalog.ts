/**
 * The catalog of external tools a policy can name. An entry says who provides the tool, what it collects, whether
 * it normally needs consent or offers an opt-out, which Google Consent Mode signals it depends on, and where a person
 * can opt out. A policy may override any of these per tool.
 */
export type ToolChoice = 'consent' | 'opt_out' | 'none';
export type ConsentSignal = 'ad_storage' | 'analytics_storage' | 'ad_user_data' | 'ad_personalization';

export interface CatalogTool {
  name: string;
  provider: { ja: string; en: string };
  /** The provider line describes a kind of company, not one company: a transmission must name the recipient itself. */
  genericProvider?: true;
  country: string;
  collects: Array<{ ja: string; en: string }>;
  defaultChoice: ToolChoice;
  /** The consent.js purpose family the tool falls into. */
  family: 'analytics' | 'error_reporting' | 'advertising' | 'functional' | 'security';
  signals: ConsentSignal[];
  cookies: string[];
  /** Hosts the browser sends to when the tool runs (`*.` covers subdomains), for `mamori audit-site`. */
  hosts: string[];
  links: { terms?: string; privacy?: string; optOut?: string };
  optOut: { ja: string; en: string };
}

const c = (ja: string, en: string) => ({ ja, en });

export const toolCatalog = {
  google_analytics: {
    name: 'Google Analytics',
    provider: c('Google LLC', 'Google LLC'),
    country: 'US',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('閲覧したページと閲覧日時', 'Pages viewed and when'), c('参照元', 'Referrers'), c('端末・ブラウザの種類', 'Device and browser type'), c('おおよその地域', 'Approximate region')],
    defaultChoice: 'consent',
    family: 'analytics',
    signals: ['analytics_storage'],
    cookies: ['_ga', '_ga_*', '_gid'],
    hosts: ['www.googletagmanager.com', 'www.google-analytics.com', '*.google-analytics.com', 'stats.g.doubleclick.net'],
    links: {
      terms: 'https://marketingplatform.google.com/about/analytics/terms/jp/',
      privacy: 'https://policies.google.com/privacy?hl=ja',
      optOut: 'https://tools.google.com/dlpage/gaoptout?hl=ja',
    },
    optOut: c('同意設定で「アクセス解析」をオフにするか、Google が配布するオプトアウト用のブラウザアドオンを導入すると、収集を止められます。', 'Turn off "analytics" in the consent settings, or install the opt-out browser add-on that Google provides.'),
  },
  microsoft_clarity: {
    name: 'Microsoft Clarity',
    provider: c('Microsoft Corporation', 'Microsoft Corporation'),
    country: 'US',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('クリック・スクロール等の操作', 'Clicks, scrolling and other interactions'), c('閲覧したページ', 'Pages viewed'), c('端末・ブラウザの種類', 'Device and browser type')],
    defaultChoice: 'consent',
    family: 'analytics',
    signals: ['analytics_storage'],
    cookies: ['_clck', '_clsk', 'CLID', 'MUID'],
    hosts: ['www.clarity.ms', '*.clarity.ms', 'c.bing.com'],
    links: { terms: 'https://clarity.microsoft.com/terms', privacy: 'https://privacy.microsoft.com/ja-jp/privacystatement' },
    optOut: c('同意設定で「アクセス解析」をオフにすると、収集を止められます。', 'Turn off "analytics" in the consent settings.'),
  },
  cloudflare_web_analytics: {
    name: 'Cloudflare Web Analytics',
    provider: c('Cloudflare, Inc.', 'Cloudflare, Inc.'),
    country: 'US',
    collects: [c('閲覧したページと閲覧日時', 'Pages viewed and when'), c('参照元', 'Referrers'), c('端末・ブラウザの種類', 'Device and browser type'), c('ページの表示速度', 'Page load performance')],
    defaultChoice: 'none',
    family: 'analytics',
    signals: [],
    cookies: [],
    hosts: ['static.cloudflareinsights.com', 'cloudflareinsights.com'],
    links: { terms: 'https://www.cloudflare.com/ja-jp/website-terms/', privacy: 'https://www.cloudflare.com/ja-jp/privacypolicy/' },
    optOut: c('Cookie を使わず個人を識別しない集計のみを行うため、個別の停止手続はありません。', 'It uses no cookies and only aggregates without identifying anyone, so there is no separate opt-out.'),
  },
  sentry: {
    name: 'Sentry',
    provider: c('Functional Software, Inc.（自己ホストの場合は運営者）', 'Functional Software, Inc. (the operator when self-hosted)'),
    country: 'US',
    collects: [c('ブラウザ・OS・端末の種類', 'Browser, OS and device type'), c('ページ読み込み時間や読み込みエラー等のパフォーマンスデータ', 'Performance data such as load times and loading errors'), c('クリックやページ遷移等の操作', 'Actions such as clicks and page transitions'), c('エラーの内容', 'Error details')],
    defaultChoice: 'opt_out',
    family: 'error_reporting',
    signals: [],
    cookies: [],
    hosts: ['*.ingest.sentry.io', '*.ingest.us.sentry.io', 'browser.sentry-cdn.com'],
    links: { privacy: 'https://sentry.io/privacy/' },
    optOut: c('設定画面でエラー報告をオフにすると、以後は送信されません。', 'Turn error reporting off in your settings and nothing more is sent.'),
  },
  google_ads: {
    name: 'Google 広告',
    provider: c('Google LLC', 'Google LLC'),
    country: 'US',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('広告の表示・クリック履歴', 'Ad impressions and clicks'), c('閲覧したページ', 'Pages viewed')],
    defaultChoice: 'consent',
    family: 'advertising',
    signals: ['ad_storage', 'ad_user_data', 'ad_personalization'],
    cookies: ['_gcl_au', 'IDE', 'NID'],
    hosts: ['www.googleadservices.com', 'googleads.g.doubleclick.net', 'pagead2.googlesyndication.com', '*.doubleclick.net'],
    links: { privacy: 'https://policies.google.com/technologies/ads?hl=ja', optOut: 'https://adssettings.google.com/' },
    optOut: c('同意設定で「広告」をオフにするか、Google の広告設定ページでパーソナライズ広告を無効にできます。', 'Turn off "advertising" in the consent settings, or disable personalised ads on Google\'s ad settings page.'),
  },
  ad_delivery: {
    name: '第三者配信の広告',
    provider: c('広告配信事業者', 'Ad delivery companies'),
    genericProvider: true,
    country: 'JP',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('広告の表示・クリック履歴', 'Ad impressions and clicks'), c('閲覧したページ', 'Pages viewed')],
    defaultChoice: 'consent',
    family: 'advertising',
    signals: ['ad_storage', 'ad_user_data', 'ad_personalization'],
    cookies: [],
    hosts: [],
    links: {},
    optOut: c('同意設定で「広告」をオフにするか、ブラウザの設定で第三者 Cookie を拒否できます。', 'Turn off "advertising" in the consent settings, or block third-party cookies in your browser.'),
  },
  meta_pixel: {
    name: 'Meta ピクセル',
    provider: c('Meta Platforms, Inc.', 'Meta Platforms, Inc.'),
    country: 'US',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('閲覧したページと操作', 'Pages viewed and actions taken')],
    defaultChoice: 'consent',
    family: 'advertising',
    signals: ['ad_storage', 'ad_user_data', 'ad_personalization'],
    cookies: ['_fbp'],
    hosts: ['connect.facebook.net', 'www.facebook.com'],
    links: { privacy: 'https://www.facebook.com/privacy/policy/' },
    optOut: c('同意設定で「広告」をオフにしてください。', 'Turn off "advertising" in the consent settings.'),
  },
  recaptcha: {
    name: 'reCAPTCHA',
    provider: c('Google LLC', 'Google LLC'),
    country: 'US',
    collects: [c('端末・ブラウザ情報', 'Device and browser information'), c('操作の特徴', 'Interaction characteristics'), c('IPアドレス', 'IP address')],
    defaultChoice: 'none',
    family: 'security',
    signals: [],
    cookies: ['_GRECAPTCHA'],
    hosts: ['www.recaptcha.net'],
    links: { terms: 'https://policies.google.com/terms?hl=ja', privacy: 'https://policies.google.com/privacy?hl=ja' },
    optOut: c('不正利用の防止に必要なため、停止の手続はありません。', 'It is needed to prevent abuse, so there is no opt-out.'),
  },
  youtube_embed: {
    name: 'YouTube 埋め込み',
    provider: c('Google LLC', 'Google LLC'),
    country: 'US',
    collects: [c('Cookieによる識別子', 'Identifiers stored in cookies'), c('再生状況', 'Playback activity')],
    defaultChoice: 'consent',
    family: 'functional',
    signals: [],
    cookies: ['VISITOR_INFO1_LIVE', 'YSC'],
    hosts: ['www.youtube.com', 'www.youtube-nocookie.com', 'i.ytimg.com', '*.googlevideo.com'],
    links: { privacy: 'https://policies.google.com/privacy?hl=ja' },
    optOut: c('同意設定で「外部コンテンツ」をオフにしてください。', 'Turn off "external content" in the consent settings.'),
  },
} as const satisfies Record<string, CatalogTool>;

export type CatalogToolKey = keyof typeof toolCatalog;
export const catalogToolKeys = Object.keys(toolCatalog) as [CatalogToolKey, ...CatalogToolKey[]];
