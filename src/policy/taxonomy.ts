/**
 * The built-in taxonomy of data categories. A policy's data items point at one of these keys; the key gives a default
 * name, whether the category is 要配慮個人情報 (sensitive, APPI 2条3項), whether it is personal data or 個人関連情報
 * (person-related information, 31条), and whether its leak risks financial harm (規則7条2号).
 */
export type DataNature = 'personal_data' | 'person_related';

export interface TaxonomyEntry {
  name: { ja: string; en: string };
  sensitive: boolean;
  nature: DataNature;
  financialRisk: boolean;
  /** A 個人識別符号 (individual identification code) such as My Number or a passport number. */
  identificationCode?: boolean;
}

const t = (ja: string, en: string, extra: Partial<TaxonomyEntry> = {}): TaxonomyEntry => ({
  name: { ja, en },
  sensitive: false,
  nature: 'personal_data',
  financialRisk: false,
  ...extra,
});

export const taxonomy = {
  name: t('氏名', 'Name'),
  display_name: t('表示名・ユーザー名', 'Display name and user name'),
  account_id: t('アカウントID', 'Account ID'),
  email: t('メールアドレス', 'Email address'),
  phone: t('電話番号', 'Phone number'),
  postal_address: t('住所', 'Postal address'),
  birthdate: t('生年月日', 'Date of birth'),
  age: t('年齢', 'Age'),
  gender: t('性別', 'Gender'),
  occupation: t('職業・勤務先', 'Occupation and employer'),
  company_info: t('会社名・部署・役職', 'Company, department and title'),
  family: t('家族構成', 'Family composition'),
  interests: t('趣味・嗜好', 'Interests and preferences'),
  profile: t('プロフィール情報', 'Profile information'),
  user_content: t('投稿内容・アップロードしたファイル', 'Posts and uploaded files'),
  messages: t('メッセージ・チャット内容', 'Messages and chat content'),
  social_accounts: t('SNSのアカウント情報', 'Social media account information'),
  credentials: t('ログイン用の認証情報', 'Login credentials', { financialRisk: true }),
  payment_card: t('クレジットカード情報', 'Payment card information', { financialRisk: true }),
  bank_account: t('銀行口座情報', 'Bank account information', { financialRisk: true }),
  billing: t('請求・支払履歴', 'Billing and payment history'),
  contract: t('契約情報', 'Contract information'),
  usage_history: t('サービスの利用履歴', 'Service usage history'),
  login_history: t('ログイン履歴', 'Login history'),
  access_log: t('アクセスログ', 'Access logs'),
  ip_address: t('IPアドレス', 'IP address'),
  cookie_id: t('Cookie等の識別子', 'Cookie and similar identifiers', { nature: 'person_related' }),
  device_info: t('端末・ブラウザ情報', 'Device and browser information', { nature: 'person_related' }),
  device_id: t('端末識別子', 'Device identifiers', { nature: 'person_related' }),
  browsing_history: t('閲覧履歴', 'Browsing history', { nature: 'person_related' }),
  ad_interaction: t('広告の閲覧・クリック履歴', 'Ad views and clicks', { nature: 'person_related' }),
  performance_data: t('パフォーマンスデータ', 'Performance data', { nature: 'person_related' }),
  location: t('位置情報', 'Location'),
  inquiry: t('お問い合わせ内容', 'Inquiry content'),
  survey: t('アンケート回答', 'Survey answers'),
  resume: t('履歴書・職務経歴書の記載事項', 'Résumé and CV contents'),
  employment: t('人事・労務に関する情報', 'Employment and HR records'),
  payroll: t('給与の支払に必要な情報', 'Payroll information', { financialRisk: true }),
  health: t('健康情報', 'Health information', { sensitive: true }),
  medical_history: t('病歴', 'Medical history', { sensitive: true }),
  criminal_record: t('犯罪の経歴', 'Criminal record', { sensitive: true }),
  creed: t('信条', 'Creed', { sensitive: true }),
  race: t('人種', 'Race', { sensitive: true }),
  social_status: t('社会的身分', 'Social status', { sensitive: true }),
  disability: t('障害に関する情報', 'Disability information', { sensitive: true }),
  identity_document: t('本人確認書類の記載事項', 'Identity document contents'),
  my_number: t('個人番号（マイナンバー）', 'Individual Number (My Number)', { identificationCode: true }),
  passport_number: t('旅券番号', 'Passport number', { identificationCode: true }),
  business_partner: t('取引先担当者の情報', 'Business partner contact information'),
  moderation: t('違反報告・モデレーションの記録', 'Reports and moderation records'),
  entrusted_data: t('会員企業から預託された個人情報', 'Personal data entrusted by member organizations'),
  other: t('その他の情報', 'Other information'),
} as const satisfies Record<string, TaxonomyEntry>;

export type TaxonomyKey = keyof typeof taxonomy;
export const taxonomyKeys = Object.keys(taxonomy) as [TaxonomyKey, ...TaxonomyKey[]];

export function taxonomyEntry(key: TaxonomyKey): TaxonomyEntry {
  return taxonomy[key];
}
