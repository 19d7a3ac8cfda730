/**
 * Offline validation of the Teams app package against the JSON schemas that
 * `@microsoft/app-manifest` ships, plus the few package rules a schema cannot express
 * (icon sizes, files that the manifest names being present).
 *
 * It lives in scripts/, not src/, because it needs devDependencies and the running bot never does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Resolve ajv from @microsoft/app-manifest's own location, as that package does, so we use the
// validator (and the draft-04 dialect its schemas are written in) that it was built and tested with,
// wherever npm happens to hoist it.
const manifestPackageEntry = require.resolve('@microsoft/app-manifest');
const requireFromManifestPackage = createRequire(manifestPackageEntry);
const SCHEMA_ROOT = join(dirname(manifestPackageEntry), 'json-schemas', 'teams');

interface AjvError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}
interface ValidateFunction {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
interface AjvInstance {
  compile(schema: object): ValidateFunction;
}
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

function loadAjv(): { Ajv: AjvConstructor; addFormats: (ajv: AjvInstance, formats: string[]) => void } {
  const ajvModule = requireFromManifestPackage('ajv-draft-04') as { default?: AjvConstructor } & AjvConstructor;
  const formatsModule = requireFromManifestPackage('ajv-formats') as {
    default?: (ajv: AjvInstance, formats: string[]) => void;
  } & ((ajv: AjvInstance, formats: string[]) => void);
  return { Ajv: ajvModule.default ?? ajvModule, addFormats: formatsModule.default ?? formatsModule };
}

export type SchemaKind = 'manifest' | 'localization';

const SCHEMA_FILE: Record<SchemaKind, string> = {
  manifest: 'MicrosoftTeams.schema.json',
  localization: 'MicrosoftTeams.Localization.schema.json',
};

/** Manifest schema versions the installed package ships, oldest first (preview versions left out). */
export function shippedSchemaVersions(): string[] {
  return readdirSync(SCHEMA_ROOT)
    .filter((name) => /^v\d+\.\d+$/.test(name))
    .map((name) => name.slice(1))
    .sort((a, b) => {
      const [aMajor, aMinor] = a.split('.').map(Number);
      const [bMajor, bMinor] = b.split('.').map(Number);
      return aMajor - bMajor || aMinor - bMinor;
    });
}

export function newestSchemaVersion(): string {
  const versions = shippedSchemaVersions();
  const newest = versions[versions.length - 1];
  if (!newest) throw new Error(`no Teams manifest schemas found under ${SCHEMA_ROOT}`);
  return newest;
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(kind: SchemaKind, version: string): ValidateFunction {
  const cacheKey = `${kind}@${version}`;
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  if (!shippedSchemaVersions().includes(version)) {
    throw new Error(
      `@microsoft/app-manifest ships no schema for manifest version ${version} (it has ${shippedSchemaVersions().join(', ')})`,
    );
  }
  const raw = readFileSync(join(SCHEMA_ROOT, `v${version}`, SCHEMA_FILE[kind]), 'utf8');
  // Same clean-up @microsoft/app-manifest applies before compiling: some schema versions use the
  // regex escapes \a and \v, which JavaScript regexes reject or read differently.
  const schema = JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
  const { Ajv, addFormats } = loadAjv();
  const ajv = new Ajv({
    allErrors: true,
    strictTypes: false,
    // The localization schema's key patterns use `\b` next to `]`, which is not valid under the
    // `u` flag that ajv adds by default; the patterns are plain ASCII, so nothing is lost.
    unicodeRegExp: false,
  });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(schema);
  compiled.set(cacheKey, validate);
  return validate;
}

function describe(errors: AjvError[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    const details = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${where} ${e.message ?? 'is invalid'}${details}`;
  });
}

/**
 * Validates a manifest object against the schema of its own `manifestVersion`.
 * Returns human-readable errors; an empty array means valid.
 */
export function validateManifest(manifest: unknown): string[] {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== 'string') return ['(root) must have a string manifestVersion'];
  const validate = validatorFor('manifest', version);
  return validate(manifest) ? [] : describe(validate.errors);
}

/** Validates a Teams localization file (e.g. nl-nl.json) against the schema for `manifestVersion`. */
export function validateLocalization(strings: unknown, manifestVersion: string): string[] {
  const validate = validatorFor('localization', manifestVersion);
  return validate(strings) ? [] : describe(validate.errors);
}

/** Width, height and colour type from a PNG's IHDR chunk, or undefined if it is not a PNG. */
export function pngInfo(png: Buffer): { width: number; height: number; colorType: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 33 || !png.subarray(0, 8).equals(signature) || png.toString('ascii', 12, 16) !== 'IHDR') {
    return undefined;
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25] };
}

interface ManifestFileRefs {
  icons?: { color?: string; outline?: string };
  localizationInfo?: { additionalLanguages?: Array<{ file?: string }>; defaultLanguageFile?: string };
  manifestVersion?: string;
}

/**
 * Rules for the whole package that the schema cannot check: every file the manifest names is in
 * the package, the icons have the sizes Teams rejects otherwise, and each language file is valid.
 * `files` maps a package path (e.g. "color.png") to its bytes; manifest.json itself is not needed.
 */
export function validatePackage(manifest: unknown, files: ReadonlyMap<string, Buffer>): string[] {
  const errors = validateManifest(manifest).map((e) => `manifest.json: ${e}`);
  const refs = manifest as ManifestFileRefs;

  const icon = (path: string | undefined, role: string, size: number) => {
    if (!path) return;
    const bytes = files.get(path);
    if (!bytes) return errors.push(`${role} icon ${path} is not in the package`);
    const info = pngInfo(bytes);
    if (!info) return errors.push(`${role} icon ${path} is not a PNG`);
    if (info.width !== size || info.height !== size) {
      errors.push(`${role} icon ${path} is ${info.width}×${info.height}, Teams requires ${size}×${size}`);
    }
  };
  icon(refs.icons?.color, 'color', 192);
  icon(refs.icons?.outline, 'outline', 32);

  const languageFiles = [
    ...(refs.localizationInfo?.additionalLanguages ?? []).map((l) => l.file),
    refs.localizationInfo?.defaultLanguageFile,
  ].filter((f): f is string => typeof f === 'string');
  for (const file of languageFiles) {
    const bytes = files.get(file);
    if (!bytes) {
      errors.push(`language file ${file} is not in the package`);
      continue;
    }
    let strings: unknown;
    try {
      strings = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      errors.push(`${file}: not valid JSON (${(e as Error).message})`);
      continue;
    }
    if (typeof refs.manifestVersion === 'string') {
      errors.push(...validateLocalization(strings, refs.manifestVersion).map((e) => `${file}: ${e}`));
    }
  }
  return errors;
}
