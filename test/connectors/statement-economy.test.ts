import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { planDataset } from '../../src/connectors/graph-plan.ts';
import { createSqlExecutor } from '../../src/connectors/sql/sql-executor.ts';
import type { SqlConnection, SqlQueryable } from '../../src/connectors/sql/sql-connection.ts';
import { createFixtureDb, qt, seedFediverse, snapshot, userEmail, userId } from '../fixtures/fediverse/fediverse-fixture.ts';
import { fixtureGraph } from './connector-harness.ts';

/** The connection with every statement it is sent recorded (inside transactions too). */
function recording(conn: SqlConnection): { conn: SqlConnection; sent: string[] } {
  const sent: string[] = [];
  const wrap = (db: SqlQueryable): SqlQueryable => ({
    query: (sql, params) => {
      sent.push(sql);
      return db.query(sql, params);
    },
  });
  return { sent, conn: { ...wrap(conn), engine: conn.engine, transaction: (fn) => conn.transaction((tx) => fn(wrap(tx))), close: () => conn.close() } };
}

const children = ['note', 'note_reaction', 'following', 'drive_file', 'signin', 'muting', 'abuse_user_report'];
const names = (sql: string) => children.filter((t) => new RegExp(`from [\`"]${t}[\`"]|update [\`"]${t}[\`"]`).test(sql));

for (const engine of ['postgres', 'mysql', 'sqlite'] as SqlEngine[]) {
  describe(`statements an SQL dataset is sent, on ${engine}`, () => {
    it('sends nothing to a collection no key of the person reaches, in access, dry run and erasure', async (t) => {
      const fx = await createFixtureDb(engine);
      t.after(() => fx.drop());
      await seedFediverse(fx.conn, 3);
      const plan = planDataset(fixtureGraph(engine).datasets[0] ?? assert.fail());
      const r = recording(fx.conn);
      const exec = createSqlExecutor(plan, r.conn);
      const nobody = { email: 'nobody@example.jp', account_id: 'u999' };
      const access = await exec.access(nobody);
      assert.equal(access.found, false);
      const dry = await exec.erase(nobody, true);
      const erased = await exec.erase(nobody);
      assert.equal(dry.found, false);
      assert.equal(erased.found, false);
      assert.ok(r.sent.length > 0);
      assert.deepEqual(r.sent.flatMap(names), [], 'a statement went to a table no key reaches');
      // The same executor on a real person does reach those tables: the check above can fail.
      r.sent.length = 0;
      assert.ok((await exec.access({ email: userEmail(2) })).count > 0);
      assert.ok(r.sent.flatMap(names).length > 0);
    });

    it("counts in a dry run exactly what the erasure then changes, per collection, in fewer statements", async (t) => {
      const fx = await createFixtureDb(engine);
      t.after(() => fx.drop());
      await seedFediverse(fx.conn, 4);
      const plan = planDataset(fixtureGraph(engine).datasets[0] ?? assert.fail());
      const r = recording(fx.conn);
      const exec = createSqlExecutor(plan, r.conn, { hashKey: Buffer.alloc(32, 1) });
      const who = { account_id: userId(3) };
      await exec.erase({ account_id: userId(1) }, true); // reads the catalog once
      r.sent.length = 0;
      const dry = await exec.erase(who, true);
      const dryStatements = r.sent.length;
      const before = await snapshot(fx.conn);
      r.sent.length = 0;
      const done = await exec.erase(who);
      assert.equal(done.status, 'done', JSON.stringify(done.error));
      const after = await snapshot(fx.conn);
      const counts = (o: typeof dry) => Object.fromEntries(o.collections.filter((c) => c.status === 'done').map((c) => [c.collection, c.count]));
      assert.deepEqual(counts(done), counts(dry));
      assert.ok(Object.values(counts(done)).some((n) => n > 0));
      // Deleted collections lost exactly the counted rows.
      for (const c of done.collections) {
        const cp = plan.order.find((p) => p.collection.name === c.collection);
        if (cp?.collection.erase.action !== 'delete') continue;
        assert.equal((before[c.collection]?.length ?? 0) - (after[c.collection]?.length ?? 0), c.count, c.collection);
      }
      // One count statement per collection would be at least as many as there are collections.
      assert.ok(dryStatements < plan.order.length, `${dryStatements} statements for a dry run of ${plan.order.length} collections`);
      if (engine === 'postgres') assert.ok(r.sent.some((s) => s.startsWith('with w0 as (')), 'consecutive trigger-free writes share one statement');
    });

    it("still writes a table that held none of the person's rows when an application trigger's code writes it", async (t) => {
      const fx = await createFixtureDb(engine);
      t.after(() => fx.drop());
      await seedFediverse(fx.conn, 3);
      const u = qt(engine, 'userId');
      // Removing a reaction logs a sign-in row for its author (reactions are erased before sign-ins).
      if (engine === 'postgres') {
        await fx.conn.query(`create function log_unreact() returns trigger language plpgsql as $$ begin insert into signin values ('t' || old.id, old.${u}, '203.0.113.1', '2026-01-01'); return null; end $$`);
        await fx.conn.query('create trigger log_unreact after delete on note_reaction for each row execute function log_unreact()');
      } else if (engine === 'mysql') await fx.conn.query(`create trigger log_unreact after delete on note_reaction for each row insert into signin values (concat('t', old.id), old.${u}, '203.0.113.1', '2026-01-01')`);
      else await fx.conn.query(`create trigger log_unreact after delete on note_reaction begin insert into signin values ('t' || old.id, old.${u}, '203.0.113.1', '2026-01-01'); end`);
      await fx.conn.query(`delete from signin where ${u} = ?`, [userId(2)]);
      const graph = fixtureGraph(engine, (y) => y.replace(/(      - name: note_reaction\n        primary_key: \[id\]\n)/, '$1        allow_triggers: { names: [note_reaction.log_unreact], reason: "logs only" }\n'));
      const exec = createSqlExecutor(planDataset(graph.datasets[0] ?? assert.fail()), fx.conn, { hashKey: Buffer.alloc(32, 1) });
      const done = await exec.erase({ account_id: userId(2) });
      assert.equal(done.status, 'done', JSON.stringify(done.error));
      assert.equal(done.collections.find((c) => c.collection === 'signin')?.count, 1, 'the row the trigger added was erased');
      assert.equal(Number((await fx.conn.query(`select count(*) as n from signin where ${u} = ?`, [userId(2)])).rows[0]?.n), 0);
    });
  });
}
