// Progressive enhancement only: every page works with JavaScript off.
import { initAll } from '/static/govuk/govuk-frontend.min.js';
initAll();

// A table's scroll box is a Tab stop (and a named region) only while its table is wider than
// it: there is then something to scroll by keyboard. With JavaScript off every box keeps both.
const scrollBoxes = document.querySelectorAll('.app-table-scroll');
function tabStopsWhereTablesScroll () {
  for (const box of scrollBoxes) {
    if (box.dataset.label === undefined) box.dataset.label = box.getAttribute('aria-label') || '';
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', box.dataset.label);
    } else if (document.activeElement !== box) {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  }
}
let pending = false;
window.addEventListener('resize', () => {
  if (!pending) {
    pending = true;
    window.requestAnimationFrame(() => { pending = false; tabStopsWhereTablesScroll(); });
  }
});
tabStopsWhereTablesScroll();

// The measures' filters fold behind "Filters" on a phone, so the results come first; they are
// open with JavaScript off and on a wider screen, and whenever one of them has an error to show.
const filters = document.getElementById('filters-details');
if (filters && window.matchMedia('(max-width: 40.0625em)').matches
    && !filters.querySelector('.govuk-form-group--error')) {
  filters.removeAttribute('open');
}
