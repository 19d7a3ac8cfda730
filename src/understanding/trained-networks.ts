import type { NetworkJson } from '@nlpjs/neural';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
}

/** The key of a network: a hash of everything its training depends on (examples, features, settings). */
export function trainingKey(trainedOn: unknown): string {
  return createHash('sha256').update(JSON.stringify(trainedOn)).digest('hex').slice(0, 40);
}

/** Trained networks as one JSON file per key in a folder. */
export class NetworkFolder implements TrainedNetworks {
  readonly put?: (key: string, network: NetworkJson) => void;

  /** @param options.save whether networks trained with this folder are written to it (the build does). */
  constructor(
    private readonly dir: string,
    options: { save?: boolean } = {},
  ) {
    if (options.save) this.put = (key, network) => this.save(key, network);
  }

  /** A missing or unreadable file is no network: the model is trained instead. */
  get(key: string): NetworkJson | undefined {
    try {
      const json = JSON.parse(readFileSync(this.path(key), 'utf8')) as NetworkJson;
      return Array.isArray(json.features) && Array.isArray(json.intents) && Array.isArray(json.perceptrons) ? json : undefined;
    } catch {
      return undefined;
    }
  }

  private save(key: string, network: NetworkJson): void {
    mkdirSync(this.dir, { recursive: true });
    // Weights are 32-bit floats: nine significant digits give each back exactly, at half the size.
    const compact = { ...network, perceptrons: network.perceptrons.map((p) => p.map((w, i) => (i === p.length - 1 ? w : Number(w.toPrecision(9))))) };
    const temporary = `${this.path(key)}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(compact));
    renameSync(temporary, this.path(key));
  }

  private path(key: string): string {
    return join(this.dir, `${key}.json`);
  }
}
