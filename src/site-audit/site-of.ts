/**
 * The site (registrable domain) of a host, as browsers group hosts into first and third parties, approximated
 * without the Public Suffix List: an IP address or single label is its own site; under the second-level suffixes
 * common in Japan and elsewhere (co.jp, ne.jp, co.uk …) the site keeps three labels, otherwise two.
 * @example siteOf('www.example.co.jp') // 'example.co.jp'; siteOf('cdn.example.com') // 'example.com'
 */
export function siteOf(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':') || !h.includes('.')) return h;
  const labels = h.split('.');
  const lastTwo = labels.slice(-2).join('.');
  const keep = SECOND_LEVEL.has(lastTwo) || JP_PREFECTURE_OR_CITY.test(lastTwo) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

const SECOND_LEVEL: ReadonlySet<string> = new Set([
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'ad.jp', 'ed.jp', 'go.jp', 'gr.jp', 'lg.jp',
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'co.kr', 'or.kr', 'com.cn', 'com.tw', 'com.hk', 'com.sg', 'com.br', 'co.nz', 'co.in',
]);

/** Geographic names under .jp (e.g. tokyo.jp) are public suffixes too. */
const JP_PREFECTURE_OR_CITY = /^(hokkaido|aomori|iwate|miyagi|akita|yamagata|fukushima|ibaraki|tochigi|gunma|saitama|chiba|tokyo|kanagawa|niigata|toyama|ishikawa|fukui|yamanashi|nagano|gifu|shizuoka|aichi|mie|shiga|kyoto|osaka|hyogo|nara|wakayama|tottori|shimane|okayama|hiroshima|yamaguchi|tokushima|kagawa|ehime|kochi|fukuoka|saga|nagasaki|kumamoto|oita|miyazaki|kagoshima|okinawa)\.jp$/;

/** A URL's path with its query values removed (keys kept), so a report carries no identifiers: `/collect?tid=&cid=`. */
export function pathWithoutValues(url: URL): string {
  const keys = [...url.searchParams.keys()];
  return keys.length > 0 ? `${url.pathname}?${keys.map((k) => `${encodeURIComponent(k)}=`).join('&')}` : url.pathname;
}
