import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { MIGRATIONS, MIGRATIONS_TABLE, migrationSql } from './migrations.js';
import { SQL, filterParams, groupSeries, pickSeries, pointParams, runInfoOf, runParams, seriesKeys, type Row } from './sql.js';
import type { AddOptions, AddOutcome, HistoryStore, RunInfo, Series, SeriesFilter, StoredRun } from './types.js';

type Db = InstanceType<typeof Database>;

/** Applies the migrations not yet recorded, each in its own transaction with its record. */
function migrate(db: Db): void {
  db.exec(MIGRATIONS_TABLE);
  const done = new Set((db.prepare(SQL.migrated).all() as Row[]).map((r) => Number(r['version'])));
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(migrationSql(m, 'sqlite'));
      db.prepare(SQL.recordMigration).run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
}

/** The embedded store: one SQLite file, WAL so readers never block the one writer. */
export function openSqliteStore(path: string): HistoryStore {
  let db: Db;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (err) {
    throw new EnvironmentError(`cannot open the history store ${path}: ${(err as Error).message}`, { file: path, fix: 'give --store a writable path, or a postgres:// URL' });
  }
  const insertRun = db.prepare(SQL.insertRun);
  const insertSeries = db.prepare(SQL.insertSeries);
  const selectSeries = db.prepare(SQL.selectSeries);
  const insertPoint = db.prepare(SQL.insertPoint);

  const write = (run: StoredRun, options: AddOptions): AddOutcome => {
    const key = insertRun.get(...runParams(run)) as Row | undefined;
    if (!key) return 'exists';
    const runKey = Number(key['run_key']);
    const ids = new Map<string, number>();
    for (const s of seriesKeys(run)) {
      insertSeries.run(s.scenario, s.metric, s.unit, s.better);
      ids.set(`${s.scenario}\u0000${s.metric}`, Number((selectSeries.get(s.scenario, s.metric) as Row)['series_id']));
    }
    let scenario: string | null = null;
    for (const p of run.points) {
      if (scenario !== null && p.scenario !== scenario) void options.afterScenario?.(scenario);
      scenario = p.scenario;
      insertPoint.run(...pointParams(ids.get(`${p.scenario}\u0000${p.metric}`)!, runKey, p, p.gated ? 1 : 0));
    }
    if (scenario !== null) void options.afterScenario?.(scenario);
    return 'added';
  };
  const tx = db.transaction(write);

  return {
    kind: 'sqlite',
    location: path,
    addRun: async (run, options = {}) => tx.immediate(run, options),
    listRuns: async (filter = {}): Promise<RunInfo[]> => (db.prepare(SQL.listRuns).all(...filterParams(filter)) as Row[]).map(runInfoOf),
    series: async (filter: SeriesFilter): Promise<Series[]> => {
      const picked = pickSeries(db.prepare(SQL.allSeries).all() as Row[], filter);
      // One statement a series: each reads one range of the (series, run) key, where one IN-list
      // over many series made SQLite sort the whole points table.
      const one = db.prepare(SQL.points.replace('__IDS__', '?'));
      const rows: Row[] = [];
      for (const s of picked) for (const row of one.iterate(s.id, ...filterParams(filter))) rows.push(row as Row);
      return groupSeries(picked, rows);
    },
    schemaVersion: async () => Math.max(0, ...(db.prepare(SQL.migrated).all() as Row[]).map((r) => Number(r['version']))),
    close: async () => {
      // Folds the write-ahead log back into the file, so the one file is the whole store (a data branch keeps just it).
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}
