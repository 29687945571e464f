import { z } from 'zod';

/**
 * The policy's 外部送信 fields (電気通信事業法27条の12, 施行規則22条の2の27〜33): whether the service is in scope and
 * which kind of service it is, and per tool the items the rule names for each transmission. Kept apart from
 * schema.ts, which only mounts these two blocks.
 */

const text = z.union([z.string().min(1), z.strictObject({ ja: z.string().min(1), en: z.string().min(1) })]);

/**
 * The kinds of service 施行規則22条の2の27 brings in scope: messaging between users, SNS and bulletin boards,
 * search, and online media (news, video and other information offered online). `other` says the operator judged
 * another ground applies and explains it in `note`.
 */
export const transmissionServiceKinds = ['messaging', 'sns', 'bulletin_board', 'search', 'online_media', 'other'] as const;
export type TransmissionServiceKind = (typeof transmissionServiceKinds)[number];

/**
 * How the person learns of or controls a transmission: `notice` (公表 or 通知, nothing to choose), `consent` (sent only
 * after the person agrees), `opt_out` (sent until the person stops it; 27条の12第4号 needs the route published).
 */
export const transmissionRouteKinds = ['notice', 'consent', 'opt_out'] as const;
export type TransmissionRouteKind = (typeof transmissionRouteKinds)[number];

/** A host name the transmission goes to; `*.example.com` covers every subdomain. */
const hostPattern = z.string().regex(/^(\*\.)?[a-z0-9.-]+$/, 'write a host name such as www.google-analytics.com or *.clarity.ms (no scheme, no path)');

/** One transmission a tool makes the person's browser send. Anything left out comes from the tool and its catalog entry. */
export const toolTransmission = z.strictObject({
  /** 送信される情報の内容. */
  information: z.array(text).min(1).optional(),
  /** 送信先で情報を取り扱う者の氏名又は名称. */
  recipient: text.optional(),
  /** 送信先での利用目的. */
  purpose: text.optional(),
  /** The consent or opt-out route and where it is. */
  route: z.strictObject({ kind: z.enum(transmissionRouteKinds), url: z.url().optional(), description: text.optional() }).optional(),
  /** Where the browser sends it: used by `mamori audit-site` to recognise the transmission. */
  hosts: z.array(hostPattern).min(1).optional(),
});

/** The service-wide declaration: in scope or not, and as what kind of service. */
export const externalTransmissions = z.strictObject({
  applies: z.boolean(),
  service_kinds: z.array(z.enum(transmissionServiceKinds)).default(() => []),
  /** publish: items published on a page (容易に知り得る状態); notify: also told to each user directly. */
  method: z.enum(['publish', 'notify']).default('publish'),
  /** Why the service is (or is not) in scope, shown on the page. */
  note: text.optional(),
});
