import fs from 'node:fs';
import path from 'node:path';

/**
 * A lock file beside an embedded data directory: two processes on one PGlite directory corrupt it,
 * so the second one gets a clear error instead. A lock left by a dead process is taken over.
 */
export function acquireDirectoryLock(dataDir: string): () => void {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isFinite(holder) && processAlive(holder)) {
        throw new Error(
          `The database directory ${dataDir} is in use by process ${holder}. Stop that process first, ` +
            `or point DATA_DIR (or DATABASE_URL) at another directory.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale lock from a process that is gone
    }
  }
  throw new Error(`Could not lock ${dataDir}; remove ${lockPath} if no other process uses it.`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a PGlite data directory has been initialised completely (PG_VERSION is written by initdb). */
export function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}
