/**
 * `npm run build` runs this after compiling: trains the intent models of CONTENT_DIR (with the
 * buttons' labels of LOCALES_DIR) once and keeps them in dist/models, so that the service starts
 * without training (src/understanding/trained-networks.ts). The folder is emptied first: the
 * models of content that has changed since would never be loaded again.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../config';
import { loadStrings } from '../i18n/strings';
import { MODELS_DIR } from '../paths';
import { cpuTimeMs } from '../ops/cpu-time';
import { loadFastText } from '../understanding/fasttext';
import { loadMessageReader } from '../understanding/message-reader';
import { NetworkFolder } from '../understanding/trained-networks';

// The same strings and content as the service reads (src/app.ts), or the keys would not match.
const config = loadConfig();
const strings = loadStrings(config.contentDir, config.localesDir);
void loadFastText().then(() => {
  rmSync(MODELS_DIR, { recursive: true, force: true });
  const cpu = cpuTimeMs();
  const { models } = loadMessageReader(strings, config.contentDir, new NetworkFolder(MODELS_DIR, { save: true }));
  const used = cpuTimeMs() - cpu;
  process.stdout.write(`intent models: ${models.trained} trained for ${strings.languages.tags.join(', ')} in ${Math.round(used)} ms of CPU (fastText's training children included), kept in ${MODELS_DIR}\n`);
});
