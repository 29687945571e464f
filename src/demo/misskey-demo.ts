import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';

/** The environment variable the demo graph names (`url_env`) for its SQLite file. */
export const DEMO_DATABASE_ENV = 'MAMORI_DEMO_DATABASE_URL';
/** Addresses of the made-up people end in this domain (a subdomain of example.jp, reserved for examples). */
export const DEMO_MAIL_DOMAIN = 'demo.example.jp';

/** One made-up person of the demo database: sign in to the privacy center with this email to see their data. */
export interface DemoPerson {
  email: string;
  userId: string;
  name: string;
}

export const demoPeople: readonly DemoPerson[] = [
  { email: `hanako@${DEMO_MAIL_DOMAIN}`, userId: 'demo_hanako', name: '山田 花子' },
  { email: `taro@${DEMO_MAIL_DOMAIN}`, userId: 'demo_taro', name: '佐藤 太郎' },
  { email: `aoi@${DEMO_MAIL_DOMAIN}`, userId: 'demo_aoi', name: '鈴木 葵' },
];

export interface MisskeyDemo {
  /** The demo dataset graph (examples/misskey-server/demo-datasets.yaml). */
  graphPath: string;
  /** `sqlite:<data dir>/demo-misskey.sqlite`, for {@link DEMO_DATABASE_ENV}. */
  databaseUrl: string;
  /** False when the file was already there (the demo keeps what earlier requests erased). */
  created: boolean;
  people: readonly DemoPerson[];
}

/** The package root, found from this file in a checkout (src/demo) and in the build (dist/src/demo). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the demo module');
    dir = up;
  }
  return dir;
}

/** Misskey's table and column names, trimmed to what the example graph describes. */
const DDL = [
  `create table "user" (id text primary key, username text not null, "usernameLower" text not null, host text, name text, "isSuspended" integer not null default 0, "createdAt" text not null)`,
  `create table user_profile ("userId" text primary key references "user"(id), email text, birthday text, description text, location text)`,
  `create table note (id text primary key, "userId" text not null references "user"(id), text text, cw text, "replyId" text references note(id) on delete set null, "createdAt" text not null)`,
  `create table note_reaction (id text primary key, "userId" text not null references "user"(id), "noteId" text not null references note(id), reaction text not null)`,
  `create table following (id text primary key, "followerId" text not null references "user"(id), "followeeId" text not null references "user"(id))`,
  `create table drive_file (id text primary key, "userId" text not null references "user"(id), name text not null, url text)`,
  `create table signin (id text primary key, "userId" text not null references "user"(id), ip text not null, "createdAt" text not null)`,
  `create table muting (id text primary key, "muterId" text not null references "user"(id), "muteeId" text not null references "user"(id))`,
  `create table abuse_user_report (id text primary key, "reporterId" text not null references "user"(id), "targetUserId" text not null references "user"(id), comment text)`,
  `create index user_profile_email on user_profile (email)`,
];

function seed(db: SQLite.Database): void {
  const [hanako, taro, aoi] = demoPeople.map((p) => p.userId);
  const rows: Record<string, unknown[][]> = {
    user: demoPeople.map((p, i) => [p.userId, p.userId.replace('demo_', ''), p.userId.replace('demo_', ''), null, p.name, 0, `2026-0${i + 4}-01T09:00:00.000Z`]),
    user_profile: [
      [hanako, demoPeople[0]?.email, '1992-05-14', '週末は山歩きをしています。', '長野県'],
      [taro, demoPeople[1]?.email, '1988-11-02', 'ラーメンの写真を投稿します。', '札幌市'],
      [aoi, demoPeople[2]?.email, null, '読書と猫。', null],
    ],
    note: [
      ['dn1', hanako, '今日は八ヶ岳に登りました。', null, null, '2026-10-03T08:12:00.000Z'],
      ['dn2', hanako, '新しい登山靴、履き心地がいい。', null, null, '2026-10-10T21:40:00.000Z'],
      ['dn3', taro, '味噌ラーメンの季節ですね。', null, null, '2026-10-11T12:05:00.000Z'],
      ['dn4', aoi, '積読が20冊を超えました。', '本の話', null, '2026-10-12T23:15:00.000Z'],
      ['dn5', taro, '八ヶ岳いいですね！', null, 'dn1', '2026-10-03T10:00:00.000Z'],
    ],
    note_reaction: [
      ['dr1', hanako, 'dn3', '🍜'],
      ['dr2', taro, 'dn1', '⛰️'],
      ['dr3', aoi, 'dn1', '👍'],
    ],
    following: [
      ['df1', hanako, taro],
      ['df2', taro, hanako],
      ['df3', aoi, hanako],
    ],
    drive_file: [
      ['dd1', hanako, 'yatsugatake.jpg', 'https://files.demo.example.jp/yatsugatake.jpg'],
      ['dd2', taro, 'miso-ramen.jpg', 'https://files.demo.example.jp/miso-ramen.jpg'],
    ],
    signin: [
      ['ds1', hanako, '192.0.2.10', '2026-10-01T07:30:00.000Z'],
      ['ds2', hanako, '198.51.100.24', '2026-10-09T19:02:00.000Z'],
      ['ds3', taro, '192.0.2.33', '2026-10-11T11:58:00.000Z'],
      ['ds4', aoi, '203.0.113.7', '2026-10-12T23:00:00.000Z'],
    ],
    muting: [['dm1', aoi, taro]],
    abuse_user_report: [['dp1', hanako, aoi, '（デモ）通報の例です。']],
  };
  for (const [table, values] of Object.entries(rows)) {
    const insert = db.prepare(`insert into "${table}" values (${values[0]?.map(() => '?').join(', ') ?? ''})`);
    for (const row of values) insert.run(...row);
  }
}

/**
 * Creates, once, the demo application database for the Misskey example: a SQLite file of three made-up people under
 * the data directory, described by examples/misskey-server/demo-datasets.yaml. An existing file is kept as it is,
 * so what a demo erasure erased stays erased; delete the file to start over.
 * @example const demo = prepareMisskeyDemo('./data'); process.env[DEMO_DATABASE_ENV] ??= demo.databaseUrl;
 */
export function prepareMisskeyDemo(dataDir: string): MisskeyDemo {
  const file = join(dataDir, 'demo-misskey.sqlite');
  const created = !existsSync(file);
  if (created) {
    mkdirSync(dataDir, { recursive: true });
    // Built aside and renamed, so an interrupted start never leaves a half-made demo that later starts would keep.
    const partial = `${file}.partial`;
    rmSync(partial, { force: true });
    const db = new SQLite(partial);
    try {
      db.transaction(() => {
        for (const stmt of DDL) db.exec(stmt);
        seed(db);
      })();
    } finally {
      db.close();
    }
    renameSync(partial, file);
  }
  return { graphPath: join(packageRoot(), 'examples', 'misskey-server', 'demo-datasets.yaml'), databaseUrl: `sqlite:${file}`, created, people: demoPeople };
}
