import { CONTENT_DIR, LOCALES_DIR } from '../../src/paths';
import { describeEveryPath } from './every-path';

// Every language of the shipped table (content/languages.json); test/dialogs/every-path-pseudo-locale.test.ts walks one added as data alone.
describeEveryPath({ contentDir: CONTENT_DIR, localesDir: LOCALES_DIR });
