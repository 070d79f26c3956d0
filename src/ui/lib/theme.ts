/** The colour scheme a person picked; "system" follows the operating system's setting. */
export type Theme = 'system' | 'light' | 'dark';

const KEY = 'errata.theme';

export function storedTheme(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    // Storage can be off (private modes, policies): the system setting still holds.
    return 'system';
  }
}

/** Applies a theme to the page (the stylesheet reads `data-theme`) and remembers it in this browser. */
export function applyTheme(theme: Theme, remember = true): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  if (!remember) return;
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered, but applied for this visit.
  }
}
