import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import type { SqlConnection } from '../../src/connectors/sql/sql-connection.ts';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import { keyedRandomMask } from '../../src/connectors/sql/mask-values.ts';
import { createFixtureDb, qt, seedFediverse, snapshot, userId, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { SECRET, fixtureGraph, makeService } from './connector-harness.ts';

const engines: SqlEngine[] = ['postgres', 'mysql', 'sqlite'];

/** An application trigger that counts deleted reactions in a tally table (as Lemmy keeps vote counts). */
async function addTallyTrigger(conn: SqlConnection, engine: SqlEngine): Promise<void> {
  await conn.query('create table reaction_tally (n integer not null)');
  await conn.query('insert into reaction_tally (n) values (0)');
  if (engine === 'postgres') {
    await conn.query(`create function tally() returns trigger language plpgsql as $$ begin update reaction_tally set n = n + 1; return null; end $$`);
    await conn.query('create trigger tally_reactions after delete on note_reaction for each row execute function tally()');
  } else if (engine === 'mysql') await conn.query('create trigger tally_reactions after delete on note_reaction for each row update reaction_tally set n = n + 1');
  else await conn.query('create trigger tally_reactions after delete on note_reaction begin update reaction_tally set n = n + 1; end');
}

const acknowledging = (names: string, extra = '') => (y: string) => y.replace(/(      - name: note_reaction\n        primary_key: \[id\]\n)/, `$1        allow_triggers: { names: [${names}], reason: "counts reactions only" }\n${extra}`);

for (const engine of engines) {
  describe(`erasure and the application's triggers, masks of short unique columns, on ${engine}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore('sqlite');
    });
    after(async () => {
      await store.drop();
    });
    const fresh = async (): Promise<FixtureDb> => {
      const fx = await createFixtureDb(engine);
      await seedFediverse(fx.conn, 4);
      return fx;
    };

    it('lists the triggers an erasure fires, refuses until the graph names them, then runs them and keeps the reason', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      await addTallyTrigger(fx.conn, engine);
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const dry = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) }, dryRun: true });
      await svc.runNow(dry);
      const planned = (await svc.report(dry)).steps[0]?.collections.find((c) => c.collection === 'note_reaction');
      assert.deepEqual(planned?.triggers, [{ id: 'note_reaction.tally_reactions', fires: 'after delete, for each row', acknowledged: false, writes: ['reaction_tally'] }]);
      assert.match(planned?.note ?? '', /would be refused/);
      if (engine === 'postgres') {
        // Measured exactly in a transaction that was rolled back: one tally update per reaction, nothing left behind.
        assert.ok((planned?.count ?? 0) > 0);
        assert.deepEqual(planned?.triggerEffects, [{ table: 'reaction_tally', inserted: 0, updated: planned?.count, deleted: 0 }]);
        assert.equal(Number((await fx.conn.query('select n from reaction_tally')).rows[0]?.n), 0, 'the measuring run was rolled back');
      } else {
        assert.equal(planned?.triggerEffects, undefined);
        assert.match(planned?.note ?? '', /trigger effects not counted on (MySQL\/MariaDB|SQLite) \(tables their code writes are listed\)/);
        if (engine === 'sqlite') assert.match(planned?.note ?? '', /statement guards not checked \(a SQLite trigger cannot read the statement text\)/);
      }

      const before = await snapshot(fx.conn);
      const refused = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(refused);
      const r = await svc.report(refused);
      assert.equal(r.steps[0]?.status, 'failed');
      assert.equal(r.steps[0]?.error?.code, 'MAMORI_ERASE_TRIGGERS');
      assert.match(r.steps[0]?.error?.message ?? '', /nothing was changed.*note_reaction\.tally_reactions \(after delete, for each row\).*allow_triggers/);
      assert.deepEqual(await snapshot(fx.conn), before, 'a refused erasure changed rows');

      const ack = makeService(store, fixtureGraph(engine, acknowledging('note_reaction.tally_reactions')), fx.conn).svc;
      const ok = await ack.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await ack.runNow(ok);
      const done = await ack.report(ok);
      assert.equal(done.steps[0]?.status, 'done', JSON.stringify(done.steps[0]?.error));
      const reactions = done.steps[0]?.collections.find((c) => c.collection === 'note_reaction');
      assert.deepEqual(reactions?.triggers, [{ id: 'note_reaction.tally_reactions', fires: 'after delete, for each row', acknowledged: true, writes: ['reaction_tally'] }]);
      assert.match(reactions?.note ?? '', /triggers acknowledged: counts reactions only/);
      const tally = (await fx.conn.query('select n from reaction_tally')).rows[0]?.n;
      assert.equal(Number(tally), reactions?.count, 'the trigger ran once per deleted reaction');
    });

    it('masks a short UNIQUE text column with distinct values that fit it, avoiding a value already taken', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      await fx.conn.query(`alter table ${qt(engine, 'user')} add ${engine === 'mysql' ? 'column ' : ''}handle varchar(8)`);
      await fx.conn.query(`update ${qt(engine, 'user')} set handle = id`);
      await fx.conn.query(`create unique index user_handle on ${qt(engine, 'user')} (handle)`);
      // Another person already holds the value user 2's mask would take first.
      const first = keyedRandomMask(SECRET, 'user', 'handle', userId(2), 0, 8);
      await fx.conn.query(`update ${qt(engine, 'user')} set handle = ? where id = ?`, [first, userId(4)]);
      const graph = fixtureGraph(engine, (y) => y.replace('          - { name: name, category: display_name, correctable: true }\n', '          - { name: name, category: display_name, correctable: true }\n          - { name: handle, category: display_name }\n').replace('fields: { name: "null", username: hash, usernameLower: hash }', 'fields: { name: "null", username: hash, usernameLower: hash, handle: random }'));
      const { svc } = makeService(store, graph, fx.conn);
      for (const u of [1, 2]) {
        const id = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(u) } });
        await svc.runNow(id);
        assert.equal((await svc.report(id)).steps[0]?.status, 'done');
      }
      const handles = new Map((await fx.conn.query(`select id, handle from ${qt(engine, 'user')}`)).rows.map((r) => [String(r.id), String(r.handle)]));
      const h1 = handles.get(userId(1)) ?? '';
      const h2 = handles.get(userId(2)) ?? '';
      assert.match(h1, /^~[A-Za-z0-9_-]{7}$/);
      assert.match(h2, /^~[A-Za-z0-9_-]{7}$/);
      assert.notEqual(h1, h2);
      assert.notEqual(h2, first, 'the taken value was not used again');
      assert.equal(handles.get(userId(4)), first);
      assert.equal(handles.get(userId(3)), userId(3), 'other people keep their handle');
      const once = await snapshot(fx.conn);
      const again = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(again);
      assert.equal((await svc.report(again)).steps[0]?.count, 0, 'a second erasure changes nothing');
      assert.deepEqual(await snapshot(fx.conn), once);
      assert.equal(new Map((await fx.conn.query(`select id, handle from ${qt(engine, 'user')}`)).rows.map((r) => [String(r.id), String(r.handle)])).get(userId(2)), h2);
    });

    it('fails with MAMORI_MASK_UNIQUE and changes nothing when a unique column is too short for a free masked value', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      await fx.conn.query(`alter table ${qt(engine, 'user')} add ${engine === 'mysql' ? 'column ' : ''}handle varchar(1)`);
      await fx.conn.query(`update ${qt(engine, 'user')} set handle = substr(id, length(id), 1)`);
      // A one-character column leaves the mask one value ("~"), and someone else already holds it.
      await fx.conn.query(`update ${qt(engine, 'user')} set handle = '~' where id = ?`, [userId(4)]);
      await fx.conn.query(`create unique index user_handle on ${qt(engine, 'user')} (handle)`);
      const graph = fixtureGraph(engine, (y) => y.replace('          - { name: name, category: display_name, correctable: true }\n', '          - { name: name, category: display_name, correctable: true }\n          - { name: handle, category: display_name }\n').replace('fields: { name: "null", username: hash, usernameLower: hash }', 'fields: { name: "null", username: hash, usernameLower: hash, handle: random }'));
      const { svc } = makeService(store, graph, fx.conn);
      const before = await snapshot(fx.conn);
      const id = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(id);
      const step = (await svc.report(id)).steps[0];
      assert.equal(step?.status, 'failed');
      assert.equal(step?.error?.code, 'MAMORI_MASK_UNIQUE');
      assert.match(step?.error?.message ?? '', /no free masked value for user\.handle after 8 attempts/);
      assert.deepEqual(await snapshot(fx.conn), before, 'a failed erasure changed rows');
    });

    /**
     * With the table's statement guard `note_reaction.require_marker` in place: a plain erasure is refused, naming the
     * guard, and changes nothing; the collection's `statement_comment` gets the same erasure through.
     */
    const guardRefusesThenPasses = async (conn: Parameters<typeof snapshot>[0]) => {
      const named = 'note_reaction.require_marker';
      const plain = makeService(store, fixtureGraph(engine, acknowledging(named)), conn).svc;
      const before = await snapshot(conn);
      const refused = await plain.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await plain.runNow(refused);
      const r = await plain.report(refused);
      assert.equal(r.steps[0]?.error?.code, 'MAMORI_ERASE_TRIGGERS');
      assert.match(r.steps[0]?.error?.message ?? '', /refused by the application's trigger note_reaction\.require_marker unless the statement starts with \/\*\*\/: set `statement_comment`/);
      assert.deepEqual(await snapshot(conn), before);
      const marked = makeService(store, fixtureGraph(engine, acknowledging(named, '        statement_comment: "/**/"\n')), conn).svc;
      const ok = await marked.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await marked.runNow(ok);
      const done = await marked.report(ok);
      assert.equal(done.steps[0]?.status, 'done', JSON.stringify(done.steps[0]?.error));
      assert.ok((done.steps[0]?.collections.find((c) => c.collection === 'note_reaction')?.count ?? 0) > 0);
    };

    if (engine === 'mysql') {
      it('finds a MariaDB guard that reads its own statement from the process list, and passes it with the statement comment', async (t) => {
        const fx = await fresh();
        t.after(() => fx.drop());
        await fx.conn.query(`create trigger require_marker before delete on note_reaction for each row begin if (select info from information_schema.processlist where id = connection_id()) not like '/**/%' then signal sqlstate '45000' set message_text = 'plain deletes are not allowed'; end if; end`);
        await guardRefusesThenPasses(fx.conn);
      });
    }

    if (engine === 'postgres') {
      it("passes a guard that only lets marked deletes through with the collection's statement comment", async (t) => {
        const fx = await fresh();
        t.after(() => fx.drop());
        // Lemmy's require_uplete, on the reactions table.
        await fx.conn.query(`create function require_marker() returns trigger language plpgsql as $$ begin if pg_trigger_depth() = 1 and not starts_with(current_query(), '/**/') then raise 'using delete instead of uplete is not allowed for this table'; end if; return null; end $$`);
        await fx.conn.query('create trigger require_marker before delete on note_reaction for each statement execute function require_marker()');
        await guardRefusesThenPasses(fx.conn);
      });
    }
  });
}

describe('statement_comment', () => {
  it('takes one plain SQL comment, never an executable or hint comment or more SQL', () => {
    const graph = (comment: string) => `mamori_graph: 1\ndatasets:\n  - id: app\n    connection: { kind: mysql, url_env: APP_URL }\n    collections:\n      - name: t\n        primary_key: [id]\n        statement_comment: ${JSON.stringify(comment)}\n        fields: [{ name: id, identity: account_id }]\n`;
    assert.ok(parseGraph(graph('/**/'), 'g.yaml').ok);
    assert.ok(parseGraph(graph('/* mamori erase */'), 'g.yaml').ok);
    for (const bad of ['/*! drop table t */', '/*+ hint */', '/* a */ delete from t; /* b */', '-- x', '/* a */;']) assert.equal(parseGraph(graph(bad), 'g.yaml').ok, false, bad);
  });
});
