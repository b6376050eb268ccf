#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry:
#   src/valvecheck/web/static/govuk/  GOV.UK Frontend's JavaScript and our stylesheet, compiled
#                                     from its Sass with Arial (GDS Transport is for GOV.UK only)
#                                     and without the crown or any GOV.UK branding
#   tests/vendor/axe.min.js           axe-core, for the accessibility tests
# Needs node and npm. Everything is installed into a temporary folder that is removed after.
# Versions: GOVUK_FRONTEND=5.14.0 AXE_CORE=4 SASS=1 (override by environment).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
static="$root/src/valvecheck/web/static"
govuk_version="${GOVUK_FRONTEND:-5.14.0}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund \
  "govuk-frontend@$govuk_version" "sass@${SASS:-1}" "axe-core@${AXE_CORE:-4}"

mkdir -p "$static/govuk" "$root/tests/vendor"
npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import \
  --load-path=node_modules "$static/scss/app.scss" "$static/govuk/app.min.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$static/govuk/"
cp node_modules/axe-core/axe.min.js "$root/tests/vendor/axe.min.js"
installed="$(node -p "require('./node_modules/govuk-frontend/package.json').version")"
axe="$(node -p "require('./node_modules/axe-core/package.json').version")"
licence="$(node -p "require('./node_modules/govuk-frontend/package.json').license")"
printf 'govuk-frontend %s (npm, licence %s, Crown copyright), compiled with sass;\naxe-core %s (npm, tests only)\n' \
  "$installed" "$licence" "$axe" >"$static/govuk/VERSION"
echo "Vendored govuk-frontend $installed and axe-core $axe."
