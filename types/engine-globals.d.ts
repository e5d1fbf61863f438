// The only host globals the engine uses beyond ES2022: every JavaScript host
// it runs on (browsers, workers, Node) has them. tsconfig.engine.json compiles
// the engine with these and nothing of the DOM or of Node.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
