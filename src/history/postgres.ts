import pg from 'pg';
import { EnvironmentError } from '../errors.js';
import { MIGRATIONS, MIGRATIONS_TABLE, migrationSql } from './migrations.js';
import { SQL, chunks, filterParams, groupSeries, multiRowInsert, numbered, pickSeries, pointParams, runInfoOf, runParams, seriesKeys, type Row } from './sql.js';
import type { AddOptions, AddOutcome, HistoryStore, RunInfo, Series, SeriesFilter, StoredPoint, StoredRun } from './types.js';

/** Any fixed number: every kdelta migrating the same database takes this lock, so only one migrates at a time. */
const MIGRATION_LOCK = 0x6b64656c;
/** Deadlock and serialization failures: the transaction did nothing and can be run again. */
const RETRYABLE = new Set(['40P01', '40001']);

async function migrate(client: pg.PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(MIGRATIONS_TABLE);
    const done = new Set((await client.query(SQL.migrated)).rows.map((r: Row) => Number(r['version'])));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(migrationSql(m, 'postgres'));
      await client.query(numbered(SQL.recordMigration), [m.version, m.name, new Date().toISOString()]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/**
 * Rows a statement: 13 parameters a point and 4 a series keep each statement under 6,500
 * parameters (PostgreSQL takes 65,535) while a suite-sized run is a few round trips, not
 * one per metric.
 */
const POINT_ROWS = 500;
const SERIES_ROWS = 1000;

/** Creates the run's series that are new, in one sorted order (two writers never wait on each other in a cycle), and returns every id. */
async function seriesIds(client: pg.PoolClient, run: StoredRun): Promise<Map<string, number>> {
  const keys = seriesKeys(run);
  for (const slice of chunks(keys, SERIES_ROWS)) {
    await client.query(numbered(multiRowInsert(SQL.insertSeries, slice.length)), slice.flatMap((s) => [s.scenario, s.metric, s.unit, s.better]));
  }
  const found = await client.query(numbered(SQL.selectSeriesMany), [keys.map((k) => k.scenario), keys.map((k) => k.metric)]);
  return new Map(found.rows.map((r: Row) => [`${String(r['scenario'])}\u0000${String(r['metric'])}`, Number(r['series_id'])]));
}

async function write(client: pg.PoolClient, run: StoredRun, options: AddOptions): Promise<AddOutcome> {
  const inserted = await client.query(numbered(SQL.insertRun), runParams(run));
  const first = inserted.rows[0] as Row | undefined;
  if (!first) return 'exists';
  const runKey = Number(first['run_key']);
  const ids = await seriesIds(client, run);
  // Points go in scenario by scenario (the hook after each is where tests kill the writer).
  for (const group of byScenario(run.points)) {
    for (const slice of chunks(group.points, POINT_ROWS)) {
      const params = slice.flatMap((p) => pointParams(ids.get(`${p.scenario}\u0000${p.metric}`)!, runKey, p, p.gated));
      await client.query(numbered(multiRowInsert(SQL.insertPoint, slice.length)), params);
    }
    await options.afterScenario?.(group.scenario);
  }
  return 'added';
}

/** Consecutive points of one scenario together, in the run's order. */
function byScenario(points: readonly StoredPoint[]): Array<{ scenario: string; points: StoredPoint[] }> {
  const out: Array<{ scenario: string; points: StoredPoint[] }> = [];
  for (const p of points) {
    const last = out.at(-1);
    if (last && last.scenario === p.scenario) last.points.push(p);
    else out.push({ scenario: p.scenario, points: [p] });
  }
  return out;
}

/** The shared store: many runners write one PostgreSQL database, each run in one transaction. */
export async function openPostgresStore(url: string): Promise<HistoryStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const shown = url.replace(/\/\/[^@/]*@/, '//***@');
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end();
    throw new EnvironmentError(`cannot connect to the history store ${shown}: ${(err as Error).message}`, { fix: 'check the URL in --store or $KDELTA_STORE, and that the server is running' });
  }
  try {
    await migrate(client);
  } finally {
    client.release();
  }

  const addRun = async (run: StoredRun, options: AddOptions = {}): Promise<AddOutcome> => {
    for (let attempt = 0; ; attempt++) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const outcome = await write(c, run, options);
        await c.query('COMMIT');
        return outcome;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (!RETRYABLE.has((err as { code?: string }).code ?? '') || attempt >= 4) throw err;
      } finally {
        c.release();
      }
    }
  };

  return {
    kind: 'postgres',
    location: shown,
    addRun,
    listRuns: async (filter = {}): Promise<RunInfo[]> => (await pool.query(numbered(SQL.listRuns), filterParams(filter))).rows.map(runInfoOf),
    series: async (filter: SeriesFilter): Promise<Series[]> => {
      const picked = pickSeries((await pool.query(SQL.allSeries)).rows, filter);
      const text = numbered(SQL.points.replace('__IDS__', 'SELECT unnest(CAST(? AS INTEGER[]))'));
      const rows = (await pool.query(text, [picked.map((s) => s.id), ...filterParams(filter)])).rows;
      return groupSeries(picked, rows);
    },
    schemaVersion: async () => Math.max(0, ...(await pool.query(SQL.migrated)).rows.map((r: Row) => Number(r['version']))),
    close: () => pool.end(),
  };
}
