import type { NetworkJson } from '@nlpjs/neural';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An nlp.js NeuralNetwork as its `toJSON()` gives it and its `fromJSON()` takes it. */
export type { NetworkJson };

/**
 * Networks trained before, found by what they were trained on. `npm run build` trains the models
 * of the shipped content once and keeps them beside the build (`dist/models`), so the service
 * starts without training: nlp.js's own advice (train, save, load). Content that differs from
 * what was built (another CONTENT_DIR, an edited intents.json) has other keys, and its models are
 * trained in memory at start-up as before.
 */
export interface TrainedNetworks {
  get(key: string): NetworkJson | undefined;
  /** Keeps a network just trained; a store that only reads leaves it out. */
  put?(key: string, network: NetworkJson): void;
  /** The same for a model kept as bytes (fastText's own format). */
  getBytes(key: string): Uint8Array | undefined;
  putBytes?(key: string, bytes: Uint8Array): void;
}

/**
 * The key of a network: a hash of everything its training depends on (examples, features,
 * settings, and the version of the library that trains it, since a kept model outlives an upgrade).
 */
export function trainingKey(trainedOn: unknown): string {
  return createHash('sha256').update(JSON.stringify(trainedOn)).digest('hex').slice(0, 40);
}

/** Trained networks as one JSON file per key in a folder, and fastText models as one .bin file per key. */
export class NetworkFolder implements TrainedNetworks {
  readonly put?: (key: string, network: NetworkJson) => void;
  readonly putBytes?: (key: string, bytes: Uint8Array) => void;
  /** The files read or written through this folder. */
  private readonly used = new Set<string>();

  /** @param options.save whether networks trained with this folder are written to it (the build does). */
  constructor(
    private readonly dir: string,
    options: { save?: boolean } = {},
  ) {
    if (options.save) {
      this.put = (key, network) => this.save(key, 'json', JSON.stringify(compact(network)));
      this.putBytes = (key, bytes) => this.save(key, 'bin', Buffer.concat([bytes, digest(bytes)]));
    }
  }

  /** A missing or unreadable file is no network: the model is trained instead. */
  get(key: string): NetworkJson | undefined {
    try {
      const json = JSON.parse(readFileSync(this.path(key, 'json'), 'utf8')) as NetworkJson;
      if (!Array.isArray(json.features) || !Array.isArray(json.intents) || !Array.isArray(json.perceptrons)) return undefined;
      this.used.add(`${key}.json`);
      return json;
    } catch {
      return undefined;
    }
  }

  /**
   * A missing file is no model: it is trained instead. So is a damaged one: fastText loads a model
   * cut short without a word (its weights then all zero), so each file ends with its SHA-256.
   */
  getBytes(key: string): Uint8Array | undefined {
    let file: Buffer;
    try {
      file = readFileSync(this.path(key, 'bin'));
    } catch {
      return undefined;
    }
    const bytes = file.subarray(0, Math.max(0, file.length - DIGEST_BYTES));
    if (file.length <= DIGEST_BYTES || !digest(bytes).equals(file.subarray(bytes.length))) return undefined;
    this.used.add(`${key}.bin`);
    return bytes;
  }

  /**
   * Deletes every file of the folder that was neither read nor written through this object: the
   * models of content that has changed since, which no key will find again. The build calls it
   * after training, so that it keeps the models that still fit instead of training them anew.
   */
  removeUnused(): number {
    let removed = 0;
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const file of files) {
      if (this.used.has(file)) continue;
      rmSync(join(this.dir, file), { force: true });
      removed++;
    }
    return removed;
  }

  private save(key: string, extension: string, data: string | Uint8Array): void {
    mkdirSync(this.dir, { recursive: true });
    const temporary = `${this.path(key, extension)}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, this.path(key, extension));
    this.used.add(`${key}.${extension}`);
  }

  private path(key: string, extension: string): string {
    return join(this.dir, `${key}.${extension}`);
  }
}

const DIGEST_BYTES = 32;

function digest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Weights are 32-bit floats: nine significant digits give each back exactly, at half the size. */
function compact(network: NetworkJson): NetworkJson {
  return { ...network, perceptrons: network.perceptrons.map((p) => p.map((w, i) => (i === p.length - 1 ? w : Number(w.toPrecision(9))))) };
}
