import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { CONSULTANT, signIn, waitForHydration, watchErrors } from './fixtures';

// Runs after journey.spec.ts (one worker, files in name order): "Journey, Pat" is enrolled and not
// improving after 11 weeks. This file enrolls two more synthetic patients and runs one weekly
// case review from the care manager's preparation to the follow-through on its tasks.

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

function today(offsetDays = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function enroll(page: Page, given: string, family: string, mrn: string) {
  await page.goto('/patients/new');
  await waitForHydration(page);
  await page.getByLabel('Given name').fill(given);
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('MRN').fill(mrn);
  await page.getByLabel('Birth date').fill('1979-03-04');
  await page.getByLabel('Enrollment date').fill(today());
  await page.getByRole('button', { name: 'Enroll' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `${family}, ${given}` })).toBeVisible();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Account').getByRole('link', { name: 'Sign in' })).toBeVisible();
}

test('a weekly case review: manual flag, meeting mode, carry-forward and the care manager’s tasks', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);

  // The care manager enrolls two new patients (new patients wait for their first review) and
  // flags "Journey, Pat" for discussion with a reason.
  await signIn(page);
  await enroll(page, 'Alex', 'Review', 'SYN-0101');
  await enroll(page, 'Blake', 'Review', 'SYN-0102');
  await page.goto('/patients');
  await page.getByRole('link', { name: 'Journey, Pat' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journey, Pat' })).toBeVisible();
  await waitForHydration(page);
  await page.getByText('Discuss at the next review').click();
  await page.locator('#mark-reason').fill('Side effects at the higher dose');
  await page.getByRole('button', { name: 'Add to the review list' }).click();
  await expect(page.getByText(/To discuss at the next review .*: Side effects at the higher dose/)).toBeVisible();

  // The list shows why each patient is on it.
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Case review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Case review · Synthetic Clinic/ })).toBeVisible();
  const list = page.locator('ol.review-list > li');
  await expect(list).toHaveCount(3);
  await expect(list.nth(0)).toContainText('Journey, Pat');
  await expect(list.nth(0)).toContainText('Not improving');
  await expect(list.nth(0)).toContainText('Side effects at the higher dose');
  await expect(list.nth(1)).toContainText('Review, Alex');
  await expect(list.nth(2)).toContainText('Review, Blake');
  await expect(page.locator('svg.spark').first()).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.screenshot({ path: 'output/review-list.png', fullPage: true });
  await signOut(page);

  // The consultant lands on their home, which counts the patients flagged for the next meeting.
  await signIn(page, CONSULTANT);
  await expect(page).toHaveURL(/\/upcoming$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Upcoming case reviews' })).toBeVisible();
  await expect(page.getByText('3 flagged')).toBeVisible();
  await page.getByRole('link', { name: 'Open the list' }).click();
  await expect(page.locator('ol.review-list > li')).toHaveCount(3);
  await waitForHydration(page);
  await page.getByLabel('Attendees').fill('Robin Consultant, Casey Synthetic');
  await page.getByRole('button', { name: 'Start meeting' }).click();

  // Meeting mode: one patient at a time, "1 of 3".
  await expect(page).toHaveURL(/\/meetings\/\d+/);
  await expect(page.getByText('1 of 3')).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 2, name: /Journey, Pat/ })).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.getByLabel('Type', { exact: true }).selectOption('increase_dose');
  await page.getByLabel('Details', { exact: true }).fill('Sertraline 100 → 150 mg');
  await page.getByRole('button', { name: 'Record and mark reviewed' }).click();
  await expect(page.getByText('Reviewed at this meeting')).toBeVisible();

  // Next patient by keyboard.
  await page.getByRole('heading', { level: 1 }).click();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByText('2 of 3')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: /Review, Alex/ })).toBeVisible();
  await page.getByLabel('Type', { exact: true }).selectOption('psychotherapy');
  await page.getByLabel('Details', { exact: true }).fill('Refer for behavioural activation');
  await page.getByRole('button', { name: 'Record and mark reviewed' }).click();
  await expect(page.getByText('Reviewed at this meeting')).toBeVisible();
  await expect(page.getByText('2 reviewed')).toBeVisible();
  // The form is empty again, so the same recommendation is not recorded twice by accident.
  await expect(page.getByLabel('Details', { exact: true })).toHaveValue('');
  await page.screenshot({ path: 'output/meeting-mode.png', fullPage: true });

  // Blake is not reached; ending the meeting records who was reviewed and who carries forward.
  await page.getByRole('button', { name: 'End meeting' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Meeting record/ })).toBeVisible();
  await expect(page.getByText('Attendees: Robin Consultant, Casey Synthetic')).toBeVisible();
  const blake = page.getByRole('row').filter({ hasText: 'Review, Blake' });
  await expect(blake.getByRole('cell', { name: 'Not reached' })).toBeVisible();
  const pat = page.getByRole('row').filter({ hasText: 'Journey, Pat' });
  await expect(pat).toContainText('Increase dose: Sertraline 100 → 150 mg');

  // The following week's list shows Blake carried forward.
  const meetingDate = await page.getByRole('heading', { level: 1 }).innerText();
  const day = meetingDate.match(/(\d{4}-\d{2}-\d{2})/)?.[1] ?? today();
  const next = new Date(`${day}T12:00:00`);
  next.setDate(next.getDate() + 7);
  const pad = (n: number) => String(n).padStart(2, '0');
  await page.goto(`/review?date=${next.getFullYear()}-${pad(next.getMonth() + 1)}-${pad(next.getDate())}`);
  const carried = page.locator('ol.review-list > li').filter({ hasText: 'Review, Blake' });
  await expect(carried.getByText('Carried 1 week')).toBeVisible();
  await expect(page.locator('ol.review-list > li').filter({ hasText: 'Review, Alex' })).toHaveCount(0);
  await signOut(page);

  // The care manager sees the two recommendations as tasks and completes one.
  await signIn(page);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Tasks' }).click();
  const tasks = page.locator('ul.tasks > li');
  await expect(tasks).toHaveCount(2);
  await waitForHydration(page);
  const dose = tasks.filter({ hasText: 'Increase dose' });
  await expect(dose.getByLabel(/Treatment change to record/)).toHaveValue('Increase dose: Sertraline 100 → 150 mg');
  await dose.getByRole('button', { name: 'Done' }).click();
  await expect(tasks).toHaveCount(1);
  await expect(tasks.first()).toContainText('Add or refer psychotherapy');

  // The chart keeps the review history and the treatment change the task recorded.
  await page.goto('/patients');
  await page.getByRole('link', { name: 'Journey, Pat' }).click();
  const reviews = page.getByRole('region', { name: 'Psychiatric case review' });
  await expect(reviews).toContainText('Increase dose: Sertraline 100 → 150 mg · Done');
  expect(errors).toEqual([]);
});
