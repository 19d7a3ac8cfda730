import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateRawSync, inflateSync } from 'node:zlib';
import { colorIcon, outlineIcon } from '../../scripts/teams-icons';
import { newestSchemaVersion, pngInfo, validateLocalization, validateManifest, validatePackage } from '../../scripts/teams-manifest';
import {
  DEV_APP_ID,
  PackageError,
  TEAMS_DIR,
  buildPackage,
  languageStrings,
  resolveInputs,
  type PackageInputs,
} from '../../scripts/teams-package';

type Json = Record<string, unknown>;

const readJson = (name: string) => JSON.parse(readFileSync(join(TEAMS_DIR, name), 'utf8')) as Json;
const template = readJson('manifest.template.json');
const english = languageStrings(readJson('en-us.json'));
const dutch = languageStrings(readJson('nl-nl.json'));

const APP_ID = '6f1c2a9e-4b7d-4e52-9c3a-2d8b5e7f1a04';
const inputs: PackageInputs = { appId: APP_ID, version: '1.4.2', publicUrl: 'https://activation-guide.example.invalid' };

/** Reads a zip through its central directory, checking each entry's CRC, as an unzipper would. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    expect(zip.readUInt32LE(localOffset)).toBe(0x04034b50);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const body = zip.subarray(dataStart, dataStart + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(method === 0 || method === 8).toBe(true);
    expect(crc32(data) >>> 0).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

/** RGBA pixels of a PNG written with filter 0 on every row, as scripts/teams-icons.ts writes them. */
function pixels(png: Buffer): { width: number; height: number; rgba: Buffer } {
  const info = pngInfo(png);
  if (!info) throw new Error('not a PNG');
  expect(info.colorType).toBe(6);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = info.width * 4;
  const rgba = Buffer.alloc(stride * info.height);
  for (let y = 0; y < info.height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    raw.copy(rgba, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { width: info.width, height: info.height, rgba };
}

/** Every `${{name}}` in the template with the localization-style path where it sits. */
function placeholders(node: unknown, path = ''): Array<{ name: string; path: string }> {
  if (typeof node === 'string') return [...node.matchAll(/\$\{\{([^}]+)\}\}/g)].map((m) => ({ name: m[1], path }));
  if (Array.isArray(node)) return node.flatMap((v, i) => placeholders(v, `${path}[${i}]`));
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => placeholders(v, path ? `${path}.${k}` : k));
  }
  return [];
}

describe('the manifest template', () => {
  test('uses the newest manifest schema that @microsoft/app-manifest ships', () => {
    const newest = newestSchemaVersion();
    expect(template.manifestVersion).toBe(newest);
    expect(template.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`);
  });

  test('each string placeholder sits exactly where its Teams localization key points', () => {
    const strings = placeholders(template).filter((p) => Object.hasOwn(english, p.name));
    expect(strings.length).toBe(Object.keys(english).length);
    for (const { name, path } of strings) expect(path).toBe(name);
  });

  test('every visible string exists in both languages, and Dutch is really translated', () => {
    expect(Object.keys(dutch).sort()).toEqual(Object.keys(english).sort());
    const untranslated = Object.keys(english).filter((k) => english[k] === dutch[k] && english[k] !== 'help');
    expect(untranslated).toEqual([]);
    for (const value of [...Object.values(english), ...Object.values(dutch)]) expect(value.trim()).not.toBe('');
  });

  test.each([['en-us.json'], ['nl-nl.json']])('%s is a valid Teams localization file', (name) => {
    expect(validateLocalization(readJson(name), String(template.manifestVersion))).toEqual([]);
  });
});

describe('buildPackage', () => {
  const built = buildPackage(inputs);
  const manifest = built.manifest as {
    id: string;
    version: string;
    bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string }> }> }>;
    localizationInfo: Json;
    validDomains: string[];
    developer: Json;
    name: Json;
  };

  test('fills in the app id, version, URLs and English strings, and passes the schema', () => {
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(manifest.version).toBe('1.4.2');
    expect(manifest.name).toEqual({ short: english['name.short'], full: english['name.full'] });
    expect(manifest.developer).toMatchObject({ privacyUrl: 'https://activation-guide.example.invalid/privacy' });
    expect(manifest.validDomains).toEqual(['activation-guide.example.invalid']);
    expect(JSON.stringify(manifest)).not.toContain('${{');
  });

  test('bot in personal scope with start over / help / person commands, Dutch on nl-nl clients', () => {
    const bot = manifest.bots[0];
    expect(bot.scopes).toContain('personal');
    const personal = bot.commandLists.find((l) => l.scopes.includes('personal'));
    expect(personal?.commands.map((c) => c.title)).toEqual(['start over', 'help', 'talk to a person']);
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: 'en-us',
      additionalLanguages: [{ languageTag: 'nl-nl', file: 'nl-nl.json' }],
    });
  });

  test('the zip holds manifest.json, both icons and nl-nl.json at its root, intact', () => {
    const files = unzip(built.zip);
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'nl-nl.json', 'outline.png']);
    expect(JSON.parse(files.get('manifest.json')!.toString('utf8'))).toEqual(manifest);
    for (const name of ['color.png', 'outline.png', 'nl-nl.json']) {
      expect(files.get(name)!.equals(readFileSync(join(TEAMS_DIR, name)))).toBe(true);
    }
  });

  test('is reproducible: the same inputs give the same bytes', () => {
    expect(buildPackage(inputs).zip.equals(built.zip)).toBe(true);
  });

  test('an invalid manifest or a wrong icon is reported, not packaged', () => {
    const broken = { ...manifest, bots: [{ ...manifest.bots[0], botId: 'not-a-guid' }] };
    expect(validateManifest(broken).join('\n')).toMatch(/botId/);
    const tinyIcon = new Map(built.files);
    tinyIcon.set('color.png', readFileSync(join(TEAMS_DIR, 'outline.png')));
    expect(validatePackage(manifest, tinyIcon)).toEqual([expect.stringMatching(/color icon color\.png is 32×32.*192×192/)]);
    const noDutch = new Map(built.files);
    noDutch.delete('nl-nl.json');
    expect(validatePackage(manifest, noDutch)).toEqual(['language file nl-nl.json is not in the package']);
  });
});

describe('resolveInputs', () => {
  const env = { MicrosoftAppId: APP_ID.toUpperCase(), PUBLIC_URL: 'https://bot.example.invalid/guide/' };

  test('takes the app id (normalised) and the URL from the environment', () => {
    expect(resolveInputs(env, { dev: false, version: '0.1.0' })).toEqual({
      appId: APP_ID,
      version: '0.1.0',
      publicUrl: 'https://bot.example.invalid/guide',
    });
  });

  test('a missing app id fails with a clear message unless --dev', () => {
    expect(() => resolveInputs({ PUBLIC_URL: env.PUBLIC_URL }, { dev: false, version: '0.1.0' })).toThrow(
      new PackageError(
        "MicrosoftAppId is not set. Set it to the bot's Microsoft App ID (a GUID from the Azure Bot registration), or pass --dev to build a sideload-only package with a placeholder id.",
      ),
    );
    const dev = resolveInputs({}, { dev: true, version: '0.1.0' });
    expect(dev.appId).toBe(DEV_APP_ID);
    expect(() => buildPackage(dev)).not.toThrow();
  });

  test('a malformed app id fails, even with --dev', () => {
    for (const dev of [false, true]) {
      expect(() => resolveInputs({ ...env, MicrosoftAppId: 'my-bot' }, { dev, version: '0.1.0' })).toThrow(/"my-bot" is not a GUID/);
    }
  });

  test('the URL must be https and the version plain MAJOR.MINOR.PATCH', () => {
    expect(() => resolveInputs({ MicrosoftAppId: APP_ID }, { dev: false, version: '0.1.0' })).toThrow(/PUBLIC_URL is not set/);
    expect(() => resolveInputs({ ...env, PUBLIC_URL: 'http://bot.example.invalid' }, { dev: false, version: '0.1.0' })).toThrow(/https/);
    expect(() => resolveInputs(env, { dev: false, version: '0.2.0-beta.1' })).toThrow(/pre-release/);
  });
});

describe('icons', () => {
  test('color.png is 192×192; outline.png is 32×32, white on transparent', () => {
    expect(pixels(readFileSync(join(TEAMS_DIR, 'color.png')))).toMatchObject({ width: 192, height: 192 });
    const outline = pixels(readFileSync(join(TEAMS_DIR, 'outline.png')));
    expect(outline).toMatchObject({ width: 32, height: 32 });
    let opaque = 0;
    for (let i = 0; i < outline.rgba.length; i += 4) {
      const [r, g, b, a] = outline.rgba.subarray(i, i + 4);
      if (a > 0) expect([r, g, b]).toEqual([255, 255, 255]);
      if (a === 255) opaque++;
    }
    expect(opaque).toBeGreaterThan(50); // there is a shape, not just a blank square
    expect(outline.rgba[3]).toBe(0); // corners stay transparent
  });

  test('the committed PNGs are what scripts/teams-icons.ts draws', () => {
    expect(pixels(colorIcon()).rgba.equals(pixels(readFileSync(join(TEAMS_DIR, 'color.png'))).rgba)).toBe(true);
    expect(pixels(outlineIcon()).rgba.equals(pixels(readFileSync(join(TEAMS_DIR, 'outline.png'))).rgba)).toBe(true);
  });
});
