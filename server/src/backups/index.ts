// What other domains and the package's face import from backups/.
export { assertNewBackupName, defaultBackupName, isBackupKey } from './backup-name.ts';
export { backupFilePath, cleanBackupLeftovers, deleteBackupFile, listBackupFiles, type BackupFileInfo } from './backup-files.ts';
export { isBackupRunning } from './busy-marker.ts';
export { createBackupArchive, type BackupProgress, type CreatedArchive } from './create-archive.ts';
export { restoreBackupIntoDir } from './restore-dir.ts';
export { runBackupChild } from './backup-child.ts';
export { lowerProcessPriority } from './lower-priority.ts';
export { recoverInterruptedRestore } from './restore-swap.ts';
