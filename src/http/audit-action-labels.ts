/**
 * The audit log's recorded action names (`records.purged`) as staff read them on the audit page, ja/en. Request
 * actions read as on the request's timeline (request-labels.ts); an action not listed here falls back to its domain.
 */
type Words = { ja: string; en: string };

export const auditActionLabels: Record<string, Words> = {
  'staff.created': { ja: 'スタッフの登録', en: 'Staff member added' },
  'staff.enabled': { ja: 'スタッフの有効化', en: 'Staff member enabled' },
  'staff.disabled': { ja: 'スタッフの無効化', en: 'Staff member disabled' },
  'staff.password_reset': { ja: 'パスワードの再設定', en: 'Password reset' },
  'staff.login': { ja: 'サインイン', en: 'Signed in' },
  'staff.login_failed': { ja: 'サインインの失敗', en: 'Failed sign-in' },
  'staff.logout': { ja: 'サインアウト', en: 'Signed out' },
  'apikey.created': { ja: 'APIキーの発行', en: 'API key created' },
  'apikey.revoked': { ja: 'APIキーの失効', en: 'API key revoked' },
  'records.subject_viewed': { ja: '本人の記録の閲覧', en: 'A person’s records viewed' },
  'records.provision_recorded': { ja: '第三者提供の記録', en: 'Provision recorded' },
  'records.provision_extended': { ja: '提供記録への追加の提供', en: 'Further provision under a record' },
  'records.receipt_recorded': { ja: '受領時の確認の記録', en: 'Receipt recorded' },
  'records.related_confirmed': { ja: '個人関連情報の提供に係る確認', en: 'Person-related information: consent confirmed' },
  'records.optout_filing_created': { ja: 'オプトアウト届出の作成', en: 'Opt-out filing created' },
  'records.optout_filing_updated': { ja: 'オプトアウト届出の更新', en: 'Opt-out filing updated' },
  'records.optout_stop_flagged': { ja: '提供停止の求めの登録', en: 'Request to stop provision recorded' },
  'records.purged': { ja: '保存期間を過ぎた記録の削除', en: 'Expired records deleted' },
  'records.incident_recorded': { ja: '漏えい等事案の登録', en: 'Breach incident recorded' },
  'records.incident_updated': { ja: '漏えい等事案の更新', en: 'Breach incident updated' },
  'records.incident_report_submitted': { ja: '委員会への報告の提出', en: 'Report to the PPC submitted' },
  'records.incident_people_notified': { ja: '本人への通知', en: 'People notified' },
  'records.incident_notice_published': { ja: '代替措置の公表', en: 'Public notice published' },
  'records.anonymization_job_recorded': { ja: '匿名加工情報の作成', en: 'Anonymized data created' },
  'records.revision_notice_sent': { ja: '改定・変更の通知の送信', en: 'Revision notice sent' },
  'policy.published': { ja: 'ポリシーの公開', en: 'Policy published' },
  'consent.recorded': { ja: '同意の記録', en: 'Consent recorded' },
  'consent.exported': { ja: '同意記録の書き出し', en: 'Consent records exported' },
  'consent.receipts_exported': { ja: '同意レシートの書き出し', en: 'Consent receipts exported' },
  'consent.receipts_purged': { ja: '同意レシートの削除（保存期間経過）', en: 'Expired consent receipts deleted' },
  'consent.api_key_created': { ja: '同意APIキーの発行', en: 'Consent API key created' },
  'consent.api_key_revoked': { ja: '同意APIキーの失効', en: 'Consent API key revoked' },
  'audit.verified': { ja: '監査ログの検証', en: 'Audit log verified' },
  'request.unconfirmed_purged': { ja: 'メール未確認の請求の削除', en: 'Unconfirmed requests deleted' },
};

const domainLabels: Record<string, Words> = {
  request: { ja: '請求の処理', en: 'Request handling' },
  records: { ja: '記録の操作', en: 'Records' },
  connector: { ja: '連携システムの処理', en: 'Connected systems' },
  consent: { ja: '同意の操作', en: 'Consent' },
  staff: { ja: 'スタッフの操作', en: 'Staff accounts' },
  apikey: { ja: 'APIキーの操作', en: 'API keys' },
  policy: { ja: 'ポリシーの操作', en: 'Policy' },
  audit: { ja: '監査ログの操作', en: 'Audit log' },
};

/** A listed label, else the domain's (連携システムの処理), else a neutral word: never the recorded name itself. */
export function auditActionLabel(action: string, lang: 'ja' | 'en'): string {
  const known = auditActionLabels[action];
  if (known) return known[lang];
  const domain = domainLabels[action.split('.')[0] ?? ''];
  return domain ? domain[lang] : lang === 'ja' ? 'その他の操作' : 'Other action';
}
