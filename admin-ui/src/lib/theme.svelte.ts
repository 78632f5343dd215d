/**
 * Light and dark themes. 'system' follows `prefers-color-scheme` in CSS alone (app.css), so the first paint
 * is right without an inline script; a chosen theme is kept in localStorage and set as `<html data-theme>`.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'galley_dashboard_theme';

function readChoice(): ThemeChoice {
  const stored = localStorage.getItem(KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export const theme = $state<{ choice: ThemeChoice }>({ choice: readChoice() });
// a kept choice applies from the first render (only 'system' is known to CSS before this runs)
if (theme.choice !== 'system') document.documentElement.dataset['theme'] = theme.choice;

export function applyTheme(choice: ThemeChoice): void {
  theme.choice = choice;
  if (choice === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset['theme'];
  } else {
    localStorage.setItem(KEY, choice);
    document.documentElement.dataset['theme'] = choice;
  }
}
