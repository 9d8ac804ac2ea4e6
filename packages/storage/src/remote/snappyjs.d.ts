// snappyjs ships no type declarations; these cover the two functions scrapewire uses.
declare module 'snappyjs' {
  /** Snappy block-format compression (not the framed format). */
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  const snappyjs: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappyjs;
}
