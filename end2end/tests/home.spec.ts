import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Collects console errors and uncaught exceptions, which must stay empty. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** The layout sets data-hydrated once the wasm bundle has taken over the page. */
async function waitForHydration(page: Page) {
  await expect(page.locator('.app[data-hydrated="true"]')).toBeAttached({ timeout: 20_000 });
}

test('the home page is server-rendered, then hydrated: the phone menu opens', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/');

  await expect(page.locator('.brand__name')).toHaveText('Tandem');
  await expect(page.getByRole('heading', { level: 2, name: 'No patients enrolled yet' })).toBeVisible();

  await waitForHydration(page);
  // On a phone the navigation folds behind the Menu button, which only the wasm can work.
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('#primary-nav')).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('#primary-nav').getByRole('link', { name: 'Patients' })).toBeVisible();

  await page.screenshot({ path: 'output/home-phone.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('on a wide screen the navigation is always shown and the page has no console errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
  const nav = page.getByRole('navigation', { name: 'Primary' });
  await expect(nav.getByRole('link', { name: 'Patients' })).toHaveAttribute('aria-current', 'page');
  await page.screenshot({ path: 'output/home-desktop.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('without JavaScript the page still works and the navigation stays open', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  await expect(page.locator('#primary-nav').getByRole('link', { name: 'Patients' })).toBeVisible();
  await context.close();
});

test('the skip link moves keyboard focus to the main content', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('the home page has no serious accessibility violations', async ({ page }) => {
  await page.goto('/');
  await waitForHydration(page);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('the health check answers JSON', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe('ok');
  expect(body.database).toBe('sqlite');
});
