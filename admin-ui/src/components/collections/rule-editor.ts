/**
 * CodeMirror 6 for rules (and the mfa rule), in the collection editor's chunk only: one line of filter text with
 * completion of fields, `@request.*`, `@collection.*`, modifiers and macros (rule-completions.ts).
 * The editor lives in a shadow root: there CodeMirror's styles (style-mod) go through constructable stylesheets,
 * which the dashboard's CSP (style-src 'self') allows; in the document itself style-mod writes a <style> element,
 * which the CSP blocks (the editor would then have none of its styles). The theme's custom properties inherit in.
 */
import { autocompletion, closeBrackets, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { suggest, type RuleContext } from './rule-completions.ts';

export interface RuleEditor {
  setText(text: string): void;
  setDisabled(disabled: boolean): void;
  /** read the description again (the error changed) */
  refresh(): void;
  destroy(): void;
}

export function createRuleEditor(
  parent: HTMLElement,
  opts: { text: string; label: string; description: () => string; placeholder: string; context: () => RuleContext; onChange: (text: string) => void },
): RuleEditor {
  const source = (cx: CompletionContext): CompletionResult | null => {
    const word = cx.matchBefore(/[@\w.:]*/);
    if (!word || (word.from === word.to && !cx.explicit)) return null;
    const options = suggest(word.text, opts.context()).map((s) => ({ label: s.label, detail: s.detail, type: s.type }));
    return { from: word.from, options, validFor: /^[@\w.:]*$/ };
  };
  const editable = new Compartment();
  const shadow = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const mount = document.createElement('div');
  shadow.replaceChildren(mount);
  const view = new EditorView({
    parent: mount,
    root: shadow,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        history(),
        closeBrackets(),
        autocompletion({ override: [source], activateOnTyping: true }),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        placeholder(opts.placeholder),
        EditorView.lineWrapping,
        editable.of(EditorView.editable.of(true)),
        // ids do not reach across the shadow boundary: the help and the error travel as the description
        EditorView.contentAttributes.of(() => ({ 'aria-label': opts.label, 'aria-description': opts.description() })),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
        }),
        EditorView.theme({
          '&': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)', borderRadius: '6px' },
          '.cm-content': { fontFamily: 'var(--mono)', padding: '0.4rem 0.2rem', caretColor: 'var(--text)' },
          '.cm-placeholder': { color: 'var(--muted)' },
          '&.cm-focused': { outline: '2px solid var(--focus)' },
          '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' },
          '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-text)' },
          '.cm-completionDetail': { color: 'inherit', opacity: '0.85', marginLeft: '0.6em' },
        }),
      ],
    }),
  });
  return {
    setText(text) {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    refresh() {
      view.dispatch({});
    },
    setDisabled(value) {
      view.dispatch({ effects: editable.reconfigure([EditorView.editable.of(!value), EditorState.readOnly.of(value)]) });
    },
    destroy: () => view.destroy(),
  };
}
