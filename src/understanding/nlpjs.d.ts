/** The parts of nlp.js this folder uses; the packages ship JavaScript without type declarations. */

declare module '@nlpjs/neural' {
  export type Features = Record<string, number>;
  /** A network as plain data: its settings, features, labels and, per label, a weight per feature then the bias. */
  export interface NetworkJson {
    settings: Record<string, unknown>;
    features: string[];
    intents: string[];
    perceptrons: number[][];
  }
  export class NeuralNetwork {
    constructor(settings?: { log?: boolean; iterations?: number; errorThresh?: number; deltaErrorThresh?: number; learningRate?: number; momentum?: number; alpha?: number });
    train(corpus: { input: Features; output: Features }[]): { error: number; iterations: number };
    run(input: Features): Record<string, number> | undefined;
    toJSON(): NetworkJson;
    fromJSON(json: NetworkJson): void;
  }
}

declare module '@nlpjs/similarity' {
  export class SpellCheck {
    constructor(settings?: { features?: Record<string, number>; minLength?: number });
    check(tokens: string[], distance?: number): string[];
  }
}

declare module '@nlpjs/lang-en' {
  export class StemmerEn {
    stem(tokens: string[]): string[];
  }
  export class StopwordsEn {
    isStopword(word: string): boolean;
  }
}

declare module '@nlpjs/lang-nl' {
  export class StemmerNl {
    stem(tokens: string[]): string[];
  }
  export class StopwordsNl {
    isStopword(word: string): boolean;
  }
}
