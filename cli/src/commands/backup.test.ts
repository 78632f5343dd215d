// The backup command's progress: redrawn in place with bytes, files and an ETA on a terminal; a plain line per
// phase elsewhere.
import { describe, expect, it } from 'vitest';
import { createProgressPrinter, formatBytes, type Progress } from './backup.ts';

function capture(isTTY: boolean) {
  let text = '';
  return { stream: { isTTY, write: (chunk: string) => ((text += chunk), true) } as never, text: () => text };
}

const step = (phase: Progress['phase'], bytes: number, files: number): Progress => ({ phase, bytes, totalBytes: 100 * 1024 * 1024, files, totalFiles: 40 });

describe('backup progress', () => {
  it('on a terminal: one line redrawn with bytes, files and an ETA once the phase runs a while', () => {
    const out = capture(true);
    let clock = 0;
    const printer = createProgressPrinter(out.stream, () => clock);
    printer.update(step('archive', 0, 0));
    clock = 3000;
    printer.update(step('archive', 25 * 1024 * 1024, 10));
    printer.end();
    expect(out.text()).toContain('\r\x1b[Kwriting the archive: 25.0 MiB / 100.0 MiB, 10 / 40 files, ETA 9.0 s');
    expect(out.text().endsWith('\r\x1b[K')).toBe(true);
    expect(out.text()).not.toContain('\n');
  });

  it('elsewhere: a plain line per phase, nothing redrawn', () => {
    const out = capture(false);
    const printer = createProgressPrinter(out.stream, () => 0);
    for (const phase of ['snapshot', 'files', 'files', 'archive', 'done'] as const) printer.update(step(phase, 1, 1));
    printer.end();
    expect(out.text()).toBe('snapshotting the databases…\ncollecting the stored files…\nwriting the archive…\n');
  });

  it('a phase that counts nothing yet shows its words alone; the snapshot counts bytes against the sources', () => {
    const out = capture(true);
    let clock = 0;
    const printer = createProgressPrinter(out.stream, () => clock);
    printer.update({ phase: 'verify', bytes: 0, totalBytes: 0, files: 0, totalFiles: 0 });
    expect(out.text()).toBe('\r\x1b[Kchecking the archive (checksums, integrity_check)…');
    clock = 200;
    printer.update({ phase: 'snapshot', bytes: 0, totalBytes: 1024 ** 3, files: 0, totalFiles: 2 });
    clock = 3400;
    printer.update({ phase: 'snapshot', bytes: 256 * 1024 ** 2, totalBytes: 1024 ** 3, files: 1, totalFiles: 2 });
    expect(out.text()).toContain('snapshotting the databases: 256.0 MiB / 1.0 GiB, 1 / 2 files, ETA 9.6 s');
  });

  it('sizes read as people read them', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['512 B', '1.5 KiB', '5.0 GiB']);
  });
});
