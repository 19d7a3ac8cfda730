/**
 * Builds the Teams app package teams/build/activation-guide.zip (see teams/README.md):
 *
 *   MicrosoftAppId=<bot app id> PUBLIC_URL=https://bot.example.com npm run teams:package
 *   npm run teams:package -- --dev      # placeholder id and URL, for a quick sideload or CI
 *
 * The manifest is filled from teams/manifest.template.json, the default language's strings in
 * teams/<teams>.json (en-us.json) and the environment; its languages are the language table's
 * rows that name a Teams language (content/languages.json, `teams`). It is validated against the
 * Teams schema before anything is written, so an invalid package never lands on disk.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { loadLanguages, type Languages } from '../src/i18n/languages';
import { validatePackage } from './teams-manifest';

export const TEAMS_DIR = join(__dirname, '..', 'teams');
export const PACKAGE_NAME = 'activation-guide.zip';

/** Used by --dev when MicrosoftAppId is not set: obviously fake, but schema-valid. */
export const DEV_APP_ID = '00000000-0000-4000-8000-000000000000';
/** Used by --dev when PUBLIC_URL is not set; `.invalid` can never resolve to a real host. */
export const DEV_PUBLIC_URL = 'https://activation-guide.example.invalid';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Teams accepts only plain MAJOR.MINOR.PATCH, no pre-release or build suffix. */
const TEAMS_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const PLACEHOLDER = /\$\{\{([^}]+)\}\}/g;

/** Files that go into the zip next to manifest.json, read from teams/, besides the other languages' strings. */
const ICON_FILES = ['color.png', 'outline.png'] as const;

export class PackageError extends Error {}

export interface PackageInputs {
  appId: string;
  version: string;
  /** https origin (optionally with a path) that serves the website, /privacy and /terms pages. */
  publicUrl: string;
}

/** Reads and checks what the package needs from the environment; throws PackageError with a fix. */
export function resolveInputs(env: NodeJS.ProcessEnv, options: { dev: boolean; version: string }): PackageInputs {
  const rawId = env.MicrosoftAppId?.trim();
  let appId: string;
  if (!rawId) {
    if (!options.dev) {
      throw new PackageError(
        'MicrosoftAppId is not set. Set it to the bot\'s Microsoft App ID (a GUID from the Azure Bot registration), ' +
          'or pass --dev to build a sideload-only package with a placeholder id.',
      );
    }
    appId = DEV_APP_ID;
  } else if (!GUID.test(rawId)) {
    throw new PackageError(
      `MicrosoftAppId "${rawId}" is not a GUID. Use the Application (client) ID of the bot's Entra app registration, ` +
        'e.g. 12345678-aaaa-bbbb-cccc-1234567890ab.',
    );
  } else {
    appId = rawId.toLowerCase();
  }

  if (!TEAMS_VERSION.test(options.version)) {
    throw new PackageError(
      `package.json version "${options.version}" is not MAJOR.MINOR.PATCH; Teams rejects pre-release versions.`,
    );
  }

  const rawUrl = env.PUBLIC_URL?.trim() || (options.dev ? DEV_PUBLIC_URL : undefined);
  if (!rawUrl) {
    throw new PackageError(
      'PUBLIC_URL is not set. Set it to the https address the bot is served from (the manifest links to ' +
        'its /privacy and /terms pages), or pass --dev.',
    );
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new PackageError(`PUBLIC_URL "${rawUrl}" is not a URL.`);
  }
  if (url.protocol !== 'https:' || url.search || url.hash || url.username || url.password) {
    throw new PackageError(`PUBLIC_URL "${rawUrl}" must be a plain https:// address (Teams requires https).`);
  }
  return { appId, version: options.version, publicUrl: url.href.replace(/\/+$/, '') };
}

/**
 * Replaces every `${{name}}` in the template's strings. A name is either a variable (app id,
 * version, URL) or a key of the default-language strings, which uses the Teams localization key
 * format, so the same key in nl-nl.json overrides exactly that string.
 */
export function renderManifest(
  template: unknown,
  strings: Readonly<Record<string, string>>,
  variables: Readonly<Record<string, string>>,
): { manifest: unknown; used: Set<string>; missing: Set<string> } {
  const used = new Set<string>();
  const missing = new Set<string>();
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(PLACEHOLDER, (_, name: string) => {
        used.add(name);
        const replacement = Object.hasOwn(variables, name) ? variables[name] : strings[name];
        if (replacement === undefined) missing.add(name);
        return replacement ?? '';
      });
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    }
    return value;
  };
  return { manifest: fill(template), used, missing };
}

/** The strings of a language file without its `$schema` entry. */
export function languageStrings(file: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(file).filter((entry): entry is [string, string] => entry[0] !== '$schema' && typeof entry[1] === 'string'),
  );
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new PackageError(`cannot read ${relative(process.cwd(), path)}: ${(e as Error).message}`);
  }
}

export interface BuiltPackage {
  manifest: Record<string, unknown>;
  files: Map<string, Buffer>;
  zip: Buffer;
}

/** Builds and validates the package in memory; throws PackageError listing every problem found. */
export function buildPackage(inputs: PackageInputs, teamsDir = TEAMS_DIR, languages: Languages = loadLanguages()): BuiltPackage {
  const template = readJson(join(teamsDir, 'manifest.template.json'));
  const problems: string[] = [];
  // The default language is the manifest's own; each other language with a Teams tag is a file beside it.
  const base = languages.row(languages.defaultTag).teams;
  if (!base) throw new PackageError(`content/languages.json: the default language ${languages.defaultTag} names no Teams language ("teams")`);
  const others = languages.tags.filter((t) => t !== languages.defaultTag).flatMap((t) => languages.row(t).teams ?? []);
  const baseFile = `${base}.json`;
  const english = languageStrings(readJson(join(teamsDir, baseFile)));
  const translations = others.map((tag) => ({ file: `${tag}.json`, strings: languageStrings(readJson(join(teamsDir, `${tag}.json`))) }));

  const variables = {
    MicrosoftAppId: inputs.appId,
    version: inputs.version,
    PUBLIC_URL: inputs.publicUrl,
    PUBLIC_HOST: new URL(inputs.publicUrl).hostname,
  };
  const rendered = renderManifest(template, english, variables);
  const { used, missing } = rendered;
  const manifest = {
    ...(rendered.manifest as Record<string, unknown>),
    localizationInfo: { defaultLanguageTag: base, additionalLanguages: others.map((tag) => ({ languageTag: tag, file: `${tag}.json` })) },
  };

  for (const name of missing) problems.push(`manifest.template.json uses \${{${name}}}, which is neither a variable nor a key of ${baseFile}`);
  // Every visible string must exist in every language, and only strings the manifest shows.
  for (const key of Object.keys(english)) {
    if (!used.has(key)) problems.push(`${baseFile} key "${key}" is not used by manifest.template.json`);
    for (const { file, strings } of translations) if (!Object.hasOwn(strings, key)) problems.push(`${file} lacks "${key}"`);
  }
  for (const { file, strings } of translations) {
    for (const key of Object.keys(strings)) if (!Object.hasOwn(english, key)) problems.push(`${file} has "${key}", which ${baseFile} lacks`);
  }

  const files = new Map<string, Buffer>();
  for (const name of [...ICON_FILES, ...translations.map((t) => t.file)]) {
    try {
      files.set(name, readFileSync(join(teamsDir, name)));
    } catch {
      problems.push(`teams/${name} is missing (icons: run scripts/teams-icons.ts)`);
    }
  }
  problems.push(...validatePackage(manifest, files));
  if (problems.length) {
    throw new PackageError(`the Teams package is invalid:\n  - ${problems.join('\n  - ')}`);
  }

  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const zip = writeZip([{ name: 'manifest.json', data: manifestBytes }, ...[...files].map(([name, data]) => ({ name, data }))]);
  return { manifest, files, zip };
}

// --- The zip ----------------------------------------------------------------------------------

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** 1980-01-01 00:00, the earliest date a zip can hold: a fixed timestamp makes the zip byte-for-byte reproducible. */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** A flat zip for Teams, written by fflate: deflated entries, except PNGs, which are already compressed and are stored. */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const files: Zippable = {};
  for (const { name, data } of entries) {
    if (!/^[\x20-\x7e]+$/.test(name) || name.startsWith('/') || name.includes('\\')) {
      throw new Error(`zip entry name "${name}" must be a relative ASCII path`);
    }
    files[name] = [new Uint8Array(data), { level: name.endsWith('.png') ? 0 : 9, mtime: ZIP_TIME }];
  }
  return Buffer.from(zipSync(files));
}

function main(argv: string[]): number {
  const unknown = argv.filter((a) => a !== '--dev');
  if (unknown.length) {
    console.error(`teams:package: unknown argument(s) ${unknown.join(' ')} (only --dev is accepted)`);
    return 2;
  }
  const dev = argv.includes('--dev');
  try {
    const { version } = readJson(join(__dirname, '..', 'package.json')) as { version?: unknown };
    const inputs = resolveInputs(process.env, { dev, version: typeof version === 'string' ? version : '' });
    const { zip } = buildPackage(inputs);
    const outDir = join(TEAMS_DIR, 'build');
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, PACKAGE_NAME);
    writeFileSync(outFile, zip);
    console.log(
      `teams:package: wrote ${relative(process.cwd(), outFile)} (${zip.length} bytes) for app ${inputs.appId}, ` +
        `version ${inputs.version}${dev && inputs.appId === DEV_APP_ID ? ' [dev placeholder id: sideload only]' : ''}`,
    );
    return 0;
  } catch (e) {
    if (e instanceof PackageError) {
      console.error(`teams:package: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
