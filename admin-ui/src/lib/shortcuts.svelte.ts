/**
 * The keyboard-shortcut registry: pages register what they handle (`registerShortcut` in an `$effect`, which
 * unregisters on teardown) and the `?` dialog lists whatever is registered right now.
 * Keys: 'mod+s' (Ctrl, or ⌘ on macOS), 'shift+?', 'escape', '/', 'n'. Plain keys are ignored while typing in
 * a field; keys with a modifier work everywhere.
 */
import { untrack } from 'svelte';

export interface Shortcut {
  keys: string;
  description: string;
  run: (event: KeyboardEvent) => void;
}

export const shortcuts = $state<Shortcut[]>([]);

/** Called from an `$effect`: untracked, so registering never makes the calling effect depend on the list. */
export function registerShortcut(shortcut: Shortcut): () => void {
  untrack(() => shortcuts.push(shortcut));
  return () =>
    untrack(() => {
      const at = shortcuts.indexOf(shortcut);
      if (at >= 0) shortcuts.splice(at, 1);
    });
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);

/** How a shortcut reads in the help dialog: 'mod+s' → 'Ctrl+S' (or '⌘+S'). */
export function describeKeys(keys: string): string {
  return keys
    .split('+')
    .map((k) => (k === 'mod' ? (isMac ? '⌘' : 'Ctrl') : k.length === 1 ? k.toUpperCase() : k[0]!.toUpperCase() + k.slice(1)))
    .join('+');
}

function matches(keys: string, event: KeyboardEvent): boolean {
  const parts = keys.toLowerCase().split('+');
  const key = parts.pop()!;
  const mod = parts.includes('mod');
  if (mod !== (isMac ? event.metaKey : event.ctrlKey)) return false;
  if (parts.includes('alt') !== event.altKey) return false;
  // '?' is typed with shift on most layouts: a printable key's shift is part of the key itself
  if (key.length > 1 && parts.includes('shift') !== event.shiftKey) return false;
  return event.key.toLowerCase() === key;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** One listener for the whole app; the newest registration of a key wins (a dialog's over the page's). */
export function listenForShortcuts(): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.isComposing) return;
    const typing = isTyping(event.target);
    for (let i = shortcuts.length - 1; i >= 0; i--) {
      const s = shortcuts[i]!;
      if (typing && !s.keys.includes('mod+')) continue;
      if (!matches(s.keys, event)) continue;
      event.preventDefault();
      s.run(event);
      return;
    }
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}

/** Whether the `?` help dialog is open (the header's button and the `?` key both set it). */
export const help = $state({ open: false });
