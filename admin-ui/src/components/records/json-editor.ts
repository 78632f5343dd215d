/**
 * CodeMirror 6 for json fields, in its own chunk: imported only when a record with a json field is opened.
 * The editor lives in a shadow root: there style-mod adds CodeMirror's styles as constructable stylesheets,
 * which the dashboard's CSP (style-src 'self') allows; in the document it would add <style> tags, which it refuses.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { bracketMatching, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';

export interface JsonEditor {
  setText(text: string): void;
  destroy(): void;
}

export function createJsonEditor(parent: HTMLElement, opts: { text: string; label: string; onChange: (text: string) => void }): JsonEditor {
  const attrs: Record<string, string> = { 'aria-label': opts.label };
  const root = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        json(),
        syntaxHighlighting(defaultHighlightStyle),
        linter(jsonParseLinter()),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of(attrs),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
        EditorView.theme({
          '&': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)', borderRadius: '6px' },
          '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--muted)', border: 'none' },
          '.cm-content': { fontFamily: 'var(--mono)', minHeight: '5rem', caretColor: 'var(--text)' },
          '&.cm-focused': { outline: '2px solid var(--focus)' },
        }),
      ],
    }),
  });
  return {
    setText(text) {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    destroy: () => view.destroy(),
  };
}
