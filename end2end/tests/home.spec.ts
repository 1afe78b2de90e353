import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ADMIN, CARE_MANAGER, signIn, waitForHydration, watchErrors } from './fixtures';

test('the home page is server-rendered, then hydrated: the phone menu opens', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/');

  await expect(page.locator('.brand__name')).toHaveText('Tandem');
  await expect(page.getByRole('heading', { level: 2, name: 'Please sign in' })).toBeVisible();

  await waitForHydration(page);
  // On a phone the navigation folds behind the Menu button, which only the wasm can work.
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('#primary-nav')).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('#primary-nav').getByRole('link', { name: 'Caseload' })).toBeVisible();

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
  await expect(nav.getByRole('link', { name: 'Caseload' })).toHaveAttribute('aria-current', 'page');
  await page.screenshot({ path: 'output/home-desktop.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('without JavaScript the page still works and the navigation stays open', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  await expect(page.locator('#primary-nav').getByRole('link', { name: 'Caseload' })).toBeVisible();
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

for (const path of ['/', '/login']) {
  test(`${path} has no serious accessibility violations`, async ({ page }) => {
    await page.goto(path);
    await waitForHydration(page);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
}

test('a care manager signs in, sees the patient list, signs out, and Back shows no patient data', async ({ page }) => {
  const errors = watchErrors(page);
  await signIn(page);
  await page.goto('/patients');
  await expect(page.getByRole('heading', { level: 1, name: 'Patients' })).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await page.screenshot({ path: 'output/patients-signed-in.png', fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
  await expect(page.getByText(CARE_MANAGER.name)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a wrong password shows one generic message', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email address').fill(CARE_MANAGER.email);
  await page.getByLabel('Password').fill('not the right one');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('The email address or password is incorrect.');
});

test('without JavaScript a form still posts: a refusal is shown on the page, and signing in works', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email address').fill(CARE_MANAGER.email);
  await page.getByLabel('Password').fill('not the right one');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\?/);
  await expect(page.getByRole('alert')).toContainText('The email address or password is incorrect.');

  await page.getByLabel('Email address').fill(CARE_MANAGER.email);
  await page.getByLabel('Password').fill(CARE_MANAGER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Caseload' })).toBeVisible();
  await expect(page.getByLabel('Account').getByText(CARE_MANAGER.name)).toBeVisible();
  await context.close();
});

test('the health check answers JSON', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe('ok');
  expect(body.database).toBe('sqlite');
});

test('an administrator creates a clinic and a user, changes a setting, and reads the audit log', async ({ page }) => {
  // One refused settings form (400) is part of the test.
  const errors = watchErrors(page, [400]);
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email address').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Account').getByText(ADMIN.name)).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/users$/);

  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Clinics' }).click();
  await page.getByLabel('Clinic name').fill('Second Synthetic Clinic');
  await page.getByRole('button', { name: 'Add clinic' }).click();
  await expect(page.getByRole('link', { name: 'Second Synthetic Clinic' })).toBeVisible();

  await page.getByRole('link', { name: 'Second Synthetic Clinic' }).click();
  await page.getByLabel('Not improving: weeks on the current plan').fill('2');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert')).toContainText('not_improving_weeks: must be 4–52 weeks');
  await page.getByLabel('Not improving: weeks on the current plan').fill('12');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toContainText('Settings saved.');

  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Users' }).click();
  await page.locator('#new-email').fill('pc@synthetic.example');
  await page.locator('#new-name').fill('Pat Consultant');
  await page.locator('#new-role').selectOption('psychiatric_consultant');
  await page.locator('#new-clinic-1').check();
  await page.getByLabel('Initial password (at least 12 characters)').fill('another synthetic phrase');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('row', { name: /Pat Consultant/ })).toBeVisible();
  await page.screenshot({ path: 'output/admin-users.png', fullPage: true });

  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('cell', { name: 'user.create' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'clinic_settings.update' }).first()).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  expect(errors).toEqual([]);
});
