// Progressive enhancement only: every page works with JavaScript off.
import { initAll } from '/static/govuk/govuk-frontend.min.js';
initAll();
