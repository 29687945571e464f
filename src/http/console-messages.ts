import type { Lang } from '../html/layout.ts';
import type { MamoriError } from '../errors.ts';
import type { ConsoleMessage } from './console-page-parts.ts';

/**
 * What the console says after an action, in the staff member's language. Service messages are written for API
 * callers in English and may name internal values; on a Japanese page the console speaks from the error's code and
 * the names of the form's fields instead, so no raw validation text reaches the page.
 */
type Words = { ja: string; en: string };

const errorWords: Record<string, Words> = {
  MAMORI_VALIDATION_FAILED: { ja: '入力内容に不足または誤りがあります。', en: 'Some fields are missing or invalid.' },
  MAMORI_REQUEST_GROUND_INVALID: { ja: '選んだ法令上の根拠は、この請求の種類または結果には当てはまりません。根拠を選び直してください。', en: 'This statutory ground does not apply to this kind of request or outcome. Choose another ground.' },
  MAMORI_REQUEST_REASON_REQUIRED: { ja: '理由を入力してください。全部対応以外の決定や本人確認の記録には、理由の記載が必要です（36条）。', en: 'Write a reason. A decision other than full, or a confirmation, needs a written reason (APPI art. 36).' },
  MAMORI_REQUEST_DECISION_INVALID: { ja: 'この請求の種類に必要な決定内容が不足しています（訂正した項目、実施した措置、代替措置の内容など）。', en: 'The decision is incomplete for this kind of request (what changed, the measure taken, the alternative measure …).' },
  MAMORI_REQUEST_UPLOAD_TYPE: { ja: 'このファイルの形式は受け付けていません。書類はPDF・PNG・JPEG、収集データはそれに加えてCSV・JSONを添付できます。', en: 'This file type is not accepted. Documents: PDF, PNG, JPEG; gathered data also CSV and JSON.' },
  MAMORI_REQUEST_UPLOAD_TOO_LARGE: { ja: '10MBを超えるファイルは添付できません。解像度を下げるか、分割してください。', en: 'Files over 10 MB cannot be attached. Lower the resolution or split the file.' },
  MAMORI_REQUEST_STATE_CONFLICT: { ja: 'この請求の現在の状態では、この操作は行えません。画面を再読み込みして状態をご確認ください。', en: 'This action is not possible in the request’s current state. Reload the page to see its state.' },
  MAMORI_REQUEST_CLOSE_BLOCKED: { ja: 'まだ終わっていない処理（連携システムやタスク）があるため、完了にできません。', en: 'Some work (systems or tasks) is still open, so the request cannot be closed yet.' },
  MAMORI_REQUEST_FEE_NOT_DUE: { ja: 'この請求には支払うべき手数料がありません。', en: 'No fee is due for this request.' },
  MAMORI_REQUEST_FEE_AMOUNT: { ja: '入金額が手数料の額と一致しません。', en: 'The amount paid does not match the fee.' },
  MAMORI_REQUEST_CLAIM_UNKNOWN: { ja: 'この請求には、その種類の識別子の申告がありません。書類で確認した値を入力してください。', en: 'This request claims no identifier of this kind; give the value you checked.' },
  MAMORI_REQUEST_NOTHING_TO_DELIVER: { ja: 'この決定でお届けするものはありません。', en: 'Nothing to deliver for this decision.' },
  MAMORI_REQUEST_UNKNOWN_KIND: { ja: '請求の種類を選んでください。', en: 'Choose the kind of request.' },
  MAMORI_REQUEST_KIND_NOT_OFFERED: { ja: 'この受付経路では、この種類の請求を受け付けていません。', en: 'This kind of request is not accepted through this channel.' },
  MAMORI_REQUEST_CHANNEL_INVALID: { ja: '受付経路を選んでください。', en: 'Choose the channel.' },
  MAMORI_REQUEST_DELIVERY_INVALID: { ja: 'この請求では、選んだ開示の方法を選べません。', en: 'This delivery method is not offered for this request.' },
  MAMORI_REQUEST_AGENT_NOT_ALLOWED: { ja: 'この種類の請求は代理人からは受け付けていません。', en: 'Agents cannot file this kind of request.' },
  MAMORI_REQUEST_AGENT_PROOF_MISSING: { ja: '代理人による請求には、代理権を証明する書類（委任状など）の添付が必要です。', en: 'An agent’s request needs a document proving the authority (e.g. a power of attorney).' },
  MAMORI_REQUEST_INVALID_EMAIL: { ja: 'メールアドレスの形式が正しくありません（例: name@example.jp）。', en: 'Enter a valid email address (e.g. name@example.jp).' },
  MAMORI_REQUEST_NOT_FOUND: { ja: 'この受付番号の請求はありません。', en: 'There is no request with this number.' },
  MAMORI_NOT_FOUND: { ja: '対象が見つかりません。', en: 'Not found.' },
  MAMORI_RECORD_INVALID: { ja: '記録の入力内容に不足または誤りがあります（日付、名称、項目、本人の指定など）。戻って内容をご確認ください。', en: 'The record is incomplete or invalid (a date, a name, the items, the people …). Go back and check it.' },
  MAMORI_RECORD_NOT_FOUND: { ja: '対象の記録が見つかりません。', en: 'The record was not found.' },
  MAMORI_RECORD_FORM_NOT_ALLOWED: { ja: 'この根拠または記録には、選んだ記録の形式は使えません（オプトアウトによる提供は一括・契約書等による代替の記録にできません）。', en: 'This form of record is not allowed here (an opt-out provision cannot be a batch or contract record).' },
  MAMORI_RECORD_OPTOUT_NOT_FILED: { ja: 'オプトアウトによる提供の記録には、委員会に届出済みのオプトアウト届出のIDが必要です。届出の状態とIDをご確認ください。', en: 'An opt-out provision needs the id of an opt-out filing already filed with the PPC. Check the filing and its id.' },
  MAMORI_RECORD_OPTOUT_STOPPED: { ja: 'この提供に含まれる本人のうち、提供停止を求めた方がいます。その方を除いて、あらためて記録してください。', en: 'Someone in this provision asked us to stop opt-out provision of their data. Remove them and record again.' },
  MAMORI_INCIDENT_INVALID: { ja: '事案の入力内容に不足または誤りがあります（件名、発覚日時、概要など）。戻って内容をご確認ください。', en: 'The incident is incomplete or invalid (title, time of discovery, summary …). Go back and check it.' },
  MAMORI_INCIDENT_NOT_FOUND: { ja: '対象の事案が見つかりません。', en: 'The incident was not found.' },
  MAMORI_INCIDENT_REPORT_INCOMPLETE: { ja: '報告に必要な事項（規則8条）が未記入です。報告事項を記入してから提出済みにしてください。', en: 'Items the report needs (PPC Rules Art. 8) are still empty. Fill them in before marking the report submitted.' },
  MAMORI_INCIDENT_NOTICE_SLUG_TAKEN: { ja: 'このページのアドレスは既に使われています。別のアドレスを入力してください。', en: 'This page address is already in use. Choose another.' },
  MAMORI_ANONYMIZATION_CONFIG_INVALID: { ja: 'ジョブ設定（YAML）を読み取れないか、必要な項目が不足しています。', en: 'The job settings (YAML) cannot be read or are incomplete.' },
  MAMORI_ANONYMIZATION_INPUT_INVALID: { ja: '入力データ（CSV）を読み取れないか、ジョブ設定の列と合いません。見出し行、すべての列の分類、各行のセルの数をご確認ください。', en: 'The input data (CSV) cannot be read or does not match the job settings. Check the header row, that every column is classified, and the cells in each row.' },
  MAMORI_REVISION_NOTICE_INVALID: { ja: '通知の内容に不足または誤りがあります。宛先を入力するか、連絡先フック（MAMORI_CONTACT_HOOK_URL）を設定してください。', en: 'The notice is incomplete. Enter recipients, or set the contact hook (MAMORI_CONTACT_HOOK_URL).' },
  MAMORI_POLICY_VERSION_NOT_FOUND: { ja: '選んだポリシーの版が見つかりません。', en: 'The chosen policy version was not found.' },
  MAMORI_FORBIDDEN: { ja: 'ご担当の権限ではこの操作を行えません。必要な場合は管理者にご相談ください。', en: 'Your role does not allow this action. Ask an administrator if you need it.' },
  MAMORI_CSRF_INVALID: { ja: 'フォームの有効期限が切れたか、コンソール以外から送信されました。前の画面に戻り、再読み込みしてからもう一度お試しください。', en: 'The form has expired or was not sent from the console. Go back, reload the page and try again.' },
  MAMORI_AUTH_REQUIRED: { ja: 'スタッフコンソールにサインインしてください。', en: 'Please sign in to the staff console.' },
  MAMORI_BAD_REQUEST: { ja: '送信内容を読み取れませんでした。画面を再読み込みして、もう一度お試しください。', en: 'The request could not be read. Reload the page and try again.' },
  MAMORI_PAYLOAD_TOO_LARGE: { ja: '送信内容が大きすぎます。ファイルは10MBまでです。', en: 'The upload is too large (10 MB per file).' },
  MAMORI_DATABASE_UNAVAILABLE: { ja: 'データベースに一時的に接続できません。数秒後にもう一度お試しください。', en: 'The database is briefly unavailable. Try again in a few seconds.' },
  MAMORI_ERASE_CASCADE: { ja: '削除すると外部キーの連鎖で他の人の行が変わる（または他の人の行に妨げられる）ため、何も変更せずに消去を中止しました。該当するコレクションをマスクにするか、理由を添えて連鎖を承認してください。', en: 'The erasure was stopped before anything changed: a delete would change, or be blocked by, other people’s rows through foreign keys. Mask the collection, or acknowledge the cascade with a reason.' },
  MAMORI_ERASE_TRIGGERS: { ja: '承認されていないアプリケーションのトリガーが動くため、何も変更せずに消去を中止しました。トリガーの動作を確認してから、グラフの allow_triggers に理由とともに記載してください。', en: 'The erasure was stopped before anything changed: it fires application triggers the graph does not acknowledge. Check what they change, then list them in allow_triggers with a reason.' },
  MAMORI_MASK_UNIQUE: { ja: '一意制約のある列に使える置換値が見つからなかったため、何も変更せずに消去を中止しました（列の長さが足りません）。この列のマスク方法を NULL など別の方法に変えてください。', en: 'The erasure was stopped before anything changed: no free masked value fits a unique column (it is too short). Choose another mask for this column, or NULL.' },
  MAMORI_INTERNAL: { ja: 'サーバー側で問題が発生しました。時間をおいてもう一度お試しください。続く場合は管理者に、下の番号とともにご連絡ください。', en: 'Something went wrong on our side. Try again later; if it persists, tell an administrator the number below.' },
};

/** A console error page's sentence in the staff member's language, for the codes the console knows. */
export function consoleErrorText(code: string, lang: Lang): string | undefined {
  return errorWords[code]?.[lang];
}

/** The form's field names as staff read them; used to say which fields need attention. */
const fieldWords: Record<string, Words> = {
  outcome: { ja: '結果', en: 'Outcome' },
  ground: { ja: '法令上の根拠', en: 'Statutory ground' },
  reason: { ja: '理由', en: 'Reason' },
  corrections: { ja: '訂正等の内容', en: 'What changed' },
  measure: { ja: '実施した措置', en: 'Measure taken' },
  measure_note: { ja: '措置の内容', en: 'Details of the measure' },
  alternative_measure: { ja: '代替措置の内容', en: 'Alternative measure' },
  method_change: { ja: '代わりの方法と変更の理由', en: 'Method used instead and why' },
  method: { ja: '支払方法', en: 'Method' },
  reference: { ja: '照合番号', en: 'Reference' },
  amount: { ja: '入金額', en: 'Amount' },
  kind: { ja: '識別子の種類', en: 'Kind of identifier' },
  value: { ja: '確認した値', en: 'Value checked' },
  what: { ja: '依頼する書類と理由', en: 'Which documents, and why' },
  title: { ja: '見出し', en: 'Heading' },
  rows: { ja: '内容', en: 'Content' },
  file: { ja: 'ファイル', en: 'File' },
  note: { ja: '内部メモ', en: 'Internal note' },
  assignee: { ja: '担当者', en: 'Assignee' },
  account_id: { ja: 'アカウントID（200文字まで）', en: 'Account id (up to 200 characters)' },
  agent_name: { ja: '代理人の氏名（200文字まで）', en: 'Agent’s name (up to 200 characters)' },
  agent_relationship: { ja: 'ご本人との関係（200文字まで）', en: 'Relationship (up to 200 characters)' },
  description: { ja: '請求の内容（5,000文字まで）', en: 'Description (up to 5,000 characters)' },
  email: { ja: 'メールアドレス', en: 'Email' },
};

/** The fields an error names (set by the console when a form fails its schema), in staff words. */
function fieldsOf(err: MamoriError, lang: Lang): string[] {
  const details = err.details;
  if (!details || typeof details !== 'object' || !('fields' in details) || !Array.isArray(details.fields)) return [];
  const names = new Set<string>();
  for (const f of details.fields) if (typeof f === 'string') names.add(fieldWords[f]?.[lang] ?? (lang === 'ja' ? '入力内容' : 'the form'));
  return [...names];
}

/** An action's failure, as the console shows it: a sentence in the page's language, the fields to check, the code. */
export function consoleFailure(err: MamoriError, lang: Lang): ConsoleMessage {
  const words = errorWords[err.code];
  const fields = fieldsOf(err, lang);
  const head = lang === 'ja' ? '操作を完了できませんでした。' : 'The action could not be completed.';
  const body = words ? words[lang] : lang === 'ja' ? '内容を確認して、もう一度お試しください。' : err.message;
  const which = fields.length === 0 ? '' : lang === 'ja' ? `確認が必要な項目: ${fields.join('、')}。` : ` Check: ${fields.join(', ')}.`;
  return { kind: 'error', text: lang === 'ja' ? `${head}${body}${which}` : `${head} ${body}${which}`, code: err.code };
}

/** The field names a schema failure points at (top-level key of each issue). */
export function failedFields(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>): string[] {
  return [...new Set(issues.map((i) => String(i.path[0] ?? 'form')))];
}

/** What the request page says after each action succeeded (the action's path is carried in `?done=`). */
export const doneWords: Record<string, Words> = {
  entered: { ja: '請求を登録しました。本人確認書類を確認してください。', en: 'The request is entered. Check the identity documents next.' },
  'confirm-identity': { ja: '本人確認を記録しました。回答期限の計算を始めました。', en: 'Identity confirmation recorded. The deadline now runs.' },
  'confirm-claim': { ja: '申告された識別子の確認を記録しました。', en: 'The claimed identifier is recorded as confirmed.' },
  'resolve-identity': { ja: '識別子をシステムで照合しました。', en: 'Identifiers checked against the systems.' },
  'request-documents': { ja: '書類の提出依頼を送りました。', en: 'The request for documents was sent.' },
  'mark-paid': { ja: '手数料の入金を記録しました。', en: 'The fee payment is recorded.' },
  gather: { ja: '手入力のデータを追加しました。', en: 'The data was added.' },
  'gather-file': { ja: 'ファイルを収集データに追加しました。', en: 'The file was added to the gathered data.' },
  decide: { ja: '決定を記録し、請求者に通知しました。', en: 'The decision is recorded and the requester notified.' },
  deliver: { ja: 'お届けしました。', en: 'Delivered.' },
  close: { ja: '請求を完了にしました。', en: 'The request is closed.' },
  reject: { ja: '本人確認ができないため請求を終了し、請求者に通知しました。', en: 'The request was ended and the requester notified.' },
  documents: { ja: '書類を添付しました。', en: 'The documents are attached.' },
  assign: { ja: '担当者を更新しました。', en: 'The assignee is updated.' },
  note: { ja: '内部メモを追加しました。', en: 'The internal note is added.' },
};

/** After gathering from systems: how many sections came back, so an empty run is never silent. */
export function gatheredWords(count: number, lang: Lang): string {
  if (count === 0) return lang === 'ja' ? '連携システムからの収集を行いましたが、この方のデータは見つかりませんでした。必要に応じて手入力またはファイルで追加してください。' : 'Gathering ran, but no data about this person was found. Add data by hand or as a file if needed.';
  return lang === 'ja' ? `連携システムから${count}件の区分を収集しました。` : `Gathered ${count} section(s) from the systems.`;
}
