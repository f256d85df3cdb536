/** Runs every benchmark in turn: `npm run bench`. */
import { runBundleBenchmark } from "./bundle";
import { runEmulatorBenchmark } from "./emulator";
import { runSoakBenchmark } from "./soak";

async function main(): Promise<void> {
  await runBundleBenchmark();
  await runEmulatorBenchmark();
  await runSoakBenchmark();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
