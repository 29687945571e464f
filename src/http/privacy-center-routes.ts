import { suspensionGroundsFor } from '../law/appi/suspension-grounds.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from './route-module.ts';
import type { AppContext } from '../context.ts';
import { isMamoriError, MamoriError } from '../errors.ts';
import { verifyAssertion } from '../auth/signed-assertion.ts';
import { agentKinds, type AgentProof, type Policy, type RequestKind } from '../policy/schema.ts';
import { isAgentProof, isRequestKind, requestServiceFor, type FileRequestInput } from '../requests/request-service.ts';
import { pickLang, type Lang } from '../html/layout.ts';
import { PAGE_CSP } from './page-headers.ts';
import { readForm } from './multipart-form.ts';
import { anonymousUploads } from './anonymous-uploads.ts';
import { consumeAssertion } from '../auth/assertion-replay.ts';
import { centerErrorPage, filingFormPage, landingPage, t, verifyPage, type FieldError, type FilingValues } from './privacy-center-pages.ts';
import { statusPage } from './privacy-center-status-page.ts';
import { onlineKinds } from './request-labels.ts';

/** Messages for the codes a person can run into, in both languages, with what to do next. */
const personMessages: Record<string, { field?: string; ja: string; en: string }> = {
  MAMORI_REQUEST_INVALID_EMAIL: { field: 'email', ja: 'メールアドレスの形式が正しくありません。例: name@example.jp', en: 'Please enter a valid email address, e.g. name@example.jp.' },
  MAMORI_REQUEST_AGENT_PROOF_MISSING: { field: 'proofs', ja: '代理人として請求される場合は、代理権を確認できる書類（委任状など）を添付してください。', en: 'As an agent, please attach the documents proving your authority (e.g. a power of attorney).' },
  MAMORI_REQUEST_AGENT_NOT_ALLOWED: { field: 'applicant', ja: 'このご請求は代理人の方からはお受けしていません。ご本人からご請求ください。', en: 'This request cannot be made by an agent. Please ask the person to apply themselves.' },
  MAMORI_REQUEST_UPLOAD_TYPE: { field: 'proofs', ja: '添付できるのはPDF・PNG・JPEG形式のファイルのみです。形式を変えてから、もう一度お選びください。', en: 'Only PDF, PNG and JPEG files can be attached. Please convert the file and choose it again.' },
  MAMORI_REQUEST_UPLOAD_TOO_LARGE: { field: 'proofs', ja: '10MBを超えるファイルは添付できません。解像度を下げるなどしてから、もう一度お選びください。', en: 'Files over 10 MB cannot be attached. Please reduce the size (e.g. a lower resolution) and choose it again.' },
  MAMORI_REQUEST_DELIVERY_INVALID: { field: 'delivery', ja: 'お選びいただいた開示の方法はご利用いただけません。表示されている方法からお選びください。', en: 'This delivery method is not available. Please choose one of those shown.' },
  MAMORI_REQUEST_ASSERTION_MISMATCH: { field: 'email', ja: 'ログイン中のアカウントのメールアドレスと異なります。ログイン中のアドレスをお使いください。', en: 'This is not the address of the account you are signed in with. Please use that address.' },
  MAMORI_REQUEST_CODE_INVALID: { field: 'code', ja: '確認コードが正しくありません。メールに記載の6桁の数字をご確認ください。', en: 'The code is not correct. Please check the 6 digits in the mail.' },
  MAMORI_REQUEST_CODE_EXPIRED: { field: 'code', ja: '確認コードの有効期限（10分）が過ぎました。「新しいコードを送る」を押して、新しいコードをお受け取りください。', en: 'The code has expired (10 minutes). Press "Send a new code" to get a new one.' },
  MAMORI_REQUEST_CODE_LOCKED: { field: 'code', ja: '誤ったコードが続けて入力されたため、このコードは使えなくなりました。「新しいコードを送る」を押してください。', en: 'Too many wrong codes: this code no longer works. Press "Send a new code".' },
  MAMORI_RATE_LIMITED: { ja: '短い時間に多くの操作があったため、一時的にお受けできません。しばらく時間をおいてから、もう一度お試しください。', en: 'There were too many attempts in a short time. Please wait a while and try again.' },
  MAMORI_REQUEST_ASSERTION_INVALID: { ja: 'サービスからのログイン情報を確認できませんでした。サービスにログインし直してから、もう一度お越しください。またはメールアドレスの確認コードでお手続きください。', en: 'We could not check the sign-in information from the service. Please sign in to the service again, or continue with an email code instead.' },
  MAMORI_REQUEST_ASSERTION_USED: { ja: 'サービスからのログイン情報は、すでに一度使われています。お手数ですが、サービスにログインし直してから、もう一度お手続きください。', en: 'The sign-in information from the service has already been used once. Please sign in to the service again and start over.' },
  MAMORI_REQUEST_ASSERTION_EXPIRED: { ja: 'サービスからのログイン情報の有効期限が切れています。サービスにログインし直してから、もう一度お越しください。', en: 'The sign-in information from the service has expired. Please sign in to the service again and come back.' },
  MAMORI_REQUEST_TOKEN_INVALID: { ja: 'このリンクは無効です。メールに記載のリンクをそのままお使いください。', en: 'This link is not valid. Please use the link in our mail exactly as sent.' },
  MAMORI_REQUEST_NOT_FOUND: { ja: 'このリンクは無効です。メールに記載のリンクをそのままお使いください。', en: 'This link is not valid. Please use the link in our mail exactly as sent.' },
  MAMORI_REQUEST_KIND_NOT_OFFERED: { ja: 'このご請求はウェブではお受けしていません。プライバシーポリシーに記載の窓口にお問い合わせください。', en: 'This request cannot be made online. Please contact us as described in our privacy policy.' },
  MAMORI_REQUEST_UNKNOWN_KIND: { ja: 'ご請求の種類が正しくありません。請求窓口のトップから選び直してください。', en: 'Unknown kind of request. Please choose again from the privacy center.' },
  MAMORI_REQUEST_STATE_CONFLICT: { ja: 'ご請求の現在の状況では、この操作はできません。状況のページを再読み込みしてご確認ください。', en: 'This is not possible at the current stage of your request. Please reload the status page.' },
  MAMORI_VALIDATION_FAILED: { ja: 'ファイルが選ばれていません。送る書類を選んでから、もう一度お試しください。', en: 'No file was chosen. Please choose the documents to send and try again.' },
  MAMORI_REQUEST_DOWNLOAD_EXPIRED: { ja: 'ダウンロードの有効期限が過ぎました。お手数ですが、お問い合わせ窓口にご連絡ください。新しいリンクをご用意します。', en: 'The download has expired. Please contact us and we will prepare a new link.' },
};

function message(lang: Lang, err: MamoriError): string {
  const m = personMessages[err.code];
  return m ? m[lang] : lang === 'ja' ? 'ご請求を処理できませんでした。内容をご確認のうえ、もう一度お試しください。' : err.message;
}

function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  // The status link carries a secret in its query: never leak it through the Referer header, never cache it.
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', PAGE_CSP)
    .send(page);
}

function errorPage(reply: FastifyReply, lang: Lang, policy: Policy, err: MamoriError, back?: { href: string; label: string }): FastifyReply {
  const title = err.status === 404 || err.code === 'MAMORI_REQUEST_TOKEN_INVALID' ? t(lang, 'ページが見つかりません', 'Page not found') : err.status === 429 ? t(lang, 'しばらくお待ちください', 'Please wait a moment') : t(lang, 'ご請求をお受けできませんでした', 'We could not accept this');
  const next = err.status === 429 ? waitHint(lang, err.details) : t(lang, 'ご不明な点は、プライバシーポリシーに記載のお問い合わせ窓口までご連絡ください。', 'If anything is unclear, please contact us as shown in our privacy policy.');
  return sendHtml(reply, err.status, centerErrorPage(lang, policy, { title, message: message(lang, err), next, code: err.code, ...(back ? { back } : {}) }));
}

/** How long to wait after a rate limit, from the limiter's own retry time when it gives one. */
function waitHint(lang: Lang, details: unknown): string {
  const parsed = z.object({ retryAfterSeconds: z.number().positive() }).safeParse(details);
  if (!parsed.success) return t(lang, 'しばらく時間をおいてから、もう一度お試しください（最長で1時間ほどかかる場合があります）。', 'Please try again later (it may take up to an hour).');
  const minutes = Math.max(1, Math.ceil(parsed.data.retryAfterSeconds / 60));
  return t(lang, `${minutes}分ほど時間をおいてから、もう一度お試しください。`, `Please try again in about ${minutes} minute(s).`);
}

const idParams = z.object({ id: z.string().min(1).max(80) });
const tokenQuery = z.object({ token: z.string().min(1).max(200) });

function emptyValues(kind: RequestKind): FilingValues {
  return { kind, applicant: 'self', email: '', accountId: '', description: '', delivery: '', agentKind: '', agentName: '', agentRelationship: '', currentValue: '', correctValue: '', grounds: [] };
}

function valuesFrom(kind: RequestKind, f: Record<string, string>): FilingValues {
  return {
    kind,
    applicant: f.applicant === 'agent' ? 'agent' : 'self',
    email: (f.email ?? '').trim().slice(0, 254),
    accountId: (f.account_id ?? '').trim().slice(0, 200),
    description: (f.description ?? '').slice(0, 5000),
    delivery: f.delivery ?? '',
    agentKind: f.agent_kind ?? '',
    agentName: (f.agent_name ?? '').trim().slice(0, 200),
    agentRelationship: (f.agent_relationship ?? '').trim().slice(0, 200),
    currentValue: (f.current_value ?? '').trim().slice(0, 2000),
    correctValue: (f.correct_value ?? '').trim().slice(0, 2000),
    grounds: suspensionGroundsFor(kind).filter((g) => f[`ground_${g}`] === '1'),
  };
}

/** What staff read as the request: for a correction, the current and the correct value first, then any note. */
function requestDescription(lang: Lang, v: FilingValues): string {
  if (v.kind !== 'correction') return v.description;
  const parts = [t(lang, `【現在の内容】\n${v.currentValue}`, `[What it says now]\n${v.currentValue}`), t(lang, `【正しい内容】\n${v.correctValue}`, `[What it should say]\n${v.correctValue}`)];
  if (v.description.trim() !== '') parts.push(t(lang, `【補足】\n${v.description.trim()}`, `[Note]\n${v.description.trim()}`));
  return parts.join('\n\n').slice(0, 5000);
}

/** Checks what the form can check before the service does (required fields), so all problems show at once. */
function formProblems(lang: Lang, v: FilingValues, hasProofs: boolean, tooLarge: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (v.email === '') errors.push({ field: 'email', message: t(lang, 'ご連絡先のメールアドレスを入力してください。', 'Please enter your email address.') });
  else if (!z.email().safeParse(v.email).success) errors.push({ field: 'email', message: personMessages.MAMORI_REQUEST_INVALID_EMAIL?.[lang] ?? '' });
  if (v.kind === 'correction') {
    if (v.currentValue === '') errors.push({ field: 'current_value', message: t(lang, '訂正を求める情報の現在の内容を入力してください。', 'Please enter what the information says now.') });
    if (v.correctValue === '') errors.push({ field: 'correct_value', message: t(lang, '正しい内容を入力してください。', 'Please enter what it should say.') });
  } else if (v.kind !== 'purpose_notice' && v.description.trim() === '') errors.push({ field: 'description', message: t(lang, 'ご請求の内容を入力してください。', 'Please describe your request.') });
  if (v.applicant === 'agent') {
    if (!(agentKinds as readonly string[]).includes(v.agentKind)) errors.push({ field: 'agent_kind', message: t(lang, '代理人の種類を選んでください。', 'Please choose the kind of agent.') });
    if (v.agentName === '') errors.push({ field: 'agent_name', message: t(lang, '代理人のお名前を入力してください。', "Please enter the agent's name.") });
    if (v.agentRelationship === '') errors.push({ field: 'agent_relationship', message: t(lang, 'ご本人との関係を入力してください。', 'Please enter your relationship to the person.') });
    if (!hasProofs && !tooLarge) errors.push({ field: 'proofs', message: personMessages.MAMORI_REQUEST_AGENT_PROOF_MISSING?.[lang] ?? '' });
  }
  if (tooLarge) errors.push({ field: 'proofs', message: personMessages.MAMORI_REQUEST_UPLOAD_TOO_LARGE?.[lang] ?? '' });
  return errors;
}

function langOf(request: FastifyRequest, fields?: Record<string, string>): Lang {
  if (fields?.lang === 'en' || fields?.lang === 'ja') return fields.lang;
  return pickLang(request.query, request.headers['accept-language']);
}

function assertedEmail(ctx: AppContext, assertion: string | undefined): string | undefined {
  if (!assertion) return undefined;
  const result = verifyAssertion(assertion, ctx.config.assertionSecret, ctx.clock);
  return result.ok ? result.payload.email : undefined;
}

/**
 * The privacy center (people): choose a kind, file it (as the person or an agent with proofs), confirm the email with
 * a code (or arrive signed in with `?assertion=`), then follow the request on its secret status page.
 * `/privacy-center/preferences` belongs to the consent domain.
 */
export const privacyCenterRoutes: RouteModule = (app, ctx) => {
  const policy = ctx.policy.policy;
  const service = requestServiceFor(ctx);

  // Hourly: requests whose payment deadline passed unpaid lapse with a notice. Safe to run twice or from several
  // processes: each request is re-checked under its row lock.
  let lapseTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    lapseTimer = setInterval(() => {
      service.lapseUnpaidRequests().catch((e: unknown) => app.log.error({ err: { type: e instanceof Error ? e.name : 'error' } }, 'payment lapse check failed'));
    }, 3600_000);
    lapseTimer.unref();
  });
  app.addHook('onClose', async () => {
    if (lapseTimer) clearInterval(lapseTimer);
  });

  app.get('/privacy-center', async (request, reply) => {
    const lang = langOf(request);
    const q = z.object({ assertion: z.string().max(4096).optional() }).safeParse(request.query);
    return sendHtml(reply, 200, landingPage(lang, policy, q.success ? (q.data.assertion ?? '') : ''));
  });

  app.get('/privacy-center/new', async (request, reply) => {
    const lang = langOf(request);
    const q = z.object({ kind: z.string().max(40).optional(), assertion: z.string().max(4096).optional() }).safeParse(request.query);
    const kind = q.success ? q.data.kind : undefined;
    if (!kind || !isRequestKind(kind) || !onlineKinds(policy).includes(kind)) {
      return errorPage(reply, lang, policy, new MamoriError(kind && isRequestKind(kind) ? 'MAMORI_REQUEST_KIND_NOT_OFFERED' : 'MAMORI_REQUEST_UNKNOWN_KIND'));
    }
    const assertion = q.success ? q.data.assertion : undefined;
    const email = assertedEmail(ctx, assertion);
    if (assertion && !email) {
      const check = verifyAssertion(assertion, ctx.config.assertionSecret, ctx.clock);
      return errorPage(reply, lang, policy, new MamoriError(!check.ok && check.reason === 'expired' ? 'MAMORI_REQUEST_ASSERTION_EXPIRED' : 'MAMORI_REQUEST_ASSERTION_INVALID'));
    }
    return sendHtml(reply, 200, filingFormPage(lang, policy, emptyValues(kind), [], { ...(assertion && email ? { assertion, assertedEmail: email } : {}) }));
  });

  const uploads = anonymousUploads(ctx);
  app.post('/privacy-center/requests', async (request, reply) => uploads.handle(request, 'note', async (form) => {
    const lang = langOf(request, form.fields);
    const kindField = form.fields.kind ?? '';
    if (!isRequestKind(kindField) || !onlineKinds(policy).includes(kindField)) {
      return errorPage(reply, lang, policy, new MamoriError(isRequestKind(kindField) ? 'MAMORI_REQUEST_KIND_NOT_OFFERED' : 'MAMORI_REQUEST_UNKNOWN_KIND'));
    }
    const v = valuesFrom(kindField, form.fields);
    const assertion = form.fields.assertion || undefined;
    const email = assertedEmail(ctx, assertion);
    if (email) v.email = email;
    const proofOf = (field: string): AgentProof | undefined => {
      const kind = field.replace(/^proof_/, '');
      return field.startsWith('proof_') && isAgentProof(kind) ? kind : undefined;
    };
    const spooledProofs = form.files.filter((f) => proofOf(f.field) !== undefined);
    const render = (status: number, errors: FieldError[]) => sendHtml(reply, status, filingFormPage(lang, policy, v, errors, { ...(assertion && email ? { assertion, assertedEmail: email } : {}) }));
    const problems = formProblems(lang, v, spooledProofs.length > 0, v.applicant === 'agent' && form.tooLarge.length > 0);
    if (problems.length > 0) return render(form.tooLarge.length > 0 ? 413 : 400, problems);
    const inputWith = (proofs: Array<{ filename: string; bytes: Buffer; proofKind: AgentProof }>): FileRequestInput => ({
      kind: kindField,
      email: v.email,
      accountId: v.accountId || undefined,
      description: requestDescription(lang, v),
      delivery: v.delivery === 'electronic' || v.delivery === 'paper' ? v.delivery : undefined,
      lang,
      assertion,
      ...(v.grounds.length > 0 ? { grounds: v.grounds } : {}),
      agent: v.applicant === 'agent' && (agentKinds as readonly string[]).includes(v.agentKind)
        ? { kind: v.agentKind === 'legal_representative' ? 'legal_representative' : 'mandated', name: v.agentName, relationship: v.agentRelationship, proofs }
        : undefined,
    });
    try {
      await uploads.charge(request, v.email, spooledProofs);
      await consumeAssertion(ctx.store.db, ctx.clock, ctx.config.assertionSecret, assertion);
      const filed = await uploads.spool.withBytes(spooledProofs, (files) =>
        service.fileRequest(inputWith(files.flatMap((f) => { const proofKind = proofOf(f.field); return proofKind ? [{ filename: f.filename, bytes: f.bytes, proofKind }] : []; })), { ip: request.ip }),
      );
      const base = `/privacy-center/requests/${encodeURIComponent(filed.id)}`;
      const q = `token=${encodeURIComponent(filed.token)}&lang=${lang}`;
      return reply.header('referrer-policy', 'no-referrer').redirect(filed.codeSent ? `${base}/verify?${q}` : `${base}?${q}`, 303);
    } catch (err) {
      if (!isMamoriError(err)) throw err;
      const m = personMessages[err.code];
      if (m?.field) return render(err.status, [{ field: m.field, message: m[lang] }]);
      return errorPage(reply, lang, policy, err, { href: `/privacy-center/new?kind=${kindField}&lang=${lang}`, label: t(lang, '入力画面に戻る', 'Back to the form') });
    }
  }));

  /** Reads `:id` and `?token=`; a missing token is the same as a wrong one. */
  function linkOf(request: FastifyRequest): { id: string; token: string } | null {
    const p = idParams.safeParse(request.params);
    const q = tokenQuery.safeParse(request.query);
    return p.success && q.success ? { id: p.data.id, token: q.data.token } : null;
  }

  const invalidLink = (reply: FastifyReply, lang: Lang) => errorPage(reply, lang, policy, new MamoriError('MAMORI_REQUEST_TOKEN_INVALID'));

  const verifyActions = (id: string, token: string, lang: Lang) => {
    const base = `/privacy-center/requests/${encodeURIComponent(id)}`;
    const q = `token=${encodeURIComponent(token)}&lang=${lang}`;
    return { verify: `${base}/verify?${q}`, resend: `${base}/resend?${q}`, status: `${base}?${q}`, same: { path: `${base}/verify`, query: { token } } };
  };

  app.get('/privacy-center/requests/:id/verify', async (request, reply) => {
    const lang = langOf(request);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    try {
      const view = await service.getForRequester(link.id, link.token);
      const a = verifyActions(link.id, link.token, lang);
      if (view.next !== 'enter_code') return reply.redirect(a.status, 303);
      return sendHtml(reply, 200, verifyPage(lang, policy, a.verify, [], { resendAction: a.resend, same: a.same }));
    } catch (err) {
      if (isMamoriError(err)) return errorPage(reply, lang, policy, err);
      throw err;
    }
  });

  app.post('/privacy-center/requests/:id/verify', async (request, reply) => {
    const form = await readForm(request);
    const lang = langOf(request, form.fields);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    const a = verifyActions(link.id, link.token, lang);
    try {
      await service.checkRequesterToken(link.id, link.token);
      const code = (form.fields.code ?? '').replace(/\s/g, '');
      if (!/^\d{6}$/.test(code)) {
        return sendHtml(reply, 400, verifyPage(lang, policy, a.verify, [{ field: 'code', message: t(lang, 'メールに記載の6桁の数字を入力してください。', 'Please enter the 6 digits from the mail.') }], { resendAction: a.resend, same: a.same }));
      }
      await service.verifyRequest(link.id, { code }, { ip: request.ip });
      return reply.redirect(a.status, 303);
    } catch (err) {
      if (!isMamoriError(err)) throw err;
      if (err.code === 'MAMORI_REQUEST_CODE_USED' || err.code === 'MAMORI_REQUEST_STATE_CONFLICT') return reply.redirect(a.status, 303);
      const m = personMessages[err.code];
      if (m?.field === 'code') return sendHtml(reply, err.status, verifyPage(lang, policy, a.verify, [{ field: 'code', message: m[lang] }], { resendAction: a.resend, same: a.same }));
      return errorPage(reply, lang, policy, err, { href: a.verify, label: t(lang, '確認コードの入力に戻る', 'Back to the code') });
    }
  });

  app.post('/privacy-center/requests/:id/resend', async (request, reply) => {
    const lang = langOf(request);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    const a = verifyActions(link.id, link.token, lang);
    try {
      await service.resendCode(link.id, link.token);
      return sendHtml(reply, 200, verifyPage(lang, policy, a.verify, [], { resendAction: a.resend, same: a.same, notice: t(lang, '新しい確認コードをお送りしました。以前のコードは使えなくなります。', 'We have sent a new code. The previous code no longer works.') }));
    } catch (err) {
      if (!isMamoriError(err)) throw err;
      if (err.code === 'MAMORI_REQUEST_STATE_CONFLICT') return reply.redirect(a.status, 303);
      return errorPage(reply, lang, policy, err, { href: a.verify, label: t(lang, '確認コードの入力に戻る', 'Back to the code') });
    }
  });

  app.get('/privacy-center/requests/:id', async (request, reply) => {
    const lang = langOf(request);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    try {
      const view = await service.getForRequester(link.id, link.token);
      return sendHtml(reply, 200, statusPage(lang, policy, view, link.token, ctx.clock.now()));
    } catch (err) {
      if (isMamoriError(err)) return errorPage(reply, lang, policy, err);
      throw err;
    }
  });

  app.get('/privacy-center/requests/:id/package', async (request, reply) => {
    const lang = langOf(request);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    try {
      const pkg = await service.downloadPackage(link.id, { requestToken: link.token });
      return reply
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('content-disposition', `attachment; filename="${pkg.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
        .type(pkg.contentType)
        .send(pkg.bytes);
    } catch (err) {
      if (isMamoriError(err)) return errorPage(reply, lang, policy, err, { href: verifyActions(link.id, link.token, lang).status, label: t(lang, '状況のページに戻る', 'Back to the status page') });
      throw err;
    }
  });

  app.post('/privacy-center/requests/:id/documents', async (request, reply) => uploads.handle(request, 'note', async (form) => {
    const lang = langOf(request, form.fields);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    const a = verifyActions(link.id, link.token, lang);
    const back = { href: a.status, label: t(lang, '状況のページに戻る', 'Back to the status page') };
    if (form.tooLarge.length > 0) return errorPage(reply, lang, policy, new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE'), back);
    if (form.files.length === 0) return errorPage(reply, lang, policy, new MamoriError('MAMORI_VALIDATION_FAILED'), back);
    try {
      await service.checkRequesterToken(link.id, link.token);
      await uploads.charge(request, undefined, form.files);
      await uploads.spool.withBytes(form.files, (files) =>
        service.uploadDocuments(link.id, link.token, files.map((f) => ({ filename: f.filename, bytes: f.bytes, purpose: f.field === 'identity_document' ? 'identity_document' : 'other' }))),
      );
      return reply.redirect(a.status, 303);
    } catch (err) {
      if (isMamoriError(err)) return errorPage(reply, lang, policy, err, back);
      throw err;
    }
  }));

  app.post('/privacy-center/requests/:id/withdraw', async (request, reply) => {
    const lang = langOf(request);
    const link = linkOf(request);
    if (!link) return invalidLink(reply, lang);
    const a = verifyActions(link.id, link.token, lang);
    try {
      await service.withdraw(link.id, link.token);
      return reply.redirect(a.status, 303);
    } catch (err) {
      if (isMamoriError(err)) return errorPage(reply, lang, policy, err, { href: a.status, label: t(lang, '状況のページに戻る', 'Back to the status page') });
      throw err;
    }
  });
};
