/**
 * The one loader of the native CPU addon. Returns the module, or why it cannot be used (not built, fails to load,
 * a CPU without AVX2/FMA), so the caller can fall back to the reference backend with a clear message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { NativeModule } from './native-module.js';

/** Where scripts/build-native.mjs puts the addon, relative to this file (src/native or dist/native). */
const ADDON_URL = new URL('../../native/build/Release/lorakit_cpu.node', import.meta.url);

/** The functions this package's TypeScript needs from any addon it accepts (an older build may lack newer ones). */
const REQUIRED_FUNCTIONS = [
  'cpuFeatures',
  'threadCount',
  'setThreadCount',
  'gemmKernel',
  'setGemmKernel',
  'matmul',
  'loraLinearForward',
  'loraLinearBackward',
  'loraMultiForward',
  'loraSegmentedForward',
] as const;

export type NativeLoadResult = { module: NativeModule; path: string } | { unavailable: string };

let cached: NativeLoadResult | undefined;

/** Loads the addon once per process (later calls return the same result). */
export function loadNative(): NativeLoadResult {
  cached ??= tryLoad(fileURLToPath(ADDON_URL));
  return cached;
}

function tryLoad(path: string): NativeLoadResult {
  if (process.arch !== 'x64')
    return { unavailable: `the cpu backend needs an x86-64 CPU with AVX2/FMA (this is ${process.arch})` };
  if (!existsSync(path)) {
    return {
      unavailable: `the native addon is not built (${path} is missing; run \`pnpm build\` with a C++ compiler and cmake)`,
    };
  }
  // Checked before loading too: the addon's own code (static initialisers included) may use AVX2 instructions.
  const flagsMissing = missingCpuFlags();
  if (flagsMissing.length > 0)
    return {
      unavailable: `this CPU lacks ${flagsMissing.join(' and ')}, which the cpu backend is compiled for`,
    };
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (error) {
    return {
      unavailable: `the native addon failed to load: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const candidate = loaded as Partial<Record<string, unknown>>;
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof candidate[name] !== 'function');
  if (missing.length > 0)
    return { unavailable: `the native addon lacks ${missing.join(', ')} (rebuild it with \`pnpm build\`)` };
  const module = loaded as NativeModule;
  const features = module.cpuFeatures();
  if (!features.avx2 || !features.fma)
    return { unavailable: 'this CPU lacks AVX2/FMA, which the cpu backend is compiled for' };
  return { module, path };
}

/** AVX2/FMA flags absent from /proc/cpuinfo (none when the file cannot be read: cpuFeatures() checks again). */
function missingCpuFlags(): string[] {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return [];
  }
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? []);
  if (flags.size === 0) return [];
  return ['avx2', 'fma'].filter((flag) => !flags.has(flag)).map((flag) => flag.toUpperCase());
}
