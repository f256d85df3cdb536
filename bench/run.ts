/** Runs every benchmark in turn: `npm run bench`. */
import { runBundleBenchmark } from "./bundle";

async function main(): Promise<void> {
  await runBundleBenchmark();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
