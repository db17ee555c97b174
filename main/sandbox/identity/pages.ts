/**
 * The few HTML pages a browser sees: the sign-in form of the authorize endpoint, the form_post auto-submit page,
 * the device-code verification page and a sign-out page. Plain HTML, every interpolated value escaped.
 */
import { SANDBOX_USERS } from '../directory';

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:Segoe UI,system-ui,sans-serif;background:#f3f2f1;margin:0}main{max-width:520px;margin:64px auto;background:#fff;padding:32px;box-shadow:0 2px 6px #0002}
h1{font-size:22px;font-weight:600}label{display:block;margin:12px 0 4px}input[type=text],input[type=password],input[type=email]{width:100%;padding:6px;box-sizing:border-box}
button{margin-top:16px;padding:6px 20px;background:#0067b8;color:#fff;border:0}button.secondary{background:#888}.error{color:#a4262c}.note{color:#605e5c;font-size:12px}table{border-collapse:collapse;margin-top:8px}td,th{text-align:left;padding:2px 8px 2px 0}</style>
</head><body><main>${body}</main></body></html>`;

/** The demo users a tester can sign in with (the sandbox's own, public demo credentials). */
export function demoUsersNote(): string {
  const rows = SANDBOX_USERS.filter((u) => u.password && u.accountEnabled)
    .map((u) => `<tr><td><code>${esc(u.username)}</code></td><td><code>${esc(u.password)}</code></td><td>${esc(u.displayName)}</td></tr>`)
    .join('');
  return `<section class="note" aria-labelledby="demo-users"><h2 id="demo-users" style="font-size:14px">Demo users of the Integration Console sandbox</h2>
<p>The console's Demo sandbox page lists them too.</p>
<table><thead><tr><th>User name</th><th>Password</th><th>Name</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

const hidden = (fields: Record<string, string | undefined>) =>
  Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v!)}">`)
    .join('');

export function signInPage(opts: { action: string; clientName: string; resource: string; params: Record<string, string>; username?: string; error?: string }): string {
  return layout(
    'Sign in to your account',
    `<h1>Sign in</h1>
<p>to continue to <b>${esc(opts.clientName)}</b> (${esc(opts.resource)})</p>
${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<form method="post" action="${esc(opts.action)}">${hidden(opts.params)}
<label for="username">Email or DOMAIN\\user</label><input id="username" name="username" type="text" autocomplete="username" value="${esc(opts.username ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
<p class="note">Integration Console sandbox: sign in with a demo user printed by <code>d365ic sandbox</code>.</p>`,
  );
}

/** response_mode=form_post: the browser posts the result to the app's redirect URI by itself. */
export function formPostPage(redirectUri: string, fields: Record<string, string | undefined>): string {
  return layout(
    'Working...',
    `<form method="post" action="${esc(redirectUri)}" id="response">${hidden(fields)}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById('response').submit();</script>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1><p class="error" role="alert">${esc(message)}</p>`);
}

export function deviceLoginPage(opts: { action: string; userCode?: string; username?: string; error?: string; done?: string }): string {
  if (opts.done) return layout('Device sign-in', `<h1>Device sign-in</h1><p>${esc(opts.done)}</p><p>You can close this window.</p>`);
  return layout(
    'Enter code',
    `<h1>Enter code</h1><p>Enter the code displayed on your app or device, then sign in.</p>
${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<form method="post" action="${esc(opts.action)}">
<label for="user_code">Code</label><input id="user_code" name="user_code" type="text" value="${esc(opts.userCode ?? '')}" required>
<label for="username">Email or DOMAIN\\user</label><input id="username" name="username" type="text" value="${esc(opts.username ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit" name="decision" value="approve">Sign in and allow</button>
<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button></form>
${demoUsersNote()}`,
  );
}

/** Entra's "Permissions requested — Accept for your organization" page of the admin consent endpoint. */
export function adminConsentPage(opts: { action: string; clientId: string; resource: string; params: Record<string, string>; username?: string; error?: string; done?: string }): string {
  if (opts.done) return layout('Permissions granted', `<h1>Permissions granted</h1><p>${esc(opts.done)}</p><p>You can close this window.</p>`);
  return layout(
    'Permissions requested',
    `<h1>Permissions requested</h1><p>Accept for your organization: the app <code>${esc(opts.clientId)}</code> asks for its application permissions of <b>${esc(opts.resource)}</b>. Only a tenant administrator can grant them.</p>
${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ''}
<form method="post" action="${esc(opts.action)}">${hidden(opts.params)}
<label for="username">Administrator (email)</label><input id="username" name="username" type="text" autocomplete="username" value="${esc(opts.username ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Accept</button></form>
${demoUsersNote()}`,
  );
}

export function signedOutPage(): string {
  return layout('Signed out', '<h1>You signed out of your account</h1><p>It\'s a good idea to close all browser windows.</p>');
}
