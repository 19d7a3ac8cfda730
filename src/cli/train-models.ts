/**
 * `npm run build` runs this after compiling: trains the intent models of CONTENT_DIR (with the
 * buttons' labels of LOCALES_DIR) once and keeps them in dist/models, so that the service starts
 * without training (src/understanding/trained-networks.ts). A model kept by an earlier build is
 * loaded when it was trained on the same (its key says so), so `npm start` trains only after the
 * content, a setting or the library changed; the models no key finds any more are deleted.
 */
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
  const cpu = cpuTimeMs();
  const folder = new NetworkFolder(MODELS_DIR, { save: true });
  const { models } = loadMessageReader(strings, config.contentDir, folder);
  const used = cpuTimeMs() - cpu;
  const removed = folder.removeUnused();
  process.stdout.write(
    `intent models for ${strings.languages.tags.join(', ')}: ${models.trained} trained, ${models.loaded} kept from an earlier build, in ${Math.round(used)} ms of CPU (fastText's training children included); ${removed} old files removed from ${MODELS_DIR}\n`,
  );
});
