#!/bin/sh
# Starts the release server for the browser tests on a fresh registry holding one synthetic clinic
# one synthetic care manager, one psychiatric consultant, one clinic lead and one administrator (see tests/fixtures.ts), created with the tandem CLI.
set -eu
"$TANDEM_BIN" clinic create --name "Synthetic Clinic" >/dev/null
printf '%s\n' 'synthetic pass phrase' | "$TANDEM_BIN" user create \
  --email cm@synthetic.example --name "Casey Synthetic" --role care_manager \
  --clinic "Synthetic Clinic" --password-stdin >/dev/null
printf '%s\n' 'synthetic consultant phrase' | "$TANDEM_BIN" user create \
  --email psy@synthetic.example --name "Robin Consultant" --role psychiatric_consultant \
  --clinic "Synthetic Clinic" --password-stdin >/dev/null
printf '%s\n' 'synthetic lead phrase' | "$TANDEM_BIN" user create \
  --email lead@synthetic.example --name "Lee Lead" --role clinic_lead \
  --clinic "Synthetic Clinic" --password-stdin >/dev/null
printf '%s\n' 'synthetic admin phrase' | "$TANDEM_BIN" user create \
  --email admin@synthetic.example --name "Alex Admin" --role admin --password-stdin >/dev/null
# An interface clinic for the API and FHIR tests, with a care manager whose API token the tests
# read from the data directory.
"$TANDEM_BIN" clinic create --name "Interface Clinic" >/dev/null
printf '%s\n' 'synthetic interface phrase' | "$TANDEM_BIN" user create \
  --email api@synthetic.example --name "Ivy Interface" --role care_manager \
  --clinic "Interface Clinic" --password-stdin >/dev/null
"$TANDEM_BIN" token create --user api@synthetic.example --name "Browser tests" \
  >"$TANDEM_DATA_DIR/api-token" 2>/dev/null
"$TANDEM_BIN" token create --user api@synthetic.example --name "Revocable token" \
  >"$TANDEM_DATA_DIR/api-token-revocable" 2>/dev/null
exec "$TANDEM_BIN" serve
