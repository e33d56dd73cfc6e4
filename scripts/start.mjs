#!/usr/bin/env node
// npm start: build the web app if it is missing or older than its sources, then run the server.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'web', 'dist', 'index.html');

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    const st = fs.statSync(path.join(dir, String(f)));
    if (st.isFile()) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

const sources = Math.max(newestMtime(path.join(root, 'web', 'src')), newestMtime(path.join(root, 'content')));
if (fs.existsSync(path.join(root, 'web', 'src')) && (!fs.existsSync(dist) || fs.statSync(dist).mtimeMs < sources)) {
  console.log('[nvf] building the web app …');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(root, 'src', 'server.ts')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
