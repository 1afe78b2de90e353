import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { LEAD, signIn, waitForHydration, watchErrors } from './fixtures';

// Runs after journey.spec.ts (one worker, files in name order), so the clinic has "Journey, Pat"
// with a baseline and follow-up scores. Reads only; changes nothing the later files rely on.

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

test('a clinic lead reads the overview, filters the outcome charts, and opens quality and billing', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await signIn(page, LEAD);
  await expect(page).toHaveURL(/\/reports$/);
  await expect(page.getByRole('heading', { level: 1, name: /Programme overview/ })).toBeVisible();
  for (const label of ['Enrolled', 'Active', 'Response rate', 'Remission rate', 'Median weeks to response', 'Share reviewed']) {
    await expect(page.locator('.headline dt', { hasText: label })).toBeVisible();
  }

  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Outcomes' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Outcomes/ })).toBeVisible();
  await waitForHydration(page);
  const charts = page.locator('.dashboard-chart svg[role="img"]');
  await expect(charts).toHaveCount(7);
  await expect(page.getByRole('img', { name: 'Mean PHQ-9 by week in treatment' })).toBeVisible();
  const selection = page.locator('#selection');
  await expect(selection).toContainText(/\d+ patients? enrolled/);
  await expect(selection).not.toContainText('treated for anxiety');
  await expect(page.locator('#caseload .chart-summary')).toContainText('open patients');

  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.screenshot({ path: '../docs/screenshots/outcomes.png', fullPage: false });

  // The numbers behind a chart, on the page.
  await page.locator('#mean-by-week').getByText('Show data').click();
  await expect(page.locator('#mean-by-week table')).toBeVisible();
  await expect(page.locator('#mean-by-week table thead')).toContainText('Mean PHQ-9');
  await page.screenshot({ path: 'output/outcomes.png', fullPage: true });
  await expectNoSeriousViolations(page);

  // The page is drawn on the server; its Print button still prints (the browser's dialog is
  // stubbed here).
  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => { (window as unknown as { printed: number }).printed += 1; };
  });
  await page.getByRole('button', { name: 'Print' }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

  // Change a filter: the charts are recomputed for the new selection.
  await page.getByLabel('Target condition').selectOption('anxiety');
  await page.getByRole('button', { name: 'Update charts' }).click();
  await expect(page).toHaveURL(/target=anxiety/);
  await expect(selection).toContainText('treated for anxiety');
  await expect(charts).toHaveCount(7);
  await expect(page.getByLabel('Target condition')).toHaveValue('anxiety');

  const csv = page.locator('#caseload').getByRole('link', { name: 'Download CSV' });
  await expect(csv).toHaveAttribute('href', /\/reports\/outcomes\.csv\?chart=caseload&.*target=anxiety/);

  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Quality measures' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Quality measures/ })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: /Depression remission at 12 months/ })).toBeVisible();
  await expect(page.getByText('Rates are numerator')).toBeVisible();

  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Billing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /CoCM billing/ })).toBeVisible();
  await expect(page.locator('.billing-totals')).toContainText('Patients in care');
  expect(errors).toEqual([]);
});
