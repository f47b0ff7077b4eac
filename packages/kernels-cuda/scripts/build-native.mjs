// Builds the native CPU addon (native/ → native/build/Release/lorakit_cpu.node) with cmake-js, offline.
// Native code must never fail `pnpm build`: without a compiler or cmake, or when the build fails, this prints one
// line saying the reference backend will be used and exits 0. LORAKIT_NATIVE_REQUIRED=1 makes a failure fatal (CI).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDirectory = join(packageRoot, 'native');
const buildDirectory = join(nativeDirectory, 'build');
const addonPath = join(buildDirectory, 'Release', 'lorakit_cpu.node');
const required = process.env.LORAKIT_NATIVE_REQUIRED === '1';

function giveUp(reason) {
  // A stale addon would be loaded by the backend and might not match the TypeScript: remove it.
  rmSync(addonPath, { force: true });
  console.log(`cpu backend not built: ${reason}; the reference backend will be used`);
  process.exit(required ? 1 : 0);
}

function found(command) {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return result.status === 0;
}

if (process.env.LORAKIT_SKIP_NATIVE === '1') giveUp('LORAKIT_SKIP_NATIVE=1');
if (process.platform !== 'linux' && process.platform !== 'darwin')
  giveUp(`unsupported platform ${process.platform}`);
if (process.arch !== 'x64') giveUp(`the kernels need x86-64 with AVX2/FMA (this is ${process.arch})`);
if (!found('cmake')) giveUp('cmake was not found');
if (!found(process.env.CXX ?? 'c++') && !found('g++')) giveUp('no C++ compiler (c++ or g++) was found');

let cmakeJs;
try {
  cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
} catch {
  giveUp('cmake-js is not installed (run pnpm install)');
}

const parallel = String(Math.max(1, Math.min(8, (await import('node:os')).availableParallelism())));
const started = Date.now();
const result = spawnSync(
  process.execPath,
  [cmakeJs, 'build', '--directory', nativeDirectory, '--out', buildDirectory, '--parallel', parallel],
  {
    cwd: packageRoot,
    encoding: 'utf8',
  },
);
if (result.status !== 0 || !existsSync(addonPath)) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const firstError =
    output.split('\n').find((line) => /error/i.test(line) && !/^ERR!? OMG/.test(line)) ??
    result.error?.message ??
    `exit code ${result.status}`;
  if (process.env.LORAKIT_NATIVE_VERBOSE === '1' || required) process.stderr.write(output);
  giveUp(`the native build failed (${firstError.trim()}; set LORAKIT_NATIVE_VERBOSE=1 for the full log)`);
}
console.log(`cpu backend built: ${addonPath} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
