/**
 * appURL, the base of every link in auth mail. Left at PocketBase's default (`http://localhost:8090`), it follows
 * the address the server listens on, so a mailed link opens this server without any setup. A value given by the
 * environment, a `serve` flag or createGalley's `settings` wins, and so does any other value saved in data.db.
 */
import { createDefaultSettings, type Settings } from './settings-model.ts';
import type { SettingsInput, SettingsStore } from './settings-store.ts';

export interface ListenAwareSettings extends SettingsStore {
  /** Called with the URL listen() answers; from then on a default appURL reads as this address. */
  adoptListenUrl(url: string): void;
}

/** A listener on every interface (0.0.0.0, ::) is reached in a browser on the same machine as localhost. */
function toLinkableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0' || parsed.hostname === '[::]') parsed.hostname = 'localhost';
  return parsed.origin;
}

/** `overrides` are the start-time settings (environment, flags, options): an appURL among them is never replaced. */
export function followListenUrl(store: SettingsStore, overrides: SettingsInput[]): ListenAwareSettings {
  const placeholder = createDefaultSettings().meta.appURL;
  const pinned = overrides.some((o) => o.meta?.appURL !== undefined);
  let listenUrl: string | undefined;
  // one copy per settings object, so a request reads the same object until the next save
  let view: { from: Settings; shown: Settings } | undefined;
  const follows = (s: Settings) => !pinned && listenUrl !== undefined && s.meta.appURL === placeholder;
  return {
    ...store,
    current() {
      const settings = store.current();
      if (!follows(settings)) return settings;
      if (view?.from !== settings) view = { from: settings, shown: { ...settings, meta: { ...settings.meta, appURL: listenUrl! } } };
      return view.shown;
    },
    save(next) {
      // the listen address read back and saved whole (a settings form) is not a choice: keep following it
      const keepFollowing = follows(store.current()) && next.meta.appURL === listenUrl;
      return store.save(keepFollowing ? { ...next, meta: { ...next.meta, appURL: placeholder } } : next);
    },
    adoptListenUrl(url) {
      listenUrl = toLinkableUrl(url);
    },
  };
}
