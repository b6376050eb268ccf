// GOV.UK's timeout warning (WCAG 2.2.1, Timing Adjustable). A sign-in ends after a while with no
// page loaded; a few minutes before, a modal dialog says when and offers to stay signed in (a
// POST to /stay-signed-in: no page is loaded, so what is typed on the page stays) or to sign out.
// When the time runs out, the sign-in page says why; but a page where something has been typed
// and not sent stays as it is, the warning saying so: sending the form then asks for the
// sign-in and sends what was typed (auth/resume.html), which leaving the page would lose. The timings come from the dialog's data-
// attributes (the pages allow no inline script); the one request made is that POST, to this
// site. Tabs of this site share the latest end in localStorage, so working in one tab keeps the
// others from warning. With JavaScript off, or no <dialog>, nothing is shown.
const dialog = document.getElementById('timeout-warning');

if (dialog && typeof dialog.showModal === 'function') {
  const KEY = 'valvecheck-sign-in-ends';
  const stayButton = document.getElementById('timeout-stay');
  const closeButton = document.getElementById('timeout-close');
  const live = document.getElementById('timeout-live');
  const problem = document.getElementById('timeout-problem');
  const token = dialog.querySelector('input[name="csrf_token"]').value;
  // The sign-in ends when the browser forgets its cookie: this long after the page's answer
  // arrived (the cookie's max-age), and a moment more, so that the sign-in page, when the time
  // runs out, finds it gone (and the server's clock has passed its end too).
  const MARGIN = 1000;
  const navigation = performance.getEntriesByType('navigation')[0];
  const arrived = performance.timeOrigin + ((navigation && navigation.responseStart) || performance.now());
  let ends = arrived + Number(dialog.dataset.secondsLeft) * 1000 + MARGIN;
  let warning = Number(dialog.dataset.warningSeconds) * 1000;
  let why = dialog.dataset.ends; // "idle", or "longest", which staying signed in cannot extend
  let dismissed = false; // a "longest" warning, once closed, is not shown again
  let timer = 0;
  let said = '';
  let asking = false;
  let typed = false; // something typed on the page and not sent
  let gone = false; // the time ran out with something typed: the page stays, saying so
  document.addEventListener('input', (event) => { if (!dialog.contains(event.target)) typed = true; });
  document.addEventListener('submit', () => { typed = false; });

  const shared = () => {
    try { return Number(window.localStorage.getItem(KEY)) || 0; } catch (e) { return 0; }
  };
  const share = () => {
    try { if (ends > shared()) window.localStorage.setItem(KEY, String(ends)); } catch (e) { /* private browsing */ }
  };

  const inWords = (ms) => {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds > 60) return `${Math.ceil(seconds / 60)} minutes`;
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  };
  // What a screen reader hears as time passes: each minute, then every 20 seconds (the visible
  // count changes every second, which would talk over everything).
  const announced = (ms) => {
    const seconds = Math.ceil(ms / 1000);
    return seconds > 60 ? inWords(ms) : inWords(Math.ceil(seconds / 20) * 20000);
  };

  const show = (left) => {
    const longest = why === 'longest';
    document.getElementById('timeout-idle').hidden = longest;
    document.getElementById('timeout-longest').hidden = !longest;
    stayButton.hidden = longest;
    closeButton.hidden = !longest;
    for (const span of dialog.querySelectorAll('.app-timeout__left')) span.textContent = inWords(left);
    if (!dialog.open) {
      said = announced(left); // opening it announces it (an alertdialog, focus moved into it)
      dialog.showModal();
      (longest ? closeButton : stayButton).focus();
    } else if (announced(left) !== said) {
      said = announced(left);
      live.textContent = `You will be signed out in ${said}.`;
    }
  };

  const hide = () => {
    problem.hidden = true;
    live.textContent = '';
    if (dialog.open) dialog.close(); // focus goes back where it was, in the form being typed in
  };

  const signInPage = (reason) => {
    const next = encodeURIComponent(dialog.dataset.next || '/');
    window.location.assign(`/login?${reason ? `timeout=${reason}&` : ''}next=${next}`);
  };

  // The time ran out with something typed: the warning says so and the page stays, so that
  // sending its form carries what was typed through signing in again.
  const signedOut = () => {
    gone = true;
    document.getElementById('timeout-heading').textContent = 'You have been signed out';
    for (const id of ['timeout-idle', 'timeout-longest', 'timeout-sign-out']) {
      document.getElementById(id).hidden = true;
    }
    document.getElementById('timeout-gone').hidden = false;
    stayButton.hidden = true;
    closeButton.hidden = false;
    live.textContent = '';
    if (!dialog.open) dialog.showModal();
    closeButton.focus();
  };

  const check = () => {
    window.clearTimeout(timer);
    if (gone) return;
    ends = Math.max(ends, shared()); // another tab may have kept the sign-in going
    const left = ends - Date.now();
    if (left <= 0) {
      if (typed) {
        signedOut();
        return;
      }
      hide();
      signInPage(why);
      return;
    }
    const warn = left <= warning && !(why === 'longest' && dismissed);
    if (warn) show(left);
    else if (dialog.open) hide();
    // each second while the count shows; otherwise at the warning, and at least once a minute
    // (a computer that slept, a tab the browser slowed down)
    const wait = left <= warning ? 1000 : left - warning;
    timer = window.setTimeout(check, Math.min(wait, left, 60000));
  };

  const stay = async () => {
    if (asking) return;
    asking = true;
    let answer;
    try {
      answer = await window.fetch('/stay-signed-in', {
        method: 'POST',
        headers: { 'X-CSRF-Token': token, Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'manual'
      });
    } catch (e) {
      problem.hidden = false; // the warning stays, to try again
      return;
    } finally {
      asking = false;
    }
    if (!answer.ok) { // signed out already (here or elsewhere): the sign-in page
      hide();
      signInPage('');
      return;
    }
    const answered = Date.now(); // when the renewed cookie arrived
    const renewed = await answer.json();
    ends = answered + renewed.seconds_left * 1000 + MARGIN;
    warning = renewed.warning_seconds * 1000;
    why = renewed.ends;
    share();
    hide();
    check();
  };

  const dismiss = () => {
    dismissed = true;
    hide();
    check();
  };
  const close = () => {
    if (gone) hide(); else dismiss();
  };

  stayButton.addEventListener('click', stay);
  closeButton.addEventListener('click', close);
  // Escape keeps the sign-in going (or closes a warning that nothing can extend)
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (gone || why === 'longest') close(); else stay();
  });
  // Tab and Shift+Tab stay within the dialog's buttons
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const stops = [...dialog.querySelectorAll('button')].filter((button) => !button.hidden);
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  window.addEventListener('storage', (event) => { if (event.key === KEY) check(); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) check(); });
  window.addEventListener('pageshow', (event) => { if (event.persisted) check(); });

  share();
  check();
}
