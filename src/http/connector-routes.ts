import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from './route-module.ts';
import { html } from '../html/html.ts';
import { can, consoleLang, csrfField, renderConsolePage, requireApiKey, requireStaff, staffActor } from './staff-auth.ts';
import { MamoriError } from '../errors.ts';
import { connectorServiceFor } from '../connectors/connector-request-hooks.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../connectors/webhook/webhook-signature.ts';
import type { ConnectorService, RunReport } from '../connectors/connector-service.ts';
import type { StepStatus } from '../connectors/step-outcome.ts';
import '../connectors/connector-errors.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const taskParams = z.object({ id: z.string().min(1).max(100), taskId: z.string().min(1).max(100) });
const runParams = z.object({ id: z.string().min(1).max(100), runId: z.string().min(1).max(100) });
const taskForm = z.object({ action: z.enum(['done', 'waive']), reason: z.string().max(2000).optional() });
/** Resolving an awaited webhook callback by hand: the text is required for both (checked by the service, stable codes). */
const callbackResolution = z.object({ action: z.enum(['done', 'waive']), reason: z.string().max(2000).default('') });
const callbackResolutionBody = z.object({ action: z.enum(['done', 'waive']).describe('waive: the callback is no longer awaited (reason required); done: completion confirmed by hand (note required)'), reason: z.string().min(1).max(2000) });
const taskView = z.object({ id: z.string(), dataset: z.string(), kind: z.enum(['manual', 'webhook']), status: z.enum(['open', 'done', 'waived', 'failed']), reason: z.string().nullable(), updatedAt: z.string() });

const stepLabels: Record<StepStatus, { ja: string; en: string }> = {
  done: { ja: '完了', en: 'Done' },
  failed: { ja: '失敗', en: 'Failed' },
  skipped: { ja: '対象外・保持', en: 'Skipped or retained' },
  waiting: { ja: '待機中', en: 'Waiting' },
};
type TaskStatus = 'open' | 'done' | 'waived' | 'failed';
const taskStatuses: readonly TaskStatus[] = ['open', 'done', 'waived', 'failed'];
function taskStatusOf(v: string): TaskStatus {
  const s = taskStatuses.find((x) => x === v);
  if (!s) throw new Error('corrupt task status');
  return s;
}
const callbackLabels: Record<TaskStatus, { ja: string; en: string }> = {
  open: { ja: '完了通知待ち', en: 'Waiting for the callback' },
  done: { ja: '完了', en: 'Done' },
  waived: { ja: '対応不要（理由あり）', en: 'Waived' },
  failed: { ja: '失敗の通知あり', en: 'Reported a failure' },
};
const kindLabels: Record<RunReport['kind'], { ja: string; en: string }> = {
  access: { ja: '開示データの収集', en: 'Access' },
  erase: { ja: '消去', en: 'Erasure' },
  correct: { ja: '訂正', en: 'Correction' },
  suspend: { ja: '利用停止', en: 'Suspension' },
};

/** Routes of the connectors domain: the webhook completion callback and the console's per-system view of a request. */
export const connectorRoutes: RouteModule = async (app, ctx, openapi) => {
  const service = (): ConnectorService => {
    const s = connectorServiceFor(ctx);
    if (!s) throw new MamoriError('MAMORI_NOT_FOUND', 'No dataset graph is configured (MAMORI_GRAPH).');
    return s;
  };

  await app.register(async (sub) => {
    // The signature covers the exact bytes: read the body as text.
    sub.removeContentTypeParser('application/json');
    sub.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    sub.post('/api/v1/connectors/callbacks/:taskId', async (request) => {
      const { taskId } = z.object({ taskId: z.string().min(1).max(100) }).parse(request.params);
      const ts = request.headers[TIMESTAMP_HEADER];
      const sig = request.headers[SIGNATURE_HEADER];
      await service().completeCallback(taskId, typeof request.body === 'string' ? request.body : '', { ...(typeof ts === 'string' ? { timestamp: ts } : {}), ...(typeof sig === 'string' ? { signature: sig } : {}) });
      return { received: true };
    });
  });
  openapi.add('post', '/api/v1/connectors/callbacks/{taskId}', {
    summary: `The operator's app reports that a webhook step finished. Headers ${TIMESTAMP_HEADER} (Unix seconds) and ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, "timestamp.body")>; 5 minutes tolerance; a repeated callback changes nothing.`,
    tags: ['connectors'],
    params: z.object({ taskId: z.string() }),
    body: z.object({ status: z.enum(['done', 'failed']), count: z.number().int().optional(), groups: z.array(z.object({ name: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })).optional(), error: z.string().optional() }),
    responses: { '200': { description: 'Recorded', schema: z.object({ received: z.boolean() }) }, '401': { description: 'Bad, missing or stale signature' }, '404': { description: 'No such webhook task' } },
  });

  app.get('/api/v1/requests/:id/systems', { preHandler: requireApiKey(ctx, 'requests.view') }, async (request) => {
    const { id } = idParams.parse(request.params);
    const svc = service();
    const tasks = await svc.tasksForRequest(id);
    return { runs: await svc.runsForRequest(id), tasks: tasks.map((t) => ({ id: t.id, dataset: t.dataset, kind: t.kind, status: t.status, reason: t.reason, updatedAt: t.updated_at })), blockers: await svc.blockers(id) };
  });
  openapi.add('get', '/api/v1/requests/{id}/systems', {
    summary: 'Each system\'s steps for a request (status and counts, never the data), its manual tasks, and what blocks closing.',
    tags: ['connectors'],
    params: idParams,
    responses: { '200': { description: 'Runs, steps, tasks and blockers' }, '401': { description: 'API key missing or invalid' } },
  });

  app.post('/api/v1/requests/:id/systems/callbacks/:taskId', { preHandler: requireApiKey(ctx, 'requests.decide') }, async (request) => {
    const { id, taskId } = taskParams.parse(request.params);
    const body = callbackResolution.safeParse(request.body ?? {});
    if (!body.success) throw new MamoriError('MAMORI_VALIDATION_FAILED', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const staff = request.staff;
    if (!staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
    const svc = service();
    await svc.resolveAwaitedCallback(id, taskId, { status: body.data.action === 'done' ? 'done' : 'waived', reason: body.data.reason, actor: staffActor(staff) });
    const task = (await svc.tasksForRequest(id)).find((t) => t.id === taskId);
    if (!task) throw new MamoriError('MAMORI_CONNECTOR_TASK_NOT_FOUND');
    return { task: taskView.parse({ id: task.id, dataset: task.dataset, kind: task.kind, status: task.status, reason: task.reason, updatedAt: task.updated_at }), blockers: await svc.blockers(id) };
  });
  openapi.add('post', '/api/v1/requests/{id}/systems/callbacks/{taskId}', {
    summary: 'Resolve by hand a webhook step whose callback never came (officers and admins): waive it with a written reason, or mark it done with a note of how completion was confirmed. Recorded in the step ledger and the audit log; a later callback is answered 409 MAMORI_CONNECTOR_CALLBACK_LATE and changes nothing.',
    tags: ['connectors'],
    params: z.object({ id: z.string(), taskId: z.string() }),
    body: callbackResolutionBody,
    responses: {
      '200': { description: 'Resolved; the task and what still blocks closing', schema: z.object({ task: taskView, blockers: z.array(z.string()) }) },
      '400': { description: 'Reason or note missing (MAMORI_CONNECTOR_WAIVE_REASON, MAMORI_CONNECTOR_DONE_NOTE) or malformed body' },
      '401': { description: 'API key missing or invalid' },
      '403': { description: 'The key\'s role may not decide requests' },
      '404': { description: 'No such webhook task for this request' },
      '409': { description: 'Already resolved (MAMORI_CONNECTOR_TASK_CLOSED) or not waiting for a callback (MAMORI_CONNECTOR_NOT_AWAITING)' },
    },
  });

  app.post('/console/requests/:id/systems/callbacks/:taskId', { preHandler: requireStaff(ctx, 'requests.decide') }, async (request, reply) => {
    const { id, taskId } = taskParams.parse(request.params);
    const form = callbackResolution.safeParse(request.body ?? {});
    if (!form.success) throw new MamoriError('MAMORI_VALIDATION_FAILED');
    const staff = request.staff;
    if (!staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
    await service().resolveAwaitedCallback(id, taskId, { status: form.data.action === 'done' ? 'done' : 'waived', reason: form.data.reason, actor: staffActor(staff) });
    return reply.redirect(`/console/requests/${encodeURIComponent(id)}/systems`, 303);
  });

  app.get('/console/requests/:id/systems', { preHandler: requireStaff(ctx, 'requests.view') }, async (request, reply) => {
    const { id } = idParams.parse(request.params);
    reply.type('text/html; charset=utf-8');
    return renderSystemsPage(request, id, service());
  });

  app.post('/console/requests/:id/systems/tasks/:taskId', { preHandler: requireStaff(ctx, 'requests.handle') }, async (request, reply) => {
    const { id, taskId } = taskParams.parse(request.params);
    const form = taskForm.parse(request.body);
    const staff = request.staff;
    if (!staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
    const task = (await service().tasksForRequest(id)).find((t) => t.id === taskId);
    if (!task) throw new MamoriError('MAMORI_CONNECTOR_TASK_NOT_FOUND');
    await service().resolveTask(taskId, { status: form.action === 'done' ? 'done' : 'waived', ...(form.reason !== undefined ? { reason: form.reason } : {}), actor: staffActor(staff) });
    return reply.redirect(`/console/requests/${encodeURIComponent(id)}/systems`, 303);
  });

  app.post('/console/requests/:id/systems/runs/:runId/retry', { preHandler: requireStaff(ctx, 'requests.handle') }, async (request, reply) => {
    const { id, runId } = runParams.parse(request.params);
    const run = (await service().runsForRequest(id)).find((r) => r.id === runId);
    if (!run) throw new MamoriError('MAMORI_CONNECTOR_RUN_NOT_FOUND');
    await service().retry(runId);
    await service().runNow(runId);
    return reply.redirect(`/console/requests/${encodeURIComponent(id)}/systems`, 303);
  });
};

async function renderSystemsPage(request: FastifyRequest, requestId: string, svc: ConnectorService): Promise<string> {
  const lang = consoleLang(request);
  const t = (ja: string, en: string) => (lang === 'ja' ? ja : en);
  const runs = await svc.runsForRequest(requestId);
  const tasks = await svc.tasksForRequest(requestId);
  const manual = tasks.filter((x) => x.kind === 'manual');
  const webhooks = tasks.filter((x) => x.kind === 'webhook');
  const waitingSteps = new Set(runs.flatMap((r) => r.steps.filter((s) => s.status === 'waiting').map((s) => `${r.id}/${s.dataset}`)));
  const mayResolve = request.staff ? can(request.staff.role, 'requests.decide') : false;
  const blockers = await svc.blockers(requestId);
  const base = `/console/requests/${encodeURIComponent(requestId)}/systems`;
  const body = html`<h1>${t('システムごとの処理状況', 'Systems')}</h1>
<p><a href="/console/requests/${requestId}">${t('請求に戻る', 'Back to the request')}</a></p>
${blockers.length > 0 ? html`<section aria-labelledby="blockers"><h2 id="blockers">${t('完了までに残っている作業', 'Still open before closing')}</h2><ul>${blockers.map((b) => html`<li>${b}</li>`)}</ul></section>` : html`<p>${t('未完了の作業はありません。', 'Nothing is open.')}</p>`}
<section aria-labelledby="checklist"><h2 id="checklist">${t('手作業のチェックリスト', 'Manual checklist')}</h2>
${manual.length === 0 ? html`<p>${t('手作業の項目はありません。', 'No manual tasks.')}</p>` : html`<ul class="checklist">${manual.map((task) => html`<li>
<strong>${task.dataset}</strong>: ${task.status === 'open' ? t('未完了', 'Open') : task.status === 'done' ? t('完了', 'Done') : t('対応不要（理由あり）', 'Waived')}${task.reason ? html` — ${task.reason}` : html``}
${task.status === 'open'
  ? html`<form method="post" action="${base}/tasks/${task.id}">${csrfField(request)}<input type="hidden" name="action" value="done"><button type="submit">${t('完了にする', 'Mark done')}</button></form>
<form method="post" action="${base}/tasks/${task.id}">${csrfField(request)}<input type="hidden" name="action" value="waive"><label>${t('対応不要とする理由', 'Reason to waive')} <input name="reason" required maxlength="2000"></label><button type="submit" class="secondary">${t('対応不要にする', 'Waive')}</button></form>`
  : html``}
</li>`)}</ul>`}
</section>
<section aria-labelledby="callbacks"><h2 id="callbacks">${t('外部システムからの完了通知', 'Completion callbacks')}</h2>
${webhooks.length === 0 ? html`<p>${t('完了通知を待つシステムはありません。', 'No system reports back by callback.')}</p>` : html`<ul class="checklist">${webhooks.map((task) => html`<li>
<strong>${task.dataset}</strong>: ${callbackLabels[taskStatusOf(task.status)][lang]}${task.reason ? html` — ${task.reason}` : html``}
${task.status === 'open' && waitingSteps.has(`${task.run_id}/${task.dataset}`)
  ? mayResolve
    ? html`<p class="muted">${t('通知が届かない場合は、先方の担当者に状況を確認したうえで、完了として記録するか、理由を記して対応不要にできます。記録後に届いた通知は受け付けません。', 'If the callback does not arrive, check with the team running the system, then record it as done or waive it with a written reason. A callback arriving afterwards is not accepted.')}</p>
<form method="post" action="${base}/callbacks/${task.id}">${csrfField(request)}<input type="hidden" name="action" value="done"><label>${t('完了を確認した方法', 'How completion was confirmed')} <input name="reason" required maxlength="2000"></label><button type="submit">${t('完了として記録する', 'Record as done')}</button></form>
<form method="post" action="${base}/callbacks/${task.id}">${csrfField(request)}<input type="hidden" name="action" value="waive"><label>${t('対応不要とする理由', 'Reason to waive')} <input name="reason" required maxlength="2000"></label><button type="submit" class="secondary">${t('対応不要にする', 'Waive')}</button></form>`
    : html`<p class="muted">${t('通知が届かない場合の対応は、個人情報保護責任者または管理者が行います。', 'If the callback does not arrive, a privacy officer or administrator can resolve it.')}</p>`
  : html``}
</li>`)}</ul>`}
</section>
<section aria-labelledby="runs"><h2 id="runs">${t('実行記録', 'Runs')}</h2>
${runs.length === 0 ? html`<p>${t('まだ実行されていません。', 'Nothing has run yet.')}</p>` : runs.map((run) => html`<h3>${kindLabels[run.kind][lang]}${run.dryRun ? t('（試行）', ' (dry run)') : ''}: ${run.status}</h3>
<table><thead><tr><th scope="col">${t('システム', 'System')}</th><th scope="col">${t('状態', 'Status')}</th><th scope="col">${t('件数', 'Rows')}</th><th scope="col">${t('内訳', 'Collections')}</th><th scope="col">${t('エラー', 'Error')}</th></tr></thead>
<tbody>${run.steps.map((s) => html`<tr><td>${s.dataset}</td><td>${stepLabels[s.status][lang]}</td><td>${s.count}</td><td>${s.collections.map((c) => `${c.collection} ${c.count}${c.note ? ` (${c.note})` : ''}${(c.cascaded ?? []).map((x) => `; ${t('連鎖', 'cascades')} ${x.path}: ${t('本人', 'the person’s')} ${x.mine}, ${t('他の人', 'others’')} ${x.others}`).join('')}${(c.triggers ?? []).map((x) => `; ${t('トリガー', 'trigger')} ${x.id}${x.acknowledged ? '' : t('（未承認）', ' (not acknowledged)')}${x.writes ? ` → ${x.writes.join(', ')}` : ''}`).join('')}${(c.triggerEffects ?? []).map((x) => `; ${t('トリガーによる変更', 'changed by triggers')} ${x.table}: +${x.inserted} ~${x.updated} -${x.deleted}`).join('')}`).join(', ')}</td><td>${s.error ? `${s.error.code}: ${s.error.message}` : ''}</td></tr>`)}</tbody></table>
${run.noDataFound ? html`<p class="notice" role="status">${t('確認済みの識別子では、どのシステムにもこの方のデータは見つかりませんでした。保有していないときは、決定で「請求に係る保有個人データが存在しない場合」を根拠に選ぶと、その旨をご本人に通知します（33条3項）。', 'No system holds data for the verified identifiers. If we hold none, decide with the ground that no retained data exists: the person is told so (Art. 33(3)).')}</p>` : html``}
${run.status === 'failed' ? html`<form method="post" action="${base}/runs/${run.id}/retry">${csrfField(request)}<button type="submit">${t('再実行する', 'Retry')}</button></form>` : html``}`)}
</section>`;
  return renderConsolePage(request, { title: t('システムごとの処理状況', 'Systems'), body });
}
