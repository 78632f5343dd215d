/**
 * The sidebar's pins and groups (folders), kept in this browser's localStorage: they are the operator's own
 * arrangement, not part of the schema. Keyed by collection name; a renamed collection simply loses its place.
 */
const KEY = 'galley_dashboard_sidebar';

export interface SidebarPrefs {
  pinned: string[];
  /** collection name → group name */
  groups: Record<string, string>;
  /** groups in the order they were made (a group may be empty) */
  groupOrder: string[];
  collapsed: string[];
}

function read(): SidebarPrefs {
  const empty: SidebarPrefs = { pinned: [], groups: {}, groupOrder: [], collapsed: [] };
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<SidebarPrefs> | null;
    if (!raw || typeof raw !== 'object') return empty;
    return {
      pinned: Array.isArray(raw.pinned) ? raw.pinned.filter((x) => typeof x === 'string') : [],
      groups: raw.groups && typeof raw.groups === 'object' ? Object.fromEntries(Object.entries(raw.groups).filter(([, v]) => typeof v === 'string')) : {},
      groupOrder: Array.isArray(raw.groupOrder) ? raw.groupOrder.filter((x) => typeof x === 'string') : [],
      collapsed: Array.isArray(raw.collapsed) ? raw.collapsed.filter((x) => typeof x === 'string') : [],
    };
  } catch {
    return empty; // unreadable: start over rather than break the sidebar
  }
}

export const sidebarPrefs = $state<SidebarPrefs>(read());

export function savePrefs(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify($state.snapshot(sidebarPrefs)));
  } catch {
    // storage full or disabled: the arrangement lasts until the page is closed
  }
}
