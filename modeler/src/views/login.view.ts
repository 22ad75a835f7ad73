import { ApiError } from '../api/client';
import { session } from '../auth/session';
import { h, type View } from '../dom';

/**
 * The sign-in form, shown instead of the app while there is no session. A successful login
 * changes the session, and the app (main.ts) then replaces this view; the URL's route is kept.
 * `notice` says why it is shown (signed out, session ended).
 */
export function loginView(notice?: string): View {
  const username = h('input', {
    id: 'login-username',
    name: 'username',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    maxlength: 256,
    'data-testid': 'login-username',
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    maxlength: 1024,
    'data-testid': 'login-password',
  });
  const error = h('p', { id: 'login-error', class: 'login-error', role: 'alert', 'data-testid': 'login-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Sign in');
  let left = false;

  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title', 'data-testid': 'login-form', novalidate: true, onsubmit: (e: Event) => void signIn(e) },
    h('p', { class: 'login-brand' }, 'ITSM Orchestrator'),
    h('h1', { id: 'login-title' }, 'Sign in'),
    notice ? h('p', { class: 'login-notice', role: 'status', 'data-testid': 'login-notice' }, notice) : null,
    h('div', { class: 'login-field' }, h('label', { for: 'login-username' }, 'Username'), username),
    h('div', { class: 'login-field' }, h('label', { for: 'login-password' }, 'Password'), password),
    error,
    submit,
  );
  const el = h('section', { class: 'login-page', 'data-testid': 'login-view' }, form);

  function showError(text: string, invalid: boolean): void {
    error.textContent = text;
    error.hidden = false;
    for (const input of [username, password]) {
      if (invalid) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', 'login-error');
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  }

  async function signIn(event: Event): Promise<void> {
    event.preventDefault();
    const name = username.value.trim();
    if (!name || !password.value) {
      showError('Enter your username and password.', false);
      (name ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    error.hidden = true;
    try {
      await session.login(name, password.value);
      // the session change replaces this view
    } catch (failure) {
      if (left) return;
      if (failure instanceof ApiError) showError(failure.problem.detail || failure.problem.title, failure.status === 401);
      else showError(`The server could not be reached: ${failure instanceof Error ? failure.message : String(failure)}`, false);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  }

  // Focus once mounted (the autofocus attribute only works on page load).
  setTimeout(() => {
    if (!left && el.isConnected) (username.value ? password : username).focus();
  });

  return {
    el,
    destroy() {
      left = true;
    },
  };
}
