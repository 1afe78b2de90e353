import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The release server is started on a throwaway SQLite database for every run.
const port = Number(process.env.TANDEM_E2E_PORT ?? 3107);
// Made once, in the main process; the test workers inherit it (the API tests read a token there).
const dataDir =
  process.env.TANDEM_E2E_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-e2e-'));
process.env.TANDEM_E2E_DATA_DIR = dataDir;
const bin = process.env.TANDEM_BIN ?? path.resolve(__dirname, '../target/release/tandem');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../target/site');

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: {
    command: `sh ./start-server.sh`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      TANDEM_BIN: bin,
      TANDEM_ADDR: `127.0.0.1:${port}`,
      TANDEM_DATA_DIR: dataDir,
      LEPTOS_SITE_ROOT: siteRoot,
      RUST_LOG: 'warn',
    },
  },
});
