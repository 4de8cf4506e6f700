/** Entry of the `faktory-ts` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  console.error(`faktory-ts: unknown command ${argv[0] ?? ""}`);
  return 2;
}
