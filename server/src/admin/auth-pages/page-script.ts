/**
 * The browser script of the `/_/` page (plain ES2017, no framework): it reads `#/auth/<action>/<token>`, finds
 * the collection in the token's `collectionId` claim (as PocketBase's dashboard does, without checking the
 * signature: the API checks it) and shows that action's form. Errors come from the API's `{status, message, data}`.
 * Served as /_/assets/auth-pages.js; it must hold no backtick and no dollar-brace (it lives in a template string).
 */
export const AUTH_PAGE_SCRIPT = String.raw`(function () {
  'use strict';

  var app = document.getElementById('app');
  // the page lives at <base>/_/, the API at <base>/api/ (also behind a proxy that adds a path prefix)
  var base = new URL('../', location.href).href;
  var busy = false;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === false || value === null || value === undefined) return;
      if (key === 'text') node.textContent = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function tokenPayload(token) {
    try {
      var part = (token.split('.')[1] || '').replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var binary = atob(part);
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : {};
    } catch (err) {
      return {};
    }
  }

  function callApi(collectionId, action, body) {
    var url = base + 'api/collections/' + encodeURIComponent(collectionId) + '/' + action;
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    }).then(
      function (res) {
        if (res.ok) return { ok: true };
        return res.json().then(
          function (error) { return { ok: false, status: res.status, error: error || {} }; },
          function () { return { ok: false, status: res.status, error: {} }; }
        );
      },
      function () {
        return { ok: false, status: 0, error: { message: 'The server could not be reached. Check your connection and try again.' } };
      }
    );
  }

  /** Replace the card's content under a heading; focus goes to 'focus' (a field) or to the heading. */
  function render(title, nodes, focus) {
    document.title = title + ' - Galley';
    var heading = el('h1', { id: 'title', tabindex: '-1', text: title });
    app.replaceChildren.apply(app, [heading].concat(nodes));
    (focus || heading).focus();
  }

  function notice(kind, lines) {
    return el('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, lines.map(function (line) {
      return el('p', {}, [line]);
    }));
  }

  function intro(text, strong) {
    return el('p', { class: 'intro' }, [text, el('strong', { text: strong }), ':']);
  }

  function passwordField(id, label, autocomplete) {
    var input = el('input', { id: id, name: id, type: 'password', required: true, autocomplete: autocomplete, 'aria-describedby': id + '-error' });
    var error = el('p', { id: id + '-error', class: 'field-error' });
    return { input: input, error: error, node: el('div', { class: 'field' }, [el('label', { for: id, text: label }), input, error]) };
  }

  function showToggle(fields) {
    var box = el('input', {
      id: 'show-passwords',
      type: 'checkbox',
      onchange: function () {
        fields.forEach(function (f) { f.input.type = box.checked ? 'text' : 'password'; });
      },
    });
    return el('div', { class: 'check' }, [box, el('label', { for: 'show-passwords', text: fields.length > 1 ? 'Show passwords' : 'Show password' })]);
  }

  /**
   * A form whose fields are passwords: submit posts send(); field errors from the API's data go under their
   * field (aria-invalid, described by the message), anything else into the form's alert.
   */
  function passwordForm(fields, buttonText, send, done) {
    var alert = el('div', { class: 'form-error' });
    var button = el('button', { type: 'submit', class: 'btn', text: buttonText });
    var form = el('form', { novalidate: true }, fields.map(function (f) { return f.node; }).concat([showToggle(fields), alert, button]));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      alert.replaceChildren();
      fields.forEach(function (f) { f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); });
      var empty = fields.filter(function (f) { return f.input.value === ''; });
      if (empty.length > 0) {
        empty.forEach(function (f) { f.error.textContent = 'Cannot be blank.'; f.input.setAttribute('aria-invalid', 'true'); });
        empty[0].input.focus();
        return;
      }
      busy = true;
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      send().then(function (result) {
        busy = false;
        button.disabled = false;
        form.removeAttribute('aria-busy');
        if (result.ok) return done();
        var data = (result.error && result.error.data) || {};
        var firstInvalid = null;
        fields.forEach(function (f) {
          var problem = data[f.input.name];
          if (!problem || typeof problem.message !== 'string') return;
          f.error.textContent = problem.message;
          f.input.setAttribute('aria-invalid', 'true');
          firstInvalid = firstInvalid || f.input;
        });
        var other = Object.keys(data).filter(function (key) {
          return !fields.some(function (f) { return f.input.name === key; }) && data[key] && typeof data[key].message === 'string';
        });
        var lines = [describeFailure(result)].concat(other.map(function (key) {
          return key === 'token' ? 'The link is invalid or has expired. Ask for a new one.' : key + ': ' + data[key].message;
        }));
        if (!firstInvalid || other.length > 0) alert.replaceChildren(notice('error', lines));
        else alert.replaceChildren(notice('error', [describeFailure(result) + ' Check the marked field above.']));
        (firstInvalid || button).focus();
      });
    });
    return form;
  }

  function describeFailure(result) {
    var message = result.error && typeof result.error.message === 'string' ? result.error.message : '';
    return message || 'Something went wrong (status ' + result.status + '). Please try again.';
  }

  function showInvalidLink(title, what) {
    render(title, [notice('error', ['Invalid or expired ' + what + ' token.', 'Ask for a new link and open it from the newest mail.'])]);
  }

  function showPasswordReset(token, claims) {
    var title = 'Confirm password reset';
    if (!claims.email || !claims.collectionId) return showInvalidLink(title, 'password reset');
    var password = passwordField('password', 'New password', 'new-password');
    var confirm = passwordField('passwordConfirm', 'Confirm new password', 'new-password');
    var form = passwordForm([password, confirm], 'Set new password', function () {
      return callApi(claims.collectionId, 'confirm-password-reset', { token: token, password: password.input.value, passwordConfirm: confirm.input.value });
    }, function () {
      render('Password changed', [notice('success', ['The password was successfully changed.', 'You can go back and sign in with your new password.'])]);
    });
    render(title, [intro('Type your new password for ', String(claims.email)), form], password.input);
  }

  function showEmailChange(token, claims) {
    var title = 'Confirm email change';
    if (!claims.newEmail || !claims.collectionId) return showInvalidLink(title, 'email change');
    var password = passwordField('password', 'Password', 'current-password');
    var form = passwordForm([password], 'Confirm new email', function () {
      return callApi(claims.collectionId, 'confirm-email-change', { token: token, password: password.input.value });
    }, function () {
      render('Email changed', [notice('success', ['The email was successfully changed.', 'You can go back and sign in with your new email address.'])]);
    });
    render(title, [intro('Type your password to confirm changing your email address to ', String(claims.newEmail)), form], password.input);
  }

  function showVerification(token, claims) {
    var title = 'Confirm verification';
    if (!claims.email || !claims.collectionId) return showInvalidLink(title, 'verification');
    render(title, [notice('status', ['Verifying ' + claims.email + '...'])]);
    callApi(claims.collectionId, 'confirm-verification', { token: token }).then(function (result) {
      if (result.ok) {
        render('Email verified', [notice('success', ['Successfully verified ' + claims.email + '.', 'You can close this page and sign in.'])]);
        return;
      }
      var why = result.status === 400 ? 'Invalid or expired verification token.' : describeFailure(result);
      var resend = el('button', {
        type: 'button',
        class: 'btn secondary',
        text: 'Send a new verification link',
        onclick: function () {
          if (busy) return;
          busy = true;
          resend.disabled = true;
          callApi(claims.collectionId, 'request-verification', { email: claims.email }).then(function (sent) {
            busy = false;
            resend.disabled = false;
            if (sent.ok) render('Check your email', [notice('success', ['Please check your email for the new verification link.'])]);
            else render(title, [notice('error', [describeFailure(sent)]), resend], resend);
          });
        },
      });
      render(title, [notice('error', [why]), resend], resend);
    });
  }

  function showNotBuilt() {
    var api = base + 'api/';
    render('Galley', [
      el('p', { text: 'The dashboard is not built yet. This page only confirms the links Galley mails (password reset, verification, email change).' }),
      el('p', {}, ['The REST API is at ', el('a', { href: api + 'health', text: api }), '.']),
    ]);
  }

  /** wire: PocketBase's /api/oauth2-redirect sends the popup here; a popup closes itself, as there. */
  function showOAuth2Result(ok) {
    render(ok ? 'Auth completed' : 'Auth failed', [
      notice(ok ? 'success' : 'error', [ok ? 'You can close this window and go back to the app.' : 'You can close this window and go back to the app to try again.']),
    ]);
    window.close();
  }

  var ACTIONS = {
    'confirm-password-reset': showPasswordReset,
    'confirm-verification': showVerification,
    'confirm-email-change': showEmailChange,
  };

  function route() {
    busy = false;
    if (location.hash === '#/auth/oauth2-redirect-success') return showOAuth2Result(true);
    if (location.hash === '#/auth/oauth2-redirect-failure') return showOAuth2Result(false);
    var match = /^#\/auth\/([a-z-]+)\/([^/?#]+)$/.exec(location.hash);
    var show = match && Object.prototype.hasOwnProperty.call(ACTIONS, match[1]) ? ACTIONS[match[1]] : null;
    if (!show) return showNotBuilt();
    var token = match[2];
    try {
      token = decodeURIComponent(token);
    } catch (err) {
      // a malformed escape: keep it as it is, the API will refuse it
    }
    show(token, tokenPayload(token));
  }

  window.addEventListener('hashchange', route);
  route();
})();
`;
