// `npm run host:install`: installs what the real-host tests need, idempotently.
//   1. Debian packages (chromium, ripgrep, fonts, native build deps) - only those missing; apt is skipped when all are there.
//   2. code-server (pinned) into <repo>/.vscode-test/code-server-<version>/ - skipped when it already reports that version.
// Works offline (only the npm registry and Debian's mirrors) thanks to three workarounds:
//   A. @vscode/ripgrep's postinstall downloads rg from GitHub -> pre-seed its download cache with Debian's rg;
//   B. node-gyp must not download Node headers -> npm_config_nodedir=/usr (Debian's nodejs ships /usr/include/node);
//   C. node-pty's postinstall runs `npx node-gyp@…`, which refuses to install non-interactively -> npm_config_yes=true.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CODE_SERVER_BIN,
  CODE_SERVER_PREFIX,
  CODE_SERVER_VERSION,
  REPO_ROOT,
  cleanEnv,
  codeServerEnv,
  isMain,
  run,
  seconds,
} from './common.mjs';

/** Debian package -> a file that proves it is installed (cheap check before asking dpkg). */
const APT_PACKAGES = {
  chromium: '/usr/bin/chromium',
  ripgrep: '/usr/bin/rg',
  'fonts-liberation': '/usr/share/fonts/truetype/liberation',
  'libkrb5-dev': '/usr/include/krb5.h',
  'build-essential': '/usr/share/build-essential/essential-packages-list',
  'pkg-config': '/usr/bin/pkg-config',
};

// @vscode/ripgrep version pinned by code-server 4.100.3's lib/vscode npm-shrinkwrap.json, and the asset its postinstall wants.
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET_VERSION = 'v13.0.0-10';

function log(msg) {
  console.log(`[host:install] ${msg}`);
}

async function dpkgInstalled(pkg) {
  const r = await run('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], { capture: true, allowFail: true });
  return r.code === 0 && r.stdout.trim() === 'installed';
}

async function ensureAptPackages() {
  const missing = [];
  for (const [pkg, marker] of Object.entries(APT_PACKAGES)) {
    if (existsSync(marker) && (await dpkgInstalled(pkg))) continue;
    missing.push(pkg);
  }
  if (missing.length === 0) {
    log('apt: all packages present, skipped');
    return 'present';
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  if (sudo.length && !existsSync('/usr/bin/sudo')) {
    throw new Error(
      `missing Debian packages (${missing.join(' ')}) and not root: run  apt-get install -y ${missing.join(' ')}  as root`,
    );
  }
  const env = cleanEnv({ DEBIAN_FRONTEND: 'noninteractive' });
  const apt = async (...args) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    await run(cmd, rest, { env });
  };
  const t = Date.now();
  log(`apt: installing ${missing.join(' ')}`);
  await apt('update');
  await apt('install', '-y', ...missing);
  for (const pkg of missing) {
    if (!existsSync(APT_PACKAGES[pkg]))
      throw new Error(`apt-get install ${pkg} finished but ${APT_PACKAGES[pkg]} is still missing`);
  }
  log(`apt: installed ${missing.join(' ')} in ${seconds(Date.now() - t)}`);
  return 'installed';
}

export async function installedCodeServerVersion() {
  if (!existsSync(CODE_SERVER_BIN)) return null;
  const scratch = path.join(REPO_ROOT, '.vscode-test', 'tmp');
  mkdirSync(scratch, { recursive: true });
  const config = path.join(scratch, 'version-config.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const r = await run(CODE_SERVER_BIN, ['--config', config, '--version'], {
    capture: true,
    allowFail: true,
    env: codeServerEnv(scratch),
  });
  if (r.code !== 0) return null;
  // The first line is "4.100.3 <commit> with Code 1.100.3"; anything logged before it is ignored.
  const m = /^(\d+\.\d+\.\d+) \S+ with Code/m.exec(r.stdout);
  return m ? m[1] : null;
}

function ripgrepTarget() {
  const arch = process.env.npm_config_arch || os.arch();
  if (arch === 'x64') return 'x86_64-unknown-linux-musl';
  if (arch === 'arm64') return 'aarch64-unknown-linux-musl';
  throw new Error(`unsupported architecture for the ripgrep workaround: ${arch}`);
}

/** Workaround A: put Debian's rg into the exact tarball @vscode/ripgrep's postinstall looks for in its cache. */
async function seedRipgrepCache(tmpDir) {
  const rg = '/usr/bin/rg';
  if (!existsSync(rg)) throw new Error(`${rg} is missing (Debian package ripgrep)`);
  const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  mkdirSync(cacheDir, { recursive: true });
  const asset = path.join(cacheDir, `ripgrep-${RIPGREP_ASSET_VERSION}-${ripgrepTarget()}.tar.gz`);
  const staging = mkdtempSync(path.join(tmpDir, 'rg-stage-'));
  try {
    copyFileSync(rg, path.join(staging, 'rg'));
    await run('tar', ['-czf', asset, '-C', staging, 'rg'], { capture: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return asset;
}

function checkNodeHeaders() {
  const header = '/usr/include/node/node_version.h';
  if (!existsSync(header)) {
    throw new Error(
      `${header} is missing: workaround B (npm_config_nodedir=/usr) needs the Node headers of Debian's nodejs package`,
    );
  }
  const major = /#define NODE_MAJOR_VERSION (\d+)/.exec(readFileSync(header, 'utf8'))?.[1];
  const running = process.versions.node.split('.')[0];
  if (major !== running) {
    throw new Error(
      `/usr/include/node is for Node ${major} but this is Node ${process.versions.node}: native modules would not load`,
    );
  }
}

async function ensureCodeServer() {
  const have = await installedCodeServerVersion();
  if (have === CODE_SERVER_VERSION) {
    log(`code-server ${have} already installed in ${path.relative(REPO_ROOT, CODE_SERVER_PREFIX)}, skipped`);
    return 'present';
  }
  if (existsSync(CODE_SERVER_PREFIX)) {
    log(
      `code-server in ${CODE_SERVER_PREFIX} is ${have ? `version ${have}` : 'broken or incomplete'}: reinstalling from scratch`,
    );
    rmSync(CODE_SERVER_PREFIX, { recursive: true, force: true });
  }
  checkNodeHeaders();
  const tmpDir = path.join(REPO_ROOT, '.vscode-test', 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  const asset = await seedRipgrepCache(tmpDir);
  log(`seeded ripgrep cache: ${path.relative(REPO_ROOT, asset)}`);

  const t = Date.now();
  log(`npm install code-server@${CODE_SERVER_VERSION} (native builds; about 30-60 s)…`);
  const env = cleanEnv({
    TMPDIR: tmpDir, // @vscode/ripgrep looks for its cache in os.tmpdir()
    npm_config_nodedir: '/usr', // B
    npm_config_yes: 'true', // C
    npm_config_unsafe_perm: 'true', // code-server's postinstall.sh checks it when running as root
  });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await run(
      npm,
      [
        'install',
        '--prefix',
        CODE_SERVER_PREFIX,
        '--unsafe-perm',
        '--no-audit',
        '--no-fund',
        '--no-save',
        `code-server@${CODE_SERVER_VERSION}`,
      ],
      { env, cwd: CODE_SERVER_PREFIX },
    );
  } catch (err) {
    rmSync(CODE_SERVER_PREFIX, { recursive: true, force: true }); // never leave a half-installed copy behind
    throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed: ${err.message}`);
  }
  const now = await installedCodeServerVersion();
  if (now !== CODE_SERVER_VERSION) {
    throw new Error(
      `after npm install, ${CODE_SERVER_BIN} --version reports ${now ?? 'nothing'} instead of ${CODE_SERVER_VERSION}`,
    );
  }
  const rgBin = path.join(
    CODE_SERVER_PREFIX,
    'node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg',
  );
  if (!existsSync(rgBin)) throw new Error(`code-server installed but its ripgrep is missing (${rgBin})`);
  log(`code-server ${now} installed in ${seconds(Date.now() - t)}`);
  return 'installed';
}

/** Installs whatever is missing. Returns a short summary; throws with the reason on failure. */
export async function installHost() {
  const t = Date.now();
  const apt = await ensureAptPackages();
  const cs = await ensureCodeServer();
  const summary = `apt ${apt}, code-server ${CODE_SERVER_VERSION} ${cs}; took ${seconds(Date.now() - t)}`;
  log(`done: ${summary}`);
  return summary;
}

if (isMain(import.meta.url)) {
  installHost().catch((err) => {
    console.error(`[host:install] FAILED: ${err.message}`);
    process.exit(1);
  });
}
