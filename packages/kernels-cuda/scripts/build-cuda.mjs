// Builds the CUDA addon (native-cuda/ → native-cuda/build/lorakit_cuda.node) with nvcc and g++ directly:
// nvcc -c each .cu for sm_80 and sm_90 (+ PTX), g++ -c each .cc, then g++ -shared against libcudart_static.a, so
// the addon loads on machines without CUDA. cuBLAS is not linked (the addon dlopens it).
// Also builds the CPU emulation of the same kernels (lorakit_cuda_emulated.node, g++ only) that the tests run
// everywhere. Never fails `pnpm build`: without nvcc it prints "cuda backend not built: nvcc not found" and exits
// 0; LORAKIT_CUDA_REQUIRED=1 (scripts/ci-cuda-compile.sh) makes a missing nvcc or a failed build exit 1.
// nvcc is looked for in LORAKIT_CUDA_HOME (a toolkit, or a venv holding the pip wheels), CUDA_HOME, PATH,
// /usr/local/cuda and native-cuda/.venv-cuda (made by ci-cuda-compile.sh).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirectory = join(packageRoot, 'native-cuda', 'src');
const buildDirectory = join(packageRoot, 'native-cuda', 'build');
const addonPath = join(buildDirectory, 'lorakit_cuda.node');
const emulatedPath = join(buildDirectory, 'lorakit_cuda_emulated.node');
const required = process.env.LORAKIT_CUDA_REQUIRED === '1';
const verbose = process.env.LORAKIT_NATIVE_VERBOSE === '1' || required;

const sources = readdirSync(sourceDirectory).map((name) => join(sourceDirectory, name));
const kernelSources = sources.filter((path) => path.endsWith('.cu'));
const hostSources = sources.filter((path) => path.endsWith('.cc') && !path.endsWith('cublas-abi-check.cc'));
const emulationSource = join(sourceDirectory, 'emulation', 'cuda-emulation.cc');
const allInputs = [
  ...sources,
  emulationSource,
  join(sourceDirectory, 'emulation', 'cuda-emulation.h'),
  fileURLToPath(import.meta.url),
];

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** Runs the jobs (each a [command, args]) with at most `availableParallelism()` at a time; the first failure wins. */
async function runAll(jobs) {
  const queue = [...jobs];
  let failure;
  const workers = Array.from({ length: Math.max(1, Math.min(availableParallelism(), 4)) }, async () => {
    while (queue.length > 0 && failure === undefined) {
      const [command, args] = queue.shift();
      const result = await run(command, args);
      if (verbose && result.output.trim()) process.stderr.write(result.output);
      if (!result.ok && failure === undefined) failure = result.output;
    }
  });
  await Promise.all(workers);
  return failure;
}

function firstError(output) {
  return (output.split('\n').find((line) => /error/i.test(line)) ?? output.split('\n')[0] ?? '').trim();
}

function upToDate(target) {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return allInputs.every((path) => !existsSync(path) || statSync(path).mtimeMs <= built);
}

function nodeApiIncludeDirectory() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((directory) => existsSync(join(directory, 'node_api.h')));
}

/** `<root>/lib/python3.*\/site-packages/nvidia/<layout>/bin/nvcc` for the pip wheels' layouts. */
function nvccInVenv(root) {
  const lib = join(root, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const python of readdirSync(lib).filter((name) => name.startsWith('python3'))) {
    for (const layout of ['cu13', 'cu12', 'cuda_nvcc']) {
      const nvcc = join(lib, python, 'site-packages', 'nvidia', layout, 'bin', 'nvcc');
      if (existsSync(nvcc)) return nvcc;
    }
  }
  return undefined;
}

function findNvcc() {
  for (const home of [process.env.LORAKIT_CUDA_HOME, process.env.CUDA_HOME, process.env.CUDA_PATH]) {
    if (!home) continue;
    if (existsSync(join(home, 'bin', 'nvcc'))) return join(home, 'bin', 'nvcc');
    const fromVenv = nvccInVenv(home);
    if (fromVenv) return fromVenv;
  }
  const which = spawnSync('sh', ['-c', 'command -v nvcc'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  if (existsSync('/usr/local/cuda/bin/nvcc')) return '/usr/local/cuda/bin/nvcc';
  return nvccInVenv(join(packageRoot, 'native-cuda', '.venv-cuda'));
}

/** The first directory among the toolkit's and its sibling wheels' that holds `file`. */
function findIn(cudaHome, subdirectories, file) {
  const roots = [cudaHome];
  const nvidia = dirname(cudaHome);
  if (basename(nvidia) === 'nvidia') roots.push(...readdirSync(nvidia).map((name) => join(nvidia, name)));
  for (const root of roots) {
    for (const subdirectory of subdirectories) {
      if (existsSync(join(root, subdirectory, file))) return join(root, subdirectory);
    }
  }
  return undefined;
}

async function buildEmulation(nodeInclude) {
  if (process.env.LORAKIT_SKIP_CUDA_EMULATION === '1' || upToDate(emulatedPath)) return;
  const started = Date.now();
  const objects = join(buildDirectory, 'emulated');
  mkdirSync(objects, { recursive: true });
  const flags = [
    '-std=c++17',
    '-O1',
    '-fPIC',
    '-fvisibility=hidden',
    '-DLORAKIT_CUDA_EMULATION',
    '-Wno-unknown-pragmas',
    `-I${nodeInclude}`,
    `-I${sourceDirectory}`,
  ];
  const jobs = [...kernelSources, ...hostSources, emulationSource].map((source) => [
    'g++',
    [
      ...flags,
      ...(source.endsWith('.cu') ? ['-x', 'c++'] : []),
      '-c',
      source,
      '-o',
      join(objects, `${basename(source)}.o`),
    ],
  ]);
  const failure =
    (await runAll(jobs)) ??
    (await runAll([
      ['g++', ['-shared', '-o', emulatedPath, ...jobs.map(([, args]) => args[args.length - 1]), '-lpthread']],
    ]));
  if (failure !== undefined) {
    rmSync(emulatedPath, { force: true });
    console.log(`cuda emulation (for tests) not built: ${firstError(failure)}`);
    if (required) process.exit(1);
    return;
  }
  console.log(
    `cuda emulation (for tests) built: ${emulatedPath} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

async function buildCuda(nodeInclude) {
  const giveUp = (reason) => {
    rmSync(addonPath, { force: true });
    console.log(`cuda backend not built: ${reason}`);
    if (required) process.exit(1);
  };
  if (process.env.LORAKIT_SKIP_CUDA === '1') return giveUp('LORAKIT_SKIP_CUDA=1');
  const nvcc = findNvcc();
  if (nvcc === undefined) return giveUp('nvcc not found');
  if (upToDate(addonPath)) return console.log(`cuda backend up to date: ${addonPath}`);
  const cudaHome = dirname(dirname(nvcc));
  const include = findIn(cudaHome, ['include', 'targets/x86_64-linux/include'], 'cuda_runtime_api.h');
  const library = findIn(cudaHome, ['lib64', 'lib', 'targets/x86_64-linux/lib'], 'libcudart_static.a');
  if (!include) return giveUp(`no cuda_runtime_api.h next to ${nvcc}`);
  if (!library) return giveUp(`no libcudart_static.a next to ${nvcc} (install nvidia-cuda-runtime)`);
  const started = Date.now();
  const objects = join(buildDirectory, 'cuda');
  mkdirSync(objects, { recursive: true });
  const includes = [`-I${nodeInclude}`, `-I${sourceDirectory}`, `-I${include}`];
  // sm_80 (A100) and sm_90 (H100/H200) machine code, plus compute_90 PTX that newer GPUs can JIT.
  const architectures = [
    '-gencode',
    'arch=compute_80,code=sm_80',
    '-gencode',
    'arch=compute_90,code=[sm_90,compute_90]',
  ];
  const jobs = [
    ...kernelSources.map((source) => [
      nvcc,
      [
        '-std=c++17',
        '-O3',
        ...architectures,
        '-Xcompiler',
        '-fPIC,-fvisibility=hidden',
        '-ccbin',
        'g++',
        ...includes,
        '-c',
        source,
        '-o',
        join(objects, `${basename(source)}.o`),
      ],
    ]),
    ...hostSources.map((source) => [
      'g++',
      [
        '-std=c++17',
        '-O2',
        '-fPIC',
        '-fvisibility=hidden',
        ...includes,
        '-c',
        source,
        '-o',
        join(objects, `${basename(source)}.o`),
      ],
    ]),
  ];
  // With cuBLAS's headers present, check the hand-written cuBLAS declarations against them (compile only).
  const cublasInclude = findIn(cudaHome, ['include'], 'cublas_v2.h');
  if (cublasInclude)
    jobs.push([
      'g++',
      [
        '-std=c++17',
        '-fsyntax-only',
        `-I${include}`,
        `-I${cublasInclude}`,
        join(sourceDirectory, 'cublas-abi-check.cc'),
      ],
    ]);
  const objectFiles = jobs
    .filter(([, args]) => args.includes('-o'))
    .map(([, args]) => args[args.indexOf('-o') + 1]);
  const failure =
    (await runAll(jobs)) ??
    (await runAll([
      [
        'g++',
        [
          '-shared',
          '-o',
          addonPath,
          ...objectFiles,
          `-L${library}`,
          '-l:libcudart_static.a',
          '-ldl',
          '-lpthread',
          '-lrt',
        ],
      ],
    ]));
  if (failure !== undefined)
    return giveUp(
      `the CUDA build failed (${firstError(failure)}; set LORAKIT_NATIVE_VERBOSE=1 for the full log)`,
    );
  console.log(
    `cuda backend built with ${nvcc}: ${addonPath} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

const nodeInclude = nodeApiIncludeDirectory();
const compiler = spawnSync('g++', ['--version'], { encoding: 'utf8' });
if (nodeInclude === undefined || compiler.status !== 0) {
  const reason =
    nodeInclude === undefined ? "Node's headers (node_api.h) were not found" : 'g++ was not found';
  rmSync(addonPath, { force: true });
  console.log(`cuda backend not built: ${reason}`);
  process.exit(required ? 1 : 0);
}
mkdirSync(buildDirectory, { recursive: true });
await buildEmulation(nodeInclude);
await buildCuda(nodeInclude);
