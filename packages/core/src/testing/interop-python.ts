/**
 * Node-only test support for the optional interop suites (`pnpm test:interop`): whether they are enabled, and a
 * runner for the Python peer scripts in scripts/interop/, which read a JSON job file and print JSON.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python with torch/transformers/peft that test-interop.sh set up, or '' when none. */
export const INTEROP_PYTHON = process.env['LORAKIT_PEERS_PYTHON'] ?? '';
/** True when `pnpm test:interop` runs the suites (LORAKIT_INTEROP=1 and an existing LORAKIT_PEERS_PYTHON). */
export const INTEROP_ENABLED =
  process.env['LORAKIT_INTEROP'] === '1' && INTEROP_PYTHON !== '' && existsSync(INTEROP_PYTHON);

const SCRIPTS = fileURLToPath(new URL('../../../../scripts/interop/', import.meta.url));

/** Runs scripts/interop/SCRIPT with `job` written to a JSON file in `workDir`; returns the script's JSON output. */
export async function runInteropPython<T>(script: string, job: unknown, workDir: string): Promise<T> {
  const jobPath = join(workDir, `${script}.job.json`);
  await writeFile(jobPath, JSON.stringify(job));
  const environment = {
    ...process.env,
    HF_HUB_OFFLINE: '1',
    TQDM_DISABLE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      INTEROP_PYTHON,
      [join(SCRIPTS, script), jobPath],
      { env: environment, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) =>
        error ? reject(new Error(`${script} failed: ${error.message}\n${err}`)) : resolve(out),
    );
  });
  return JSON.parse(stdout) as T;
}
