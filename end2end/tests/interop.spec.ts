import { test, expect, APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ADMIN, signIn, waitForHydration, watchErrors } from './fixtures';
import * as fs from 'fs';
import * as path from 'path';
import { Fhir } from 'fhir';
import { Validator } from '@seriousme/openapi-schema-validator';

// The JSON API and FHIR driven like an interface would, with the API token that start-server.sh
// made for the interface clinic's care manager. Every FHIR resource Tandem emits is checked by a
// maintained FHIR R4 library, and the OpenAPI document by the OpenAPI schema validator.

const token = (name = 'api-token') =>
  fs.readFileSync(path.join(process.env.TANDEM_E2E_DATA_DIR ?? '', name), 'utf8').trim();

const fhir = new Fhir();

/** Structure errors the FHIR library finds in a resource (terminology notes are not errors). */
function fhirErrors(resource: unknown): string[] {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  return result.messages
    .filter((m: { severity?: string }) => m.severity === 'error')
    .map((m: { location?: string; message?: string }) => `${m.location}: ${m.message}`);
}

function daysAgo(n: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

async function json(api: APIRequestContext, method: 'GET' | 'POST', url: string, data?: unknown) {
  const res = await api.fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
    data: data === undefined ? undefined : JSON.stringify(data),
  });
  return { status: res.status(), type: res.headers()['content-type'], body: await res.json() };
}

test('the validators refuse broken documents (so that a pass means something)', async () => {
  expect(fhirErrors({ resourceType: 'Observation', status: 'final', valueInteger: 'x' })).not.toEqual([]);
  expect(fhirErrors({ resourceType: 'Patient', name: 'not a list', shoeSize: 9 })).not.toEqual([]);
  const broken = await new Validator().validate({ openapi: '3.1.0', paths: { '/x': { get: { responses: 7 } } } });
  expect(broken.valid).toBe(false);
});

test('the OpenAPI document is a valid OpenAPI document', async ({ request }) => {
  const res = await request.get('/api/v1/openapi.json');
  expect(res.status()).toBe(200);
  const doc = await res.json();
  const result = await new Validator().validate(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(Object.keys(doc.paths)).toContain('/api/v1/patients/{id}/measurements');
});

test('an interface enrolls, scores and reads back a patient as valid FHIR R4', async ({ request }) => {
  const clinics = await json(request, 'GET', '/api/v1/clinics');
  expect(clinics.status).toBe(200);
  const clinic = clinics.body.find((c: { name: string }) => c.name === 'Interface Clinic');
  expect(clinic).toBeTruthy();
  const created = await json(request, 'POST', '/api/v1/patients', {
    clinic_id: clinic.id,
    mrn: `IF-${Date.now()}`,
    given_name: 'Iris',
    family_name: 'Interface',
    birth_date: '1984-07-09',
    enrolled_on: daysAgo(70),
  });
  expect(created.status).toBe(201);
  const id = created.body.id;
  const score = await json(request, 'POST', `/api/v1/patients/${id}/measurements`, {
    instrument: 'PHQ-9',
    taken_on: daysAgo(70),
    items: [3, 2, 2, 2, 2, 2, 1, 1, 0],
    difficulty: 'very',
  });
  expect(score.status).toBe(201);
  expect(score.body.total).toBe(15);

  const codes = ['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'];
  const answers = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
  const qr = {
    resourceType: 'QuestionnaireResponse',
    questionnaire: 'http://loinc.org/q/69737-5',
    status: 'completed',
    subject: { reference: `Patient/${id}` },
    authored: `${daysAgo(14)}T09:30:00Z`,
    item: codes.map((c, i) => ({
      linkId: c,
      answer: [{ valueCoding: { system: 'http://loinc.org', code: answers[i % 4] } }],
    })),
  };
  expect(fhirErrors(qr)).toEqual([]);
  const posted = await json(request, 'POST', '/fhir/r4/QuestionnaireResponse', qr);
  expect(posted.status).toBe(201);
  expect(posted.type).toContain('application/fhir+json');
  expect(fhirErrors(posted.body)).toEqual([]);

  const patient = await json(request, 'GET', `/fhir/r4/Patient/${id}`);
  const identifier = patient.body.identifier[0];
  expect(identifier.system).toBe(`urn:tandem:clinic:${clinic.id}:mrn`);
  const reads = [
    '/fhir/r4/metadata',
    `/fhir/r4/Patient/${id}`,
    `/fhir/r4/Patient?identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`,
    `/fhir/r4/Observation?patient=${id}&code=http://loinc.org|44261-6`,
    `/fhir/r4/Observation?patient=${id}`,
    `/fhir/r4/QuestionnaireResponse?patient=${id}`,
    `/fhir/r4/Observation`,
    `/fhir/r4/QuestionnaireResponse/${posted.body.id}`,
  ];
  for (const url of reads) {
    const res = await json(request, 'GET', url);
    expect(res.type, url).toContain('application/fhir+json');
    expect(fhirErrors(res.body), url).toEqual([]);
    if (res.body.resourceType === 'Bundle') {
      for (const entry of res.body.entry) {
        expect(fhirErrors(entry.resource), url).toEqual([]);
      }
    }
  }
  const search = await json(request, 'GET', reads[2]);
  expect(search.body.total).toBe(1);
  const phq = await json(request, 'GET', reads[3]);
  const observation = await json(request, 'GET', new URL(phq.body.entry[0].fullUrl).pathname);
  expect(observation.status).toBe(200);
  expect(fhirErrors(observation.body)).toEqual([]);
  expect(phq.body.entry.map((e: { resource: { valueInteger: number } }) => e.resource.valueInteger)).toEqual([15]);
  const items = await json(request, 'GET', reads[5]);
  expect(items.body.total).toBe(2);
  const error = await json(request, 'GET', '/fhir/r4/Observation');
  expect(error.status).toBe(400);
  expect(error.body.resourceType).toBe('OperationOutcome');

  const chart = await json(request, 'GET', `/api/v1/patients/${id}`);
  expect(chart.status).toBe(200);
  expect(chart.body.metrics.baseline.total).toBe(15);
});

test('an administrator sees the API tokens and revokes one, which stops working at once', async ({ page, request }) => {
  const errors = watchErrors(page);
  const revocable = token('api-token-revocable');
  const before = await request.get('/api/v1/clinics', { headers: { Authorization: `Bearer ${revocable}` } });
  expect(before.status()).toBe(200);
  await signIn(page, ADMIN);
  await page.goto('/admin/users');
  const table = page.getByRole('table', { name: 'API tokens' });
  await expect(table).toContainText('Browser tests');
  await expect(table).toContainText('api@synthetic.example');
  // The token itself is never shown, only its first characters.
  await expect(table).not.toContainText(revocable);
  await expect(table.getByRole('row', { name: /Revocable token/ })).toContainText(revocable.slice(0, 15));
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => v.id)).toEqual([]);
  await table.getByRole('button', { name: 'Revoke token Revocable token' }).click();
  await expect(table.getByRole('row', { name: /Revocable token/ })).toContainText('Revoked');
  await expect(table.getByRole('row', { name: /Browser tests/ })).toContainText('Active');
  const after = await request.get('/api/v1/clinics', { headers: { Authorization: `Bearer ${revocable}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe('unauthenticated');
  expect(errors).toEqual([]);
});

const INTERFACE_CM = { email: 'api@synthetic.example', password: 'synthetic interface phrase', name: 'Ivy Interface' };

test('a care manager checks a spreadsheet, fixes it, imports it, and downloads the scores', async ({ page }) => {
  // The first check is refused on purpose (422).
  const errors = watchErrors(page, [422]);
  await signIn(page, INTERFACE_CM);
  await page.goto('/patients/import');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Import and export' })).toBeVisible();
  const bad = [
    'mrn,given_name,family_name,birth_date,enrolled_on,baseline_phq9,followup_1_date,followup_1_phq9',
    `SHEET-1,Sasha,Sheet,1981-04-05,${daysAgo(60)},17,${daysAgo(30)},11`,
    `SHEET-2,Sol,Sheet,05/06/1982,${daysAgo(50)},30,,`,
  ].join('\n');
  await page.getByLabel('CSV file').setInputFiles({ name: 'tracking.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const text = page.getByLabel(/cells pasted from the spreadsheet/);
  await expect(text).toHaveValue(bad);
  await page.getByRole('button', { name: 'Check the file' }).click();
  const problems = page.getByRole('alert').filter({ hasText: 'problems to fix' });
  await expect(problems).toContainText('2 problems to fix; nothing was imported');
  await expect(problems.getByRole('row', { name: /birth_date/ })).toContainText('YYYY-MM-DD');
  await expect(problems.getByRole('row', { name: /baseline_phq9/ })).toContainText('0 to 27');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await text.fill(bad.replace('05/06/1982', '1982-06-05').replace(',30,,', ',21,,'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'patients with' })).toContainText(
    '2 patients with 3 scores (one row per patient, as a tracking spreadsheet), from 2 rows.',
  );
  await page.screenshot({ path: 'output/import-check.png', fullPage: true });
  await page.getByRole('button', { name: 'Import 2 patients' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 2 patients with 3 scores.');
  await page.getByRole('link', { name: 'See the patients' }).click();
  await expect(page.getByRole('link', { name: 'Sheet, Sasha' })).toBeVisible();

  await page.goto('/patients/import');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /Every PHQ-9 and GAD-7/ }).click();
  const file = await download;
  const csv = fs.readFileSync(await file.path(), 'utf8');
  expect(csv.split('\n')[0]).toBe(
    'mrn,given_name,family_name,birth_date,enrolled_on,instrument,taken_on,item1,item2,item3,item4,item5,item6,item7,item8,item9,difficulty,total',
  );
  expect(csv).toContain(`SHEET-1,Sasha,Sheet,1981-04-05,${daysAgo(60)},PHQ-9,${daysAgo(30)},,,,,,,,,,,11`);
  expect(errors).toEqual([]);
});
