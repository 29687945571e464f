import { FILL_IN_MARKER } from '../law/appi/lint-rules.ts';

/**
 * The policy `mamori init` writes: a small web service run by a company, with the five request kinds, generic
 * security measures and comments that explain each section. Every value the operator must supply holds the
 * `FILL IN:` marker, which `mamori lint` reports as an error (policy-fill-in) until it is replaced; nothing else in
 * the starter fails lint.
 */
export const starterPolicy = `# mamori policy file (policy-as-code). 個人情報の取扱いを一か所に記述し、公表するプライバシーポリシーと
# 本人からの請求の受付は、すべてこのファイルから作られます。
#
# 1. "${FILL_IN_MARKER}:" と書かれた値をすべて実際の内容に置き換えてください。
# 2. \`mamori lint policy.yaml\` で確認します。残っている記入箇所と、個人情報保護法（APPI）上の不足が
#    ファイル名:行:桁 付きで表示されます。エラーがなくなるまで直してください。
# 3. \`mamori render policy.yaml --lang ja\` で公表される文面を確かめ、\`mamori serve --policy policy.yaml\` で公開します。
#
# 文章は { ja: 日本語, en: English } の組で書きます。固有名詞や URL のように両言語で同じものは文字列一つで構いません。
# 文中に ":" や "," を含む場合は "…" で囲んでください。
mamori: 1

service:
  name: "${FILL_IN_MARKER}: サービス名"
  # url: https://example.jp/

# 32条1項1号: 事業者の名称・住所・代表者の氏名は公表が必要です。
operator:
  name: "${FILL_IN_MARKER}: 事業者の正式名称（例: 株式会社〇〇）"
  kind: corporation # corporation（法人） / association（団体） / individual（個人）
  address: "${FILL_IN_MARKER}: 本店所在地"
  representative: "${FILL_IN_MARKER}: 代表者の役職と氏名（例: 代表取締役 〇〇 〇〇）"
  privacy_officer: { ja: 個人情報保護管理責任者, en: Personal Information Protection Manager }
  contacts:
    - id: privacy_email
      kind: email
      value: "${FILL_IN_MARKER}: 個人情報のお問い合わせを受けるメールアドレス"
      label: { ja: 個人情報に関するお問い合わせ窓口, en: Privacy inquiries }
    # 郵送で請求を受ける場合は住所の窓口も加え、requests の channels に id を書きます。
    # - id: head_office
    #   kind: postal
    #   value: { ja: 〒000-0000 …, en: … }
    #   attention: { ja: 個人情報保護管理責任者 宛, en: "Attn: Personal Information Protection Manager" }
  # 苦情の申出先（施行令10条2号）。contacts の id を指定します。
  complaint_contacts: [privacy_email]
  # 認定個人情報保護団体の対象事業者である場合は記載します（名称・苦情の申出先・住所・電話番号）。
  # accredited_organization: { name: …, complaint_office: …, address: …, phones: [03-0000-0000] }

# 個人情報を取得する本人の区分。users / customers / site_visitors / inquirers / job_applicants / employees /
# business_partners / member_end_users / members。会員企業から委託を受けて扱う場合は role: processor と entrusted_by。
subject_groups:
  - id: users
    kind: users
    name: { ja: 本サービスの利用者, en: Users of the service }
  - id: inquirers
    kind: inquirers
    name: { ja: お問い合わせをされた方, en: People who contact us }

# 取得する情報。category は組み込みの分類（email, name, ip_address, cookie_id, health など）から選びます。
# 要配慮個人情報や個人関連情報の区別は分類から決まり、sensitive / nature で上書きできます。
data:
  - id: email
    category: email
    subject_groups: [users, inquirers]
    acquisition: [{ method: direct, description: { ja: 登録やお問い合わせの際にご本人から, en: From you when you register or contact us } }]
  - id: display_name
    category: display_name
    subject_groups: [users]
    acquisition: [{ method: direct }]
  - id: inquiry
    category: inquiry
    subject_groups: [inquirers]
    acquisition: [{ method: direct }]
  - id: access_log
    category: access_log
    subject_groups: [users]
    acquisition: [{ method: automatic, description: { ja: サービスの利用に伴い自動的に, en: Automatically as you use the service } }]

# 利用目的（17条）。できる限り具体的に書きます。data と subject_groups には上の id を使います。
purposes:
  - id: provide_service
    kind: service
    description: { ja: 本サービスを提供し、アカウントを管理するため, en: To provide the service and manage accounts }
    subject_groups: [users]
    data: [email, display_name, access_log]
  - id: answer_inquiries
    kind: support
    description: { ja: お問い合わせに回答するため, en: To answer inquiries }
    subject_groups: [inquirers]
    data: [email, inquiry]
  - id: keep_safe
    kind: safety
    description: { ja: 不正な利用を防止し、安全にサービスを運営するため, en: To prevent misuse and run the service safely }
    subject_groups: [users]
    data: [email, access_log]

# 利用目的の変更（17条2項・21条3項）。
purpose_changes:
  rule: related_only
  methods: [publish]

# 第三者提供。法令に基づく場合などの例外（27条1項）は既定で記載されます。
provision:
  # 委託先（27条5項1号）。外国の委託先は country を書き、security.foreign_environment にも加えます。
  outsourcing: []
  # - { id: hosting, task: { ja: サーバーの運用, en: Server operation }, data: [email, access_log] }
  # 共同利用（27条5項3号）は joint_use、外国にある第三者への提供（28条）は foreign に記載します。

# 外部ツール（アクセス解析など）。catalog の名前（google_analytics, microsoft_clarity, cloudflare_web_analytics,
# sentry, google_ads, ad_delivery, meta_pixel, recaptcha, youtube_embed）か custom（collects が必須）を指定します。
tools: []
# - { id: analytics, catalog: google_analytics, purpose: provide_service, choice: consent }

retention:
  general: { ja: 利用目的の達成に必要な期間保存し、不要になった個人データは遅滞なく消去します。, en: We keep personal data only as long as the purposes require and erase it without delay when it is no longer needed. }

# 安全管理措置（23条、施行令10条1号）。以下は一般的な例です。実際に講じている措置に合わせて書き換えてください。
security:
  basic_policy: { ja: 個人データの適正な取扱いを確保するため、基本方針を定めています。, en: We have a basic policy to ensure personal data is handled properly. }
  internal_rules: { ja: 取得、利用、保存、提供、削除・廃棄の各段階について取扱規程を定めています。, en: "We have internal rules for each stage of acquisition, use, storage, provision and erasure or disposal." }
  organizational:
    - { ja: 個人データの取扱いの責任者を置き、取扱状況を定期的に点検しています。, en: We appoint a person responsible for personal data and review its handling regularly. }
  human:
    - { ja: 従業者に個人データの取扱いに関する研修を定期的に行っています。, en: We train staff regularly on handling personal data. }
  physical:
    - { ja: 個人データを扱う機器や書類の盗難・紛失を防ぐ措置を講じています。, en: We take measures to prevent theft or loss of equipment and papers holding personal data. }
  technical:
    - { ja: アクセス制御により、個人データを扱う担当者と範囲を限定しています。, en: Access controls limit who can handle personal data and to what extent. }
  # 外国のクラウド等で個人データを扱う場合は、国ごとに記載します（外的環境の把握）。
  foreign_environment: []
  # - { country: US, what: { ja: サーバーの設置, en: Server hosting }, regime: { ja: …, en: … } }

# 本人からの請求（32条〜35条）。5種類すべてが法律上の権利なので、どれも受け付ける必要があります。
# channels: privacy_center（mamori のオンライン窓口）と contacts の id。手数料は利用目的の通知と開示にだけ定められます（38条）。
requests:
  default_target_days: 14
  kinds:
    purpose_notice:
      channels: [privacy_center, privacy_email]
      identity: [email_code]
    disclosure:
      channels: [privacy_center, privacy_email]
      identity: [email_code]
      delivery: [electronic, paper]
      # fee: { amount: 1000, tax: included, payment: [bank_transfer] }
    correction:
      channels: [privacy_center, privacy_email]
      identity: [email_code]
    suspension:
      channels: [privacy_center, privacy_email]
      identity: [email_code]
    stop_provision:
      channels: [privacy_center, privacy_email]
      identity: [email_code]

# ポリシーの変更の知らせ方。
changes:
  methods: [publish]

# 制定・改定の履歴（古い順）。mamori を使う前から公表しているポリシーがあれば、その制定日・改定日を記載します。
history: []
# - { date: 2025-04-01, kind: established }
`;
