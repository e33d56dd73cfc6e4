import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

/**
 * Browser tests against the real server (memory database, synthetic demo data) with Debian's Chromium:
 * no browser download is possible here. The web server command builds web/dist first when it is stale.
 */
const root = path.resolve(import.meta.dirname, '..');
const PORT = 3400;
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: path.join(root, 'test-results', 'e2e'),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'sv-SE',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: {
    command: 'node --import tsx e2e/build-web.ts && node --import tsx src/server.ts',
    cwd: root,
    url: `${baseURL}/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { DATABASE_URL: 'memory://', PORT: String(PORT), LOG_LEVEL: 'warn', NVF_MODE: 'demo', SEED: 'demo' },
  },
});
