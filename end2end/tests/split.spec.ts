import { test, expect, Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN, CARE_MANAGER, CONSULTANT, LEAD, signIn, waitForHydration, watchErrors } from './fixtures';

// Runs after journey.spec.ts (one worker, files in name order), so the caseload has patients.
// `make build` splits the wasm by area of screens (app/src/routes.rs); `make bundle` prints the
// sizes. This checks that a browser fetches an area's code only when one of its screens opens.

/** The areas whose modules the page has fetched so far, from the wasm requests it made. */
function watchAreas(page: Page): Set<string> {
  const areas = new Set<string>();
  page.on('request', (r) => {
    const file = new URL(r.url()).pathname.split('/').pop() ?? '';
    // `split_chart_area_3.<hash>.wasm`: a release build names its files by their content.
    const area = /^split_(\w+?)_area_\d+(\.[\w-]{22})?\.wasm$/.exec(file);
    if (area) areas.add(area[1]);
    else if (file.endsWith('.wasm') && !file.startsWith('chunk_')) areas.add('main');
  });
  return areas;
}

test('each area of screens is fetched when one of its screens first opens, and works', async ({ page }) => {
  const errors = watchErrors(page);
  const areas = watchAreas(page);

  await page.goto('/login');
  await waitForHydration(page);
  expect([...areas].sort()).toEqual(['main', 'sign_in']);

  await page.getByLabel('Email address').fill(CARE_MANAGER.email);
  await page.getByLabel('Password').fill(CARE_MANAGER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My caseload' })).toBeVisible();
  await expect(page).toHaveTitle('Caseload · Tandem');
  expect([...areas].sort()).toEqual(['caseload', 'main', 'sign_in']);

  // The patient list is in the caseload's area: nothing more to fetch.
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'All patients' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  expect([...areas].sort()).toEqual(['caseload', 'main', 'sign_in']);

  // A chart brings its own area, and its controls work once it has arrived.
  await page.getByRole('link', { name: 'Journey, Pat' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  expect(areas.has('chart')).toBe(true);
  await page.getByRole('link', { name: 'Enter PHQ-9' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Enter PHQ-9' })).toBeVisible();
  await expect(page).toHaveTitle('Enter PHQ-9 · Tandem');

  // A full load of a chart preloads its area beside the main module, and nothing else.
  areas.clear();
  await page.reload();
  await waitForHydration(page);
  expect([...areas].sort()).toEqual(['chart', 'main']);
  expect(errors).toEqual([]);
});

// The view layer hydrates synchronously (vendor/README.md), so the browser loads the code of a
// page's area, which the page names (`data-area`), before it hydrates the page (app::hydrate).
// Without that, a full load of any screen would stop with nothing working.
test('a full load of a screen in any area loads that area first, then hydrates', async ({ page }) => {
  // The not-found page answers 404, which the browser reports.
  const errors = watchErrors(page, [404]);
  const areas = watchAreas(page);
  const screens = [
    { who: CARE_MANAGER, path: '/tasks', area: 'caseload' },
    { who: CARE_MANAGER, path: '/patients/new', area: 'chart' },
    { who: CARE_MANAGER, path: '/patients/import', area: 'import' },
    { who: CONSULTANT, path: '/review', area: 'review' },
    { who: LEAD, path: '/reports/quality', area: 'reports' },
    { who: ADMIN, path: '/admin/clinics', area: 'admin' },
  ];
  for (const { who, path, area } of screens) {
    await page.context().clearCookies();
    await signIn(page, who);
    areas.clear();
    await page.goto(path);
    await expect(page.locator(`main [data-area="${area}_area"]`)).toBeAttached();
    await waitForHydration(page);
    expect([...areas].sort(), path).toEqual([area, 'main'].sort());
  }
  // A page that no route matches names no area, and hydrates straight away.
  areas.clear();
  await page.goto('/no-such-screen');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await waitForHydration(page);
  expect([...areas]).toEqual(['main']);
  expect(errors).toEqual([]);
});

// The split moves an area's constants (its strings and tables) into the area's modules, with its
// code, unless they no longer fit where the linker put them, when every constant silently stays
// in the main module (app/src/lib.rs, SPLIT_DATA_ROOM). The built files show which happened.
test("an area's text is in its own module, not in the main module every page downloads", () => {
  const pkg = join(process.env.LEPTOS_SITE_ROOT ?? join(__dirname, '../../target/site'), 'pkg');
  const modules = readdirSync(pkg).filter((f) => f.endsWith('.wasm'));
  const main = modules.find((f) => !f.startsWith('split_') && !f.startsWith('chunk_'));
  expect(main).toBeDefined();
  const holding = (text: string) => modules.filter((f) => readFileSync(join(pkg, f)).includes(text));
  // Said only by the patient chart's page (app/src/pages/chart/mod.rs).
  for (const text of ['Loading the chart…', 'The chart could not be loaded']) {
    expect(holding(text), text).not.toContain(main);
    expect(holding(text).length, text).toBeGreaterThan(0);
    expect(holding(text).every((f) => f.startsWith('split_chart_area_')), `${text}: ${holding(text)}`).toBe(true);
  }
  // Drawn on the server (app/src/pages/chart/sections.rs, app/src/pages/reports/sections.rs): in
  // no module at all.
  for (const text of ['Scores of this episode, the data of the trajectory chart', 'No criterion for case management is met.', 'Care-manager minutes per patient']) {
    expect(holding(text), text).toEqual([]);
  }
});

// A page loaded before an upgrade asks for its own build's modules, whose hashed names the new
// build does not serve (a lost connection does the same). The page reloads once and so gets the
// code of the build now served, instead of staying on screen with nothing working.
test('a screen whose code cannot be fetched reloads the page, which then works', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'All patients' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  await waitForHydration(page);
  let loads = 0;
  page.on('load', () => (loads += 1));
  // The chart's area is not loaded yet; the first request for it finds nothing.
  let refused = 0;
  await page.route(
    /\/pkg\/split_chart_area_\d+[.\w-]*\.wasm$/,
    (route) => {
      refused += 1;
      return route.fulfill({ status: 404, body: 'not in this build' });
    },
    { times: 1 },
  );
  const failures: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') failures.push(m.text());
  });

  await page.getByRole('link', { name: 'Journey, Pat' }).first().click();
  await expect.poll(() => loads).toBe(1);
  expect(refused).toBe(1);
  expect(failures.join('\n')).toContain('load callback should succeed');
  // The address had not changed yet, so the page reloaded is the list the link was on, now with
  // the current build's code: the link works.
  await expect(page).toHaveURL(/\/patients$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Journey, Pat' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  await page.getByRole('link', { name: 'Enter PHQ-9' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Enter PHQ-9' })).toBeVisible();
  expect(loads).toBe(1);
});
