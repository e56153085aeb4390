// Runs a tinybench workload module in its own node process, started inside the repetition's
// cgroup like any command, so the kernel capture sees exactly the benchmark (and not kdelta,
// its collectors' readers or its timers). Plain JS so it runs the same from src/ and dist/.
//
//   node tinybench-runner.mjs --list <module>                  prints {"tasks":[...]}
//   node tinybench-runner.mjs <module> <timeMs> <iterations>   runs the tasks
//
// A module's tasks are its exported functions (named exports), or the functions of an object
// it exports as default. Per task it prints JSON metric lines that kdelta reads as
// workload.<task>.mean (ns), workload.<task>.p99 (ns) and workload.<task>.throughput (1/s).
// Exit status: 0 done, 1 a task threw, 2 the module is unusable (message on stderr).
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';

/** Metric names are dotted paths, so a task name keeps only characters that cannot split or break one. */
function taskMetricName(name) {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function unusable(message) {
  process.stderr.write(`kdelta tinybench: ${message}\n`);
  process.exitCode = 2;
}

async function loadTasks(modulePath) {
  let mod;
  try {
    mod = await import(pathToFileURL(modulePath).href);
  } catch (err) {
    unusable(`cannot import ${modulePath}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  const tasks = new Map();
  for (const [name, value] of Object.entries(mod)) {
    if (name !== 'default' && typeof value === 'function') tasks.set(name, value);
  }
  const def = mod.default;
  if (def !== null && typeof def === 'object') {
    for (const [name, value] of Object.entries(def)) {
      if (typeof value === 'function' && !tasks.has(name)) tasks.set(name, value);
    }
  }
  if (tasks.size === 0) {
    unusable(`${modulePath} exports no task functions (export functions by name, or a default object of name -> function)`);
    return null;
  }
  const seen = new Map();
  for (const name of tasks.keys()) {
    const metric = taskMetricName(name);
    if (seen.has(metric)) {
      unusable(`tasks "${seen.get(metric)}" and "${name}" would both be reported as workload.${metric}.*`);
      return null;
    }
    seen.set(metric, name);
  }
  return tasks;
}

function metricLine(name, value, unit, better) {
  return `${JSON.stringify({ metric: name, value, unit, better })}\n`;
}

async function main(argv) {
  if (argv[0] === '--list') {
    const tasks = await loadTasks(argv[1] ?? '');
    if (tasks) process.stdout.write(`${JSON.stringify({ tasks: [...tasks.keys()] })}\n`);
    return;
  }
  const [modulePath, timeArg, iterArg] = argv;
  const time = Number(timeArg);
  const iterations = Number(iterArg);
  if (!modulePath || !Number.isFinite(time) || !Number.isInteger(iterations)) {
    unusable('usage: tinybench-runner.mjs <module> <timeMs> <iterations>');
    return;
  }
  const tasks = await loadTasks(modulePath);
  if (!tasks) return;
  const bench = new Bench({ time, iterations });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  let out = '';
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') {
      const why = r.state === 'errored' ? (r.error?.stack ?? String(r.error)) : r.state;
      process.stderr.write(`kdelta tinybench: task "${task.name}" failed: ${why}\n`);
      process.exitCode = 1;
      return;
    }
    const m = taskMetricName(task.name);
    // tinybench reports latency in ms; kdelta's time unit is ns.
    out += metricLine(`${m}.mean`, r.latency.mean * 1e6, 'ns', 'lower');
    out += metricLine(`${m}.p99`, r.latency.p99 * 1e6, 'ns', 'lower');
    out += metricLine(`${m}.throughput`, r.throughput.mean, '1/s', 'higher');
  }
  process.stdout.write(out);
}

await main(process.argv.slice(2));
// A module may leave timers or sockets behind at import: the runner ends all the same, once
// what it wrote has been flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(process.exitCode ?? 0)));
