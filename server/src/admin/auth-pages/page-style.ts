/** The stylesheet of the `/_/` page (served as /_/assets/auth-pages.css): one centered card, light and dark. */
export const AUTH_PAGE_STYLE = String.raw`:root {
  color-scheme: light dark;
  --bg: #f3f4f6;
  --card: #ffffff;
  --text: #16161a;
  --muted: #5b5e66;
  --border: #d6d8dd;
  --accent: #1055c9;
  --accent-text: #ffffff;
  --danger: #b3261e;
  --danger-bg: #fdecea;
  --success: #136c2e;
  --success-bg: #e7f6ec;
  --focus: #1055c9;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111214;
    --card: #1c1d21;
    --text: #ececf0;
    --muted: #a3a6ad;
    --border: #3a3c42;
    --accent: #6c9eff;
    --accent-text: #0b1020;
    --danger: #ff8a80;
    --danger-bg: #3a1a18;
    --success: #7ddc9a;
    --success-bg: #15301f;
    --focus: #6c9eff;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; min-height: 100%; }
body {
  display: flex;
  flex-direction: column;
  align-items: center;
  justify-content: center;
  min-height: 100vh;
  padding: 24px 16px;
  background: var(--bg);
  color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.card {
  width: 100%;
  max-width: 420px;
  padding: 32px 28px;
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 12px;
  box-shadow: 0 4px 24px rgba(0, 0, 0, 0.06);
}
h1 { margin: 0 0 16px; font-size: 1.375rem; line-height: 1.3; text-align: center; }
h1:focus { outline: none; }
p { margin: 0 0 12px; }
.intro { color: var(--muted); text-align: center; overflow-wrap: anywhere; }
.intro strong { color: var(--text); }
form { display: flex; flex-direction: column; gap: 16px; margin-top: 8px; }
.field { display: flex; flex-direction: column; gap: 6px; }
label { font-weight: 600; font-size: 0.9375rem; }
input[type="password"], input[type="text"] {
  width: 100%;
  padding: 10px 12px;
  font: inherit;
  color: var(--text);
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 8px;
}
input[aria-invalid="true"] { border-color: var(--danger); }
input:focus-visible, button:focus-visible, a:focus-visible {
  outline: 3px solid var(--focus);
  outline-offset: 2px;
}
.field-error { margin: 0; color: var(--danger); font-size: 0.875rem; }
.field-error:empty { display: none; }
.check { display: flex; align-items: center; gap: 8px; }
.check label { font-weight: 400; }
.check input { width: 18px; height: 18px; margin: 0; accent-color: var(--accent); }
.btn {
  width: 100%;
  padding: 11px 16px;
  font: inherit;
  font-weight: 600;
  color: var(--accent-text);
  background: var(--accent);
  border: 1px solid var(--accent);
  border-radius: 8px;
  cursor: pointer;
}
.btn:disabled { opacity: 0.6; cursor: progress; }
.btn.secondary { margin-top: 8px; color: var(--accent); background: transparent; }
.notice { padding: 12px 14px; border-radius: 8px; text-align: center; overflow-wrap: anywhere; }
.notice p:last-child { margin-bottom: 0; }
.notice.error { color: var(--danger); background: var(--danger-bg); }
.notice.success { color: var(--success); background: var(--success-bg); }
.notice.status { color: var(--muted); }
.form-error:empty { display: none; }
a { color: var(--accent); overflow-wrap: anywhere; }
.footer { margin-top: 16px; color: var(--muted); font-size: 0.8125rem; }
`;

/** The tab icon (also spares the browser a request for /favicon.ico, which is the API's 404). */
export const AUTH_PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1055c9"/><path d="M21.5 11.5a7 7 0 1 0 1.5 5.5h-7" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round"/></svg>
`;
