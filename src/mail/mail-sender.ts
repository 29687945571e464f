/**
 * The From header of every mail: the service's name as display name, so a person sees 「Misskeyサーバー隠れ家」 and
 * not "mamori" (which they never signed up to). An operator's own display name in MAIL_FROM is kept; a bare
 * address, or the built-in default "mamori <…>", takes the service's name.
 * @example mailSender('privacy@kakurega.example', 'Misskeyサーバー隠れ家') // '"Misskeyサーバー隠れ家" <privacy@kakurega.example>'
 */
export function mailSender(mailFrom: string, serviceName: string): string {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(mailFrom);
  const address = m ? m[2]!.trim() : mailFrom.trim();
  const shown = m?.[1]?.trim() ?? '';
  const name = shown && shown.toLowerCase() !== 'mamori' ? shown : serviceName;
  return `"${name.replace(/["\\\r\n]/g, '')}" <${address}>`;
}
