// GOV.UK Frontend's "JavaScript is on" classes, from a file: the pages allow no inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
