import type { AuditProblem } from './audit-problems.ts';

/**
 * One line per problem for a Japanese reader (the audit page of the console); describeAuditProblem says the same in
 * English for the CLI and English pages. 行 numbers are the log's sequence numbers.
 */
export function describeAuditProblemJa(p: AuditProblem): string {
  switch (p.kind) {
    case 'edited':
      return p.rehashed ? `${p.seq}行目（${p.id}）が書き換えられ、ハッシュも再計算されています。次の行とのつながりが切れています。` : `${p.seq}行目（${p.id}）が書き換えられています。内容がハッシュと一致しません。`;
    case 'deleted':
      return p.afterSeq === 0 ? `最初の${p.missing}行が削除されています（ログは${p.beforeSeq}行目から始まっています）。` : `${p.afterSeq}行目と${p.beforeSeq}行目の間の${p.missing}行が削除されています。`;
    case 'inserted':
      return `${p.seq}行目（${p.id}）は後から挿入された行で、元のつながりに含まれていません。`;
    case 'renumbered':
      return `${p.fromSeq}〜${p.toSeq}行目の番号が付け替えられています（${p.offset}ずれています）。`;
    case 'truncated':
      return `最新の行が削除されています。ログは${p.lastSeq}行目で終わっていますが、少なくとも${p.expectedSeq}行目まであるはずです。`;
    case 'head_mismatch':
      return `${p.seq}行目が、記録されている先頭のハッシュと一致しません。`;
    case 'mac_mismatch':
      return `${p.seq}行目（${p.id}）の署名（MAC）がハッシュと一致しません。監査鍵を使わずに書き込まれたか、再計算されています。`;
    case 'unsigned':
      return `${p.seq}行目（${p.id}）には署名（MAC）がありません。それ以前の行は署名されているため、監査鍵を使わずに書き込まれたと考えられます。`;
    case 'unanchored':
      return `${p.seq}行目（${p.id}）は署名付きの先頭より後にあります。先頭の記録を更新せずに追記されています。`;
    case 'head_forged':
      return `署名付きの先頭（${p.seq}行目）の署名が無効です。先頭の記録が書き換えられたか、サーバーの秘密鍵が変更されています。`;
    case 'head_missing':
      return '行は署名されていますが、署名付きの先頭の記録がありません。';
    case 'wiped':
      return 'ストアは使用されているのに、監査ログが空です。すべての行と先頭の記録が削除されています。';
    case 'anchor_reset':
      return `${p.seq}行目（${p.id}）に、追記の際に署名付きの先頭（${p.headSeq}行目）が無効だったため置き換えたことが記録されています。`;
    default: {
      const never: never = p;
      return never;
    }
  }
}
