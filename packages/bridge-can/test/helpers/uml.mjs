// Real SocketCAN for the tests: the host kernels these tests run on have no CAN at all, so a
// User-Mode Linux kernel (Debian's user-mode-linux) boots with the host's filesystem as its
// root (hostfs), loads the CAN modules, brings up vcan0 and vcan1 (with the CAN FD MTU), runs
// one shell script, writes its exit code to a file and powers off. The guest sees the host's
// files (node, node_modules, can-utils, the test's temp dir) but not its environment. One
// boot costs about 3 s. Plain JavaScript, so that scripts/peers.mjs can use it too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECCOMP_LAUNCHER = fileURLToPath(new URL('./uml-seccomp.py', import.meta.url));
const MODULES = ['net/can/can.ko', 'net/can/can-raw.ko', 'drivers/net/can/dev/can-dev.ko', 'drivers/net/can/vcan.ko'];

/**
 * The environment of every guest process. UML restores only the x87/SSE part of its processes'
 * CPU state (see uml-seccomp.py), so the guest's programs must not use AVX: glibc's string
 * functions would corrupt each other's registers, and so would V8's and simdutf's code in
 * node. These switch each of them to SSE code paths.
 */
export const GUEST_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  GLIBC_TUNABLES:
    'glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD,-EVEX,-AVX_VNNI,-FMA,-BMI1,-BMI2,-LZCNT,-MOVBE,-ERMS,-FSRM,-AVX_Fast_Unaligned_Load,-RTM,Prefer_No_AVX512,Prefer_No_VZEROUPPER',
  SIMDUTF_FORCE_IMPLEMENTATION: 'westmere',
  OPENSSL_ia32cap: '~0x1000000000000000:0',
};

/** V8 flags for node in the guest (see GUEST_ENV). */
export const GUEST_NODE_FLAGS = ['--no-enable-avx', '--no-enable-avx2', '--no-enable-fma3'];

function which(binary) {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Why UML cannot run here (with the package to install), or undefined when it can. */
export function umlMissing() {
  if (!which('linux.uml')) return 'linux.uml is missing: apt-get install -y user-mode-linux';
  if (!which('insmod')) return 'insmod is missing (without it the CAN modules cannot load): apt-get install -y kmod';
  if (!which('cansend')) return 'cansend is missing: apt-get install -y can-utils';
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 is missing (it starts UML with a seccomp filter): apt-get install -y python3';
  return undefined;
}

function initScript(work) {
  const exports = Object.entries(GUEST_ENV).map(([k, v]) => `export ${k}='${v}'`).join('\n');
  return `#!/bin/sh
# PID 1 of the guest. The work dir comes on the kernel command line (FB_UML_WORK).
${exports}
export W="$FB_UML_WORK"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
modules=/usr/lib/uml/modules/$(uname -r)/kernel
for m in ${MODULES.join(' ')}; do
  insmod "$modules/$m" >>"$W/init.log" 2>&1 || echo "insmod $m failed" >>"$W/init.log"
done
ip link set lo up
for n in vcan0 vcan1; do
  ip link add dev $n type vcan && ip link set $n mtu 72 && ip link set $n up
done >>"$W/init.log" 2>&1
if ip link show vcan0 >/dev/null 2>&1; then
  cd "$W" && sh "$W/script.sh" >"$W/output.log" 2>&1
  echo $? >"$W/exit"
else
  echo "vcan0 did not appear (are Debian's kmod and the UML modules installed?)" >>"$W/init.log"
  echo 125 >"$W/exit"
fi
sync
poweroff -f
`;
}

/**
 * Boots UML, runs `script` (sh) inside with vcan0 and vcan1 up, and resolves with its exit code,
 * its output and the contents of the files named in `collect` (what the guest wrote, '' when
 * missing). `files` are written into the work dir first; the script runs there (its path is
 * also in $W). Rejects when UML does not come up, or when the guest is not done by `timeoutMs`
 * (a safety net: the guest is then killed). The work dir is removed afterwards.
 */
export async function runInUml({ script, files = {}, collect = [], timeoutMs = 180_000, memoryMb = 1024 }) {
  const missing = umlMissing();
  if (missing) throw new Error(`User-Mode Linux cannot run: ${missing}`);
  const work = await mkdtemp(join(tmpdir(), 'bridge-can-uml-'));
  try {
    await writeFile(join(work, 'init.sh'), initScript(work));
    await chmod(join(work, 'init.sh'), 0o755);
    await writeFile(join(work, 'script.sh'), script);
    for (const [name, content] of Object.entries(files)) await writeFile(join(work, name), content);
    const args = [SECCOMP_LAUNCHER, 'linux.uml', `mem=${memoryMb}M`, 'rootfstype=hostfs', 'rw', `init=${join(work, 'init.sh')}`, `FB_UML_WORK=${work}`, 'quiet', 'con=null', 'con0=null,fd:1'];
    const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let console = '';
    const keepTail = (chunk) => {
      console = (console + chunk).slice(-8_000);
    };
    child.stdout.on('data', keepTail);
    child.stderr.on('data', keepTail);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // UML runs as a process group (its kernel and one host process per guest process).
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const status = await new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    clearTimeout(timer);
    const read = async (name) => (existsSync(join(work, name)) ? readFile(join(work, name), 'utf8') : '');
    const exitText = (await read('exit')).trim();
    const output = await read('output.log');
    const init = await read('init.log');
    if (timedOut) throw new Error(`the UML guest did not finish within ${timeoutMs} ms\n${output.slice(-3000)}`);
    if (exitText === '') {
      throw new Error(`User-Mode Linux stopped (code ${status.code}, signal ${status.signal}) before the script finished\n--- console ---\n${console.replace(/[^\x09\x0a\x20-\x7e]/g, '')}\n--- init ---\n${init}`);
    }
    const code = Number(exitText);
    if (code === 125) throw new Error(`the guest has no vcan0:\n${init}`);
    const collected = {};
    for (const name of collect) collected[name] = await read(name);
    return { code, output, init, files: collected };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
