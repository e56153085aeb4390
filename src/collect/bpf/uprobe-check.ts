import { execFile } from 'node:child_process';
import { BPF_LOADER } from './session.js';

/** Whether a uprobe attaches here (the loader tries one on its own code), for doctor. Null when the loader is not built. */
export interface UprobeProbe {
  ok: boolean;
  detail: string;
}

export function checkUprobes(loader = BPF_LOADER, timeoutMs = 10_000): Promise<UprobeProbe | null> {
  return new Promise((resolve) => {
    execFile(loader, ['--check-uprobe'], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(null);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (!err && last.includes('"uprobe":true')) return resolve({ ok: true, detail: 'a uprobe attached (the loader tried one on its own code)' });
      const why = (/"error":"([^"]*)"/u.exec(last)?.[1] ?? stderr.trim().split('\n').slice(-1)[0] ?? err?.message ?? 'unknown').slice(0, 300);
      resolve({ ok: false, detail: `a uprobe did not attach: ${why}` });
    });
  });
}
