import type { Policy, RequestKind, PaymentMethod } from '../../policy/schema.ts';
import { localize } from '../../policy/load-policy.ts';
import { selfName } from '../../policy/render/self-name.ts';
import { formatJapanDate } from '../../dates/japan-date.ts';
import type { PaymentInstructions } from '../../requests/payment-view.ts';
import { requestKindRules } from '../../law/appi/request-kinds.ts';
import { refusalGrounds, type RefusalGround } from '../../law/appi/refusal-grounds.ts';

/**
 * Mail texts of the request workflow, in Japanese and English, written for the person who made the request.
 * Every function returns `{ subject, text }`; nothing here reads the database or the clock.
 */
export type MailLang = 'ja' | 'en';

export interface RequestMailBase {
  lang: MailLang;
  policy: Policy;
  requestId: string;
  kind: RequestKind;
  /** The secret status link, when the requester has one. */
  statusUrl?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

const paymentNames: Record<PaymentMethod, { ja: string; en: string }> = {
  bank_transfer: { ja: '銀行振込', en: 'bank transfer' },
  card: { ja: 'クレジットカード', en: 'credit card' },
  postal_money_order: { ja: '定額小為替', en: 'postal money order' },
  convenience_store: { ja: 'コンビニ決済', en: 'convenience store payment' },
  cash_on_site: { ja: '窓口での現金払い', en: 'cash at our office' },
};

function service(b: RequestMailBase): string {
  return localize(b.policy.service.name, b.lang);
}

function kindName(b: RequestMailBase): string {
  return requestKindRules[b.kind].name[b.lang];
}

function footer(b: RequestMailBase): string {
  const lines = b.lang === 'ja'
    ? ['', `受付番号: ${b.requestId}`, ...(b.statusUrl ? [`手続きの状況: ${b.statusUrl}`, '（このリンクはご本人専用です。他の方に転送しないでください。）'] : []), '', `${service(b)} 個人情報のお問い合わせ窓口`]
    : ['', `Request number: ${b.requestId}`, ...(b.statusUrl ? [`Status of your request: ${b.statusUrl}`, '(This link is for you alone. Please do not forward it.)'] : []), '', `${service(b)} privacy desk`];
  return lines.join('\n');
}

/** Where to complain: the policy's complaint contacts and the accredited organization (施行令10条). */
export function complaintLines(policy: Policy, lang: MailLang): string[] {
  const op = policy.operator;
  const ids = op.complaint_contacts ?? [];
  const contacts = op.contacts.filter((c) => ids.includes(c.id));
  const lines: string[] = [];
  lines.push(lang === 'ja' ? 'この決定についてのご意見・苦情は、次の窓口でお受けしています。' : 'If you disagree with this decision or wish to complain, please contact:');
  for (const c of contacts.length > 0 ? contacts : op.contacts.slice(0, 1)) {
    const label = c.label ? `${localize(c.label, lang)}: ` : '';
    lines.push(`  - ${label}${localize(c.value, lang)}`);
  }
  const org = op.accredited_organization;
  if (org) {
    lines.push(lang === 'ja' ? `${selfName(policy).ja}が対象事業者となっている認定個人情報保護団体の苦情窓口:` : 'The complaint office of the accredited personal information protection organization we belong to:');
    const phones = org.phones.join(' / ');
    lines.push(lang === 'ja' ? `  - ${localize(org.name, lang)} ${localize(org.complaint_office, lang)}（電話: ${phones}）` : `  - ${localize(org.name, lang)}, ${localize(org.complaint_office, lang)} (phone: ${phones})`);
  }
  lines.push(lang === 'ja' ? '個人情報保護委員会の相談窓口（個人情報保護法相談ダイヤル）にご相談いただくこともできます。' : 'You may also consult the Personal Information Protection Commission (PPC helpline).');
  return lines;
}

/** The 6-digit code that confirms the email address. */
export function codeMail(b: RequestMailBase, code: string, minutes: number): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】確認コード: ${code}`,
      text: [`${kindName(b)}のご請求を受け付けるため、メールアドレスを確認しています。`, '', `確認コード: ${code}`, '', `このコードは${minutes}分間有効です。請求画面に入力してください。`, 'お心当たりがない場合は、このメールを破棄してください。手続きは進みません。', footer({ ...b, statusUrl: undefined })].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] Your confirmation code: ${code}`,
    text: [`To accept your request (${kindName(b)}), we need to confirm your email address.`, '', `Code: ${code}`, '', `The code is valid for ${minutes} minutes. Enter it on the request page.`, 'If you did not make this request, please ignore this mail; nothing will happen.', footer({ ...b, statusUrl: undefined })].join('\n'),
  };
}

/** The request is received and the email (or identity) confirmed. `dueDate` is an instant (ISO), shown as its JST day. */
export function receivedMail(b: RequestMailBase, facts: { dueDate: string | null; needsDocumentCheck: boolean }): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】${kindName(b)}のご請求を受け付けました`,
      text: [
        `${kindName(b)}のご請求を受け付けました。`,
        facts.needsDocumentCheck ? 'お送りいただいた本人確認書類・代理権を確認する書類を担当者が確認いたします。確認が済みしだい、手続きを進めます。' : '遅滞なく対応いたします。',
        ...(facts.dueDate ? [`回答の目安: ${formatJapanDate(facts.dueDate, 'ja')}まで`] : []),
        footer(b),
      ].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] We received your request (${kindName(b)})`,
    text: [
      `We have received your request (${kindName(b)}).`,
      facts.needsDocumentCheck ? 'Our staff will check the identity and agency documents you sent, and then continue.' : 'We will handle it without delay.',
      ...(facts.dueDate ? [`We aim to answer by ${formatJapanDate(facts.dueDate, 'en')}.`] : []),
      footer(b),
    ].join('\n'),
  };
}

const accountTypes = { ordinary: { ja: '普通', en: 'ordinary' }, checking: { ja: '当座', en: 'checking' } } as const;

/**
 * Where and how to pay, line by line: the same facts as the status page's payment section.
 * @example paymentInstructionLines(p, 'ja') // ['金額: 1,500円（消費税の課税対象外）', 'お支払い期限: 2026年12月31日まで', …]
 */
export function paymentInstructionLines(p: PaymentInstructions, lang: MailLang): string[] {
  const ja = lang === 'ja';
  const lines: string[] = [ja ? `金額: ${p.wording.ja}` : `Amount: ${p.wording.en}`];
  if (p.dueAt) lines.push(ja ? `お支払い期限: ${formatJapanDate(p.dueAt, 'ja')}まで` : `Please pay by: ${formatJapanDate(p.dueAt, 'en')}`);
  if (p.reference) lines.push(ja ? `お支払い番号: ${p.reference}` : `Payment reference: ${p.reference}`);
  if (p.bankAccount) {
    const a = p.bankAccount;
    lines.push('', ja ? '■ 銀行振込' : '■ Bank transfer');
    lines.push(ja ? `  振込先: ${a.bank.ja} ${a.branch.ja}` : `  Bank: ${a.bank.en}, ${a.branch.en}`);
    lines.push(ja ? `  口座: ${accountTypes[a.type].ja}預金 ${a.number}` : `  Account: ${accountTypes[a.type].en} account ${a.number}`);
    lines.push(ja ? `  口座名義: ${a.holderKana}` : `  Account holder: ${a.holderKana}`);
    if (p.reference) lines.push(ja ? `  振込依頼人名: お名前の前にお支払い番号「${p.reference}」を入力してください（例: ${p.reference} ヤマダ ハナコ）。` : `  Sender name: type the payment reference "${p.reference}" before your name (e.g. ${p.reference} YAMADA HANAKO).`);
    lines.push(ja ? '  振込手数料はご負担をお願いいたします。' : '  Bank charges are borne by the sender.');
  }
  if (p.paymentUrl) {
    const how = p.methods.filter((m) => m === 'card' || m === 'convenience_store').map((m) => paymentNames[m][lang]).join(ja ? '・' : ' or ');
    lines.push('', ja ? `■ ${how}` : `■ ${how}`, `  ${p.paymentUrl}`);
    if (p.reference) lines.push(ja ? `  お支払いページでお支払い番号「${p.reference}」を入力してください。` : `  Enter the payment reference "${p.reference}" on the payment page.`);
  }
  const others = p.methods.filter((m) => !(m === 'bank_transfer' && p.bankAccount) && !((m === 'card' || m === 'convenience_store') && p.paymentUrl));
  if (others.length > 0) lines.push('', ja ? `■ そのほかのお支払い方法: ${others.map((m) => paymentNames[m].ja).join('、')}（詳しくはお問い合わせ窓口にお尋ねください）` : `■ Other ways to pay: ${others.map((m) => paymentNames[m].en).join(', ')} (please ask our privacy desk how)`);
  return lines;
}

/** A fee is due before work starts (38条): the amount, where to pay, the reference to quote and the deadline. */
export function paymentNeededMail(b: RequestMailBase, p: PaymentInstructions): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】手数料のお支払いのお願い`,
      text: [
        `${kindName(b)}のご請求には、手数料をいただいております。お手数ですが、次のとおりお支払いをお願いいたします。`,
        '',
        ...paymentInstructionLines(p, 'ja'),
        '',
        'お支払いを確認しましたら、メールでお知らせし、手続きを進めます。お支払いまでの期間は回答期限の計算に含めません。',
        ...(p.dueAt ? [`期限までにお支払いが確認できない場合、このご請求は終了いたします。その後も、あらためてご請求いただけます。`] : []),
        footer(b),
      ].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] Fee payment for your request`,
    text: [
      `A fee applies to your request (${kindName(b)}). Please pay it as follows.`,
      '',
      ...paymentInstructionLines(p, 'en'),
      '',
      'Once we confirm the payment, we will let you know by mail and continue. The time until payment does not count toward our answer deadline.',
      ...(p.dueAt ? ['If we cannot confirm the payment by the deadline, this request will end. You can make a new request at any time.'] : []),
      footer(b),
    ].join('\n'),
  };
}

/** The fee has arrived: say so, and that work starts now. */
export function paymentReceivedMail(b: RequestMailBase, paid: { wording: { ja: string; en: string }; paidAt: string }): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】手数料のお支払いを確認しました`,
      text: [`${kindName(b)}のご請求の手数料 ${paid.wording.ja} のお支払いを、${formatJapanDate(paid.paidAt, 'ja')}に確認いたしました。ありがとうございます。`, '', 'これより手続きを進めます。結果はあらためてお知らせいたします。', footer(b)].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] We received your fee payment`,
    text: [`We confirmed your payment of ${paid.wording.en} for your request (${kindName(b)}) on ${formatJapanDate(paid.paidAt, 'en')}. Thank you.`, '', 'We are now working on your request and will let you know the result.', footer(b)].join('\n'),
  };
}

/** The payment deadline passed without payment: the request ends, and the person may file again. */
export function paymentLapsedMail(b: RequestMailBase, facts: { dueAt: string }): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】お支払い期限の経過によるご請求の終了について`,
      text: [
        `${kindName(b)}のご請求について、お支払い期限（${formatJapanDate(facts.dueAt, 'ja')}）までに手数料のお支払いを確認できなかったため、このご請求は終了とさせていただきました。`,
        '',
        '行き違いでお支払いいただいている場合は、お手数ですがこのメールへの返信でお知らせください。確認のうえ対応いたします。',
        '引き続き開示等をご希望の場合は、あらためてご請求ください。',
        footer(b),
      ].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] Your request ended: the fee was not paid in time`,
    text: [
      `We could not confirm payment of the fee for your request (${kindName(b)}) by the deadline (${formatJapanDate(facts.dueAt, 'en')}), so the request has ended.`,
      '',
      'If you paid and our messages crossed, please reply to this mail and we will check.',
      'If you still want the disclosure, you are welcome to make a new request.',
      footer(b),
    ].join('\n'),
  };
}

/** We need documents from the requester (identity, agency, or details identifying the data: 37条). */
export function documentsNeededMail(b: RequestMailBase, what: string): RenderedMail {
  if (b.lang === 'ja') {
    return {
      subject: `【${service(b)}】書類のご提出のお願い`,
      text: [`${kindName(b)}のご請求について、次の書類をご提出いただけますでしょうか。`, '', what, '', 'ご提出いただくまでの期間は回答期限の計算に含めません。ご不明な点はこのメールへの返信でお尋ねください。', footer(b)].join('\n'),
    };
  }
  return {
    subject: `[${service(b)}] Documents needed for your request`,
    text: [`To continue with your request (${kindName(b)}), please send us:`, '', what, '', 'The time until we receive them does not count toward our answer deadline. Reply to this mail with any question.', footer(b)].join('\n'),
  };
}

export interface DecisionForMail {
  outcome: 'full' | 'partial' | 'refused' | 'alternative';
  ground: RefusalGround | null;
  reason: string | null;
  corrections: Array<{ field: string; before: unknown; after: unknown }>;
  measure: string | null;
  alternativeMeasure: string | null;
  /** 33条3項: the chosen method was not possible, with why and what we use instead. */
  methodChange: { to: 'paper' | 'electronic'; reason: string } | null;
  willDeliver: boolean;
}

const outcomeWords: Record<DecisionForMail['outcome'], { ja: string; en: string }> = {
  full: { ja: 'ご請求のとおり対応することを決定しました。', en: 'We have decided to do as you requested.' },
  partial: { ja: 'ご請求の一部について対応し、一部については対応しないことを決定しました。', en: 'We have decided to do part of what you requested and not the rest.' },
  refused: { ja: '誠に恐れ入りますが、ご請求には応じられないとの決定に至りました。', en: 'We regret that we have decided not to do what you requested.' },
  alternative: { ja: 'ご請求どおりの対応は困難なため、代わりの措置をとることを決定しました。', en: 'Doing exactly what you requested is not feasible, so we have decided to take an alternative measure instead.' },
};

function show(v: unknown): string {
  return v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** The decision, with the statutory ground, the written reason (36条) and where to complain. */
export function decidedMail(b: RequestMailBase, d: DecisionForMail): RenderedMail {
  const ja = b.lang === 'ja';
  const lines: string[] = [ja ? `${kindName(b)}のご請求について、検討の結果をお知らせします。` : `Here is the result of our review of your request (${kindName(b)}).`, '', outcomeWords[d.outcome][b.lang]];
  if (d.ground) {
    const g = refusalGrounds[d.ground];
    lines.push('', ja ? `根拠: 個人情報の保護に関する法律 ${g.article}（${g.label.ja}）` : `Ground: Act on the Protection of Personal Information, art. ${g.article} (${g.label.en})`);
  }
  if (d.reason) lines.push('', ja ? '理由:' : 'Reason:', d.reason);
  if (d.corrections.length > 0) {
    lines.push('', ja ? '訂正等の内容:' : 'What we changed:');
    for (const c of d.corrections) lines.push(ja ? `  - ${c.field}: 「${show(c.before)}」→「${show(c.after)}」` : `  - ${c.field}: "${show(c.before)}" → "${show(c.after)}"`);
  }
  if (d.measure) lines.push('', ja ? `実施した措置: ${d.measure}` : `Measure taken: ${d.measure}`);
  if (d.alternativeMeasure) lines.push('', ja ? `代わりにとる措置: ${d.alternativeMeasure}` : `Alternative measure: ${d.alternativeMeasure}`);
  if (d.methodChange) {
    lines.push('', ja
      ? `ご指定の方法による開示が困難なため、${d.methodChange.to === 'paper' ? '書面の交付' : '電磁的記録の提供'}により開示いたします（法33条3項）。理由: ${d.methodChange.reason}`
      : `Disclosure by the method you chose is not feasible, so we will disclose by ${d.methodChange.to === 'paper' ? 'paper letter' : 'electronic file'} (art. 33(3)). Reason: ${d.methodChange.reason}`);
  }
  if (d.willDeliver) lines.push('', ja ? '開示する内容は、準備が整いしだい別途お届けします。' : 'We will send the disclosed data separately as soon as it is ready.');
  if (d.outcome !== 'full') lines.push('', ...complaintLines(b.policy, b.lang));
  lines.push(footer(b));
  return { subject: ja ? `【${service(b)}】${kindName(b)}のご請求に対する決定のお知らせ` : `[${service(b)}] Decision on your request (${kindName(b)})`, text: lines.join('\n') };
}

/** The disclosure is ready: a download link (electronic) or a letter in the post (paper). */
export function deliveredMail(b: RequestMailBase, how: { format: 'electronic'; url: string; expiresOn: string } | { format: 'paper' }): RenderedMail {
  const ja = b.lang === 'ja';
  const lines: string[] = [];
  if (how.format === 'electronic') {
    lines.push(
      ja ? `${kindName(b)}の内容をご用意しました。次のリンクからダウンロードしてください（ZIP形式: 閲覧用HTML、JSON、CSV）。` : `Your disclosure (${kindName(b)}) is ready. Download it from this link (ZIP: HTML to read, JSON and CSV):`,
      '',
      how.url,
      '',
      ja ? `リンクの有効期限: ${formatJapanDate(how.expiresOn, 'ja')}まで。ダウンロードの記録は保存しています。` : `The link is valid until ${formatJapanDate(how.expiresOn, 'en')}. Each download is recorded.`,
    );
  } else {
    lines.push(ja ? `${kindName(b)}の内容を書面にて郵送いたしました。数日のうちに届く見込みです。` : `We have sent your disclosure (${kindName(b)}) as a letter by post. It should arrive within a few days.`);
  }
  lines.push(footer(b));
  return { subject: ja ? `【${service(b)}】開示内容のお届け` : `[${service(b)}] Your disclosure is ready`, text: lines.join('\n') };
}
