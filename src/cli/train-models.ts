/**
 * `npm run build` runs this after compiling: trains the intent models of CONTENT_DIR (with the
 * buttons' labels of LOCALES_DIR) once and keeps them in dist/models, so that the service starts
 * without training (src/understanding/trained-networks.ts). The folder is emptied first: the
 * models of content that has changed since would never be loaded again.
 */
import { rmSync } from 'node:fs';
import { loadConfig } from '../config';
import { loadLanguages } from '../i18n/languages';
import { createStrings, readLocaleFiles } from '../i18n/strings';
import { MODELS_DIR } from '../paths';
import { loadMessageReader } from '../understanding/message-reader';
import { NetworkFolder } from '../understanding/trained-networks';

const config = loadConfig();
const languages = loadLanguages(config.contentDir);
const strings = createStrings(languages, readLocaleFiles(config.localesDir, languages));
rmSync(MODELS_DIR, { recursive: true, force: true });
const cpu = process.cpuUsage();
const { models } = loadMessageReader(strings, config.contentDir, new NetworkFolder(MODELS_DIR, { save: true }));
const used = process.cpuUsage(cpu);
process.stdout.write(`intent models: ${models.trained} trained for ${languages.tags.join(', ')} in ${Math.round((used.user + used.system) / 1000)} ms of CPU, kept in ${MODELS_DIR}\n`);
