/** Entry point of the `scrapewire` command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.write(`scrapewire: not yet wired (${argv.join(' ')})\n`);
  return 0;
}
