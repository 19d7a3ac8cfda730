// Jest runs this before every test file (jest.config.js): every MessageReader, the app's included,
// reads with fastText, whose WebAssembly module loads asynchronously once per process
// (src/understanding/fasttext.ts). Test files make their readers in beforeAll, after this.
import { loadFastText } from '../../src/understanding/fasttext';

beforeAll(loadFastText);
