// Test helper process: takes the data directory lock, says so, and waits to be killed.
import { acquireDataDirLock } from '../../server/core/data-dir-lock';

await acquireDataDirLock(process.argv[2]!);
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
