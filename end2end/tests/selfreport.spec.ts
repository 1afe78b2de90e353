import { test, expect, devices, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, waitForHydration, watchErrors } from './fixtures';

// A care manager makes a self-report link; the patient answers on a phone (device emulation)
// with item 9 = 1 and sees the crisis resources; the care manager sees the score, the safety flag
// and the notice, and copies the EHR summary.

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

/** Answers the question on screen and continues. */
async function choose(page: Page, label: string | null) {
  if (label !== null) {
    await page.getByLabel(label, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Continue' }).click();
}

const ANSWERS = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];

test('a patient answers a self-report link on a phone and the care manager sees the score and the safety flag', async ({ page, browser }) => {
  // Two people, sixteen answers and nine accessibility scans: 20-25 s on two cores, close to the
  // 30 s every test gets, so this one gets three times that.
  test.slow();
  const errors = watchErrors(page);
  await signIn(page);

  // A synthetic patient, enrolled with a baseline PHQ-9.
  await page.goto('/patients/new');
  await waitForHydration(page);
  await page.getByLabel('Given name').fill('Robin');
  await page.getByLabel('Family name').fill('Selfreport');
  await page.getByLabel('MRN').fill('SYN-SR01');
  await page.getByLabel('Birth date').fill('1985-06-15');
  await page.locator('#phq9-i1-0').focus();
  await page.keyboard.type('222222220');
  await page.getByRole('button', { name: 'Enroll' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Selfreport, Robin' })).toBeVisible();

  // The care manager makes a link for the PHQ-9 and GAD-7.
  await page.getByRole('link', { name: 'Self-report link' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Self-report · Selfreport, Robin' })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Create link' }).click();
  const url = await page.getByTestId('self-report-url').inputValue();
  expect(url).toMatch(/\/r\/[0-9a-f]{40}$/);
  await expect(page.locator('figure.qr svg')).toBeVisible();
  await expect(page.getByTestId('self-report-links')).toContainText('Sent');
  await expectNoSeriousViolations(page);

  // The patient, on a phone.
  const phone = await browser.newContext({ ...devices['Pixel 7'] });
  const p = await phone.newPage();
  const patientErrors = watchErrors(p, [400, 403]);
  await p.goto(url);
  await expect(p.getByRole('heading', { level: 1, name: 'Answer your questionnaire' })).toBeVisible();
  await expect(p.locator('body')).not.toContainText('Robin');
  await expectNoSeriousViolations(p);
  // A wrong birth date first: the same message as any other failure, and no name.
  await p.getByLabel('Day').fill('15');
  await p.getByLabel('Month').fill('6');
  await p.getByLabel('Year').fill('1986');
  await p.getByRole('button', { name: 'Continue' }).click();
  await expect(p.getByRole('alert')).toContainText('could not open your questionnaire');
  await expectNoSeriousViolations(p);
  await p.getByLabel('Year').fill('1985');
  await p.getByLabel('Day').fill('15');
  await p.getByLabel('Month').fill('6');
  await p.getByRole('button', { name: 'Continue' }).click();

  // One question per screen, with answers large enough to tap.
  await expect(p.getByText('Hello Robin.')).toBeVisible();
  await expect(p.getByText('Question 1 of 17')).toBeVisible();
  const box = await p.locator('.patient-answer label').first().boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  await expectNoSeriousViolations(p);
  await p.screenshot({ path: 'output/self-report-question.png' });
  for (let item = 1; item <= 8; item++) {
    await expect(p.getByText(`Question ${item} of 17`)).toBeVisible();
    await choose(p, ANSWERS[1]);
  }
  // Item 9 answered "Several days": the crisis resources show at once.
  await expect(p.getByRole('heading', { name: /better off dead/ })).toBeVisible();
  await choose(p, ANSWERS[1]);
  const crisis = p.getByTestId('crisis');
  await expect(crisis).toBeVisible();
  await expect(crisis).toContainText('988');
  await expect(crisis.getByRole('link', { name: 'Call 988' })).toHaveAttribute('href', 'tel:988');
  await expectNoSeriousViolations(p);
  await p.screenshot({ path: 'output/self-report-crisis.png', fullPage: true });
  // The difficulty question may be skipped; then the GAD-7.
  await choose(p, null);
  for (let item = 1; item <= 7; item++) {
    await choose(p, ANSWERS[2]);
  }
  await expect(p.getByRole('heading', { level: 1, name: 'Check your answers' })).toBeVisible();
  await expectNoSeriousViolations(p);
  await p.getByRole('button', { name: 'Send my answers' }).click();
  await expect(p.getByRole('heading', { level: 1, name: 'Your answers have been sent' })).toBeVisible();
  await expect(p.getByTestId('crisis')).toContainText('988');
  await expectNoSeriousViolations(p);
  // The link works once.
  await p.goto(url);
  await expect(p.getByRole('heading', { level: 1, name: 'Answer your questionnaire' })).toBeVisible();
  expect(patientErrors).toEqual([]);
  await phone.close();

  // The care manager: the notice heads the caseload, the row says a self-report arrived.
  await page.goto('/caseload');
  await waitForHydration(page);
  const notices = page.getByTestId('safety-notices');
  await expect(notices).toContainText('Selfreport, Robin');
  const row = page.getByRole('row').filter({ hasText: 'Selfreport, Robin' });
  await expect(row).toContainText('Self-report received');
  await expect(row).toContainText('Safety');
  await expectNoSeriousViolations(page);
  await notices.getByRole('button', { name: 'Mark seen' }).click();
  await expect(page.getByTestId('safety-notices')).toHaveCount(0);

  // The link is completed, and the EHR summary names the self-report.
  await row.getByRole('link', { name: 'Selfreport, Robin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Selfreport, Robin' })).toBeVisible();
  await page.getByRole('link', { name: 'EHR summary' }).click();
  await expect(page.getByTestId('ehr-summary')).toContainText(' 9  mild (patient self-report, item 9 positive)');
  await expect(page.getByTestId('ehr-summary')).toContainText('14  moderate (baseline, patient self-report)');
  await expect(page.getByTestId('ehr-summary')).toContainText('Safety:');
  await waitForHydration(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('copy-summary').click();
  await expect(page.getByTestId('copy-status')).toContainText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('Collaborative care (behavioral health) summary');
  // What is copied is the text the page shows, exactly.
  expect(copied).toBe(await page.getByTestId('ehr-summary').textContent());
  await expectNoSeriousViolations(page);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: 'output/ehr-summary-print.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  expect(errors).toEqual([]);
});
