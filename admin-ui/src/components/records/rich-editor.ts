/**
 * TipTap (ProseMirror) for editor fields, in its own chunk: imported only when a record with an editor field is
 * opened. injectCSS is off (the CSP refuses <style> tags); the few rules ProseMirror needs are in RichTextField.
 */
import { Editor } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';

export type RichEditor = Editor;

export function createRichEditor(element: HTMLElement, opts: { html: string; label: string; onChange: (html: string) => void; onState: () => void }): Editor {
  return new Editor({
    element,
    injectCSS: false,
    extensions: [StarterKit.configure({ link: { openOnClick: false } })],
    content: opts.html,
    editorProps: { attributes: { role: 'textbox', 'aria-multiline': 'true', 'aria-label': opts.label } },
    // an empty document is saved as '' (what the server stores for an empty editor field), not '<p></p>'
    onUpdate: ({ editor }) => opts.onChange(editor.isEmpty ? '' : editor.getHTML()),
    onTransaction: () => opts.onState(),
  });
}

/** the toolbar: label, the command, and the mark or node whose activity shows as pressed */
export const TOOLS: ReadonlyArray<{ label: string; run: (e: Editor) => void; active?: [string, Record<string, unknown>?] }> = [
  { label: 'Bold', run: (e) => e.chain().focus().toggleBold().run(), active: ['bold'] },
  { label: 'Italic', run: (e) => e.chain().focus().toggleItalic().run(), active: ['italic'] },
  { label: 'Heading', run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(), active: ['heading', { level: 2 }] },
  { label: 'Bulleted list', run: (e) => e.chain().focus().toggleBulletList().run(), active: ['bulletList'] },
  { label: 'Numbered list', run: (e) => e.chain().focus().toggleOrderedList().run(), active: ['orderedList'] },
  { label: 'Quote', run: (e) => e.chain().focus().toggleBlockquote().run(), active: ['blockquote'] },
  { label: 'Code', run: (e) => e.chain().focus().toggleCode().run(), active: ['code'] },
  { label: 'Undo', run: (e) => e.chain().focus().undo().run() },
  { label: 'Redo', run: (e) => e.chain().focus().redo().run() },
];
