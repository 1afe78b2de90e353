import { expect, Page } from '@playwright/test';

/** The synthetic care manager that start-server.sh creates. */
export const CARE_MANAGER = {
  email: 'cm@synthetic.example',
  password: 'synthetic pass phrase',
  name: 'Casey Synthetic',
};

/** The synthetic psychiatric consultant that start-server.sh creates. */
export const CONSULTANT = {
  email: 'psy@synthetic.example',
  password: 'synthetic consultant phrase',
  name: 'Robin Consultant',
};

/** The synthetic clinic lead that start-server.sh creates. */
export const LEAD = {
  email: 'lead@synthetic.example',
  password: 'synthetic lead phrase',
  name: 'Lee Lead',
};

/** The synthetic administrator that start-server.sh creates. */
export const ADMIN = {
  email: 'admin@synthetic.example',
  password: 'synthetic admin phrase',
  name: 'Alex Admin',
};

/** Collects console errors and uncaught exceptions, which must stay empty. A 401 answer is
 * expected after signing out (the page asks for data and is told to sign in), and a test that
 * submits bad input on purpose names the statuses it expects. */
export function watchErrors(page: Page, expectedStatuses: number[] = []): string[] {
  const errors: string[] = [];
  const expected = [401, ...expectedStatuses].map((s) => `status of ${s}`);
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected.some((e) => m.text().includes(e))) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** The layout sets data-hydrated once the wasm bundle has taken over the page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('.app[data-hydrated="true"]')).toBeAttached({ timeout: 20_000 });
}

export async function signIn(page: Page, who: { email: string; password: string; name: string } = CARE_MANAGER) {
  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Account').getByText(who.name)).toBeVisible();
}
