import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, waitForHydration, watchErrors } from './fixtures';

// Runs after home.spec.ts (one worker, files in name order): it enrolls a synthetic patient.

/** A local date `days` before today, as YYYY-MM-DD (the server uses the same local calendar). */
function daysAgo(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

/** Answers a questionnaire with the keyboard: a digit answers the focused item and moves on. */
async function typeAnswers(page: Page, prefix: string, answers: string) {
  await page.locator(`#${prefix}-i1-0`).focus();
  await page.keyboard.type(answers);
}

const ENROLLED_DAYS_AGO = 77; // 11 weeks

test('a care manager enrolls a patient, records scores, sees the not-improving flag, charts it and logs a contact', async ({ page }) => {
  const errors = watchErrors(page);
  await signIn(page);

  // The caseload is the home page.
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'My caseload' })).toBeVisible();
  await expectNoSeriousViolations(page);

  // Enroll with a baseline PHQ-9 of 18, answered by keyboard.
  await page.getByRole('link', { name: 'Enroll a patient' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Enroll a patient' })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel('Given name').fill('Pat');
  await page.getByLabel('Family name').fill('Journey');
  await page.getByLabel('MRN').fill('SYN-0001');
  await page.getByLabel('Birth date').fill('1980-04-02');
  await page.getByLabel('Enrollment date').fill(daysAgo(ENROLLED_DAYS_AGO));
  await typeAnswers(page, 'phq9', '333322110');
  await expect(page.getByTestId('phq9-total')).toHaveText('Total 18 of 27 · moderately severe');
  await page.getByRole('button', { name: 'Enroll' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  await expect(page).toHaveURL(/\/patients\/\d+$/);

  // Follow-up PHQ-9s at weeks 4, 8 and 11 that stay above 9.
  for (const [weeks, answers, total] of [
    [4, '222222220', 16],
    [8, '222222110', 14],
    [11, '222221110', 13],
  ] as const) {
    await page.getByRole('link', { name: 'Enter PHQ-9' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Enter PHQ-9' })).toBeVisible();
    await waitForHydration(page);
    await page.getByLabel('Date taken').fill(daysAgo(ENROLLED_DAYS_AGO - weeks * 7));
    await typeAnswers(page, 'answers', answers);
    await expect(page.getByTestId('answers-total')).toContainText(`Total ${total} of 27`);
    if (weeks === 4) {
      await expectNoSeriousViolations(page);
    }
    await page.getByRole('button', { name: 'Save PHQ-9' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Score history' }).getByRole('cell', { name: String(total), exact: true })).toBeVisible();
  }

  // The caseload shows the not-improving flag, and its explanation on demand.
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Caseload' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Journey, Pat' });
  await expect(row).toBeVisible();
  const chip = row.locator('details.chip--not_improving');
  await expect(chip).toBeVisible();
  await chip.locator('summary').click();
  await expect(chip.locator('.chip__why')).toContainText('PHQ-9 18 → 13');
  await expect(chip.locator('.chip__why')).toContainText('target ≥50% by week 10');
  await expectNoSeriousViolations(page);
  await page.screenshot({ path: 'output/caseload.png', fullPage: true });

  // The chart shows the trajectory SVG with its target line.
  await row.getByRole('link', { name: 'Journey, Pat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  const svg = page.locator('figure.trajectory svg[role="img"]');
  await expect(svg).toBeVisible();
  await expect(svg).toContainText('50% of baseline (9)');
  await expect(page.getByText('Not improving', { exact: false }).first()).toBeVisible();
  await waitForHydration(page);
  await expectNoSeriousViolations(page);

  // Log a contact; it appears in the contact log.
  await page.getByLabel('Type').selectOption('phone');
  await page.getByLabel('Minutes').fill('25');
  await page.getByLabel('Note (optional, 500 characters)').fill('Synthetic check-in call');
  await page.getByRole('button', { name: 'Log contact' }).click();
  const log = page.getByRole('region', { name: 'Contact log' });
  await expect(log.getByRole('cell', { name: 'Synthetic check-in call' })).toBeVisible();
  await expect(log.getByRole('cell', { name: 'Phone' })).toBeVisible();
  await page.screenshot({ path: 'output/chart.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a refused chart form keeps its input and says why in the form; saved, it empties and the log shows the contact', async ({ page }) => {
  const errors = watchErrors(page, [400]);
  await signIn(page);
  await page.goto('/caseload');
  await page.getByRole('row').filter({ hasText: 'Journey, Pat' }).getByRole('link', { name: 'Journey, Pat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  await waitForHydration(page);
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Log contact' }) });
  // The browser's own limit is bypassed to show the server's check.
  await form.getByLabel('Minutes').evaluate((el) => el.removeAttribute('max'));
  await form.getByLabel('Minutes').fill('999');
  await form.getByLabel('Note (optional, 500 characters)').fill('Synthetic long call');
  await form.getByRole('button', { name: 'Log contact' }).click();
  await expect(form.locator('#minutes-error')).toContainText('Minutes must be a whole number from 0 to 480.');
  await expect(form.getByRole('alert')).toContainText('There is a problem');
  await expect(form.getByLabel('Note (optional, 500 characters)')).toHaveValue('Synthetic long call');
  const log = page.getByRole('region', { name: 'Contact log' });
  await expect(log.getByRole('cell', { name: 'Synthetic long call' })).toHaveCount(0);

  await form.getByLabel('Minutes').fill('45');
  await form.getByRole('button', { name: 'Log contact' }).click();
  await expect(log.getByRole('cell', { name: 'Synthetic long call' })).toBeVisible();
  await expect(page.locator('#minutes-error')).toBeEmpty();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByLabel('Note (optional, 500 characters)')).toHaveValue('');
  expect(errors).toEqual([]);
});

test('item 9 above 0 shows the safety prompt at once, and a future date is refused with a field message', async ({ page }) => {
  const errors = watchErrors(page, [400]);
  await signIn(page);
  await page.goto('/caseload');
  await page.getByRole('row').filter({ hasText: 'Journey, Pat' }).getByRole('link', { name: 'Journey, Pat' }).click();
  await page.getByRole('link', { name: 'Enter PHQ-9' }).click();
  await waitForHydration(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await typeAnswers(page, 'answers', '111111111');
  await expect(page.getByRole('alert')).toContainText('Safety: item 9 is positive');
  // The browser's own date limit is bypassed to show the server's check.
  await page.getByLabel('Date taken').evaluate((el) => el.removeAttribute('max'));
  await page.getByLabel('Date taken').fill('2099-01-01');
  await page.getByRole('button', { name: 'Save PHQ-9' }).click();
  await expect(page.locator('#taken_on-error')).toContainText('cannot be in the future');
  await expect(page.getByTestId('answers-total')).toContainText('Total 9 of 27');
  expect(errors).toEqual([]);
});

test('a score is corrected with a reason, and the chart keeps the correction', async ({ page }) => {
  const errors = watchErrors(page, [400]);
  await signIn(page);
  await page.goto('/caseload');
  await page.getByRole('row').filter({ hasText: 'Journey, Pat' }).getByRole('link', { name: 'Journey, Pat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  // The newest score (13) is listed first.
  await page.getByRole('link', { name: 'Edit or delete' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Correct a PHQ-9 of Journey, Pat' })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByTestId('answers-total')).toHaveText('Total 13 of 27 · moderate');
  await typeAnswers(page, 'answers', '222222221');
  await expect(page.getByRole('alert')).toContainText('Safety: item 9 is positive');
  await typeAnswers(page, 'answers', '222222220');
  // Without a reason the server refuses and the form keeps the answers.
  await page.getByLabel('Reason for the correction (required)').evaluate((el) => el.removeAttribute('required'));
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.locator('#reason-error')).toContainText('Enter the reason for the change');
  await expect(page.getByTestId('answers-total')).toContainText('Total 16 of 27');
  await page.getByLabel('Reason for the correction (required)').fill('Answers entered for the wrong visit');
  await page.getByRole('button', { name: 'Save correction' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  await expect(page.locator('.corrections')).toContainText('(was 13)');
  await expect(page.locator('.corrections')).toContainText('Answers entered for the wrong visit');
  expect(errors).toEqual([]);
});
