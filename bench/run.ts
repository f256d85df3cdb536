/** Runs every benchmark in turn: `npm run bench`. */
import { runBundleBenchmark } from "./bundle";
import { runCliBundleBenchmark } from "./cli-bundle";
import { runCockpitBenchmark } from "./cockpit";
import { runEmulatorBenchmark } from "./emulator";
import { runPacerBenchmark } from "./pacer";
import { runSoakBenchmark } from "./soak";

async function main(): Promise<void> {
  await runBundleBenchmark();
  await runCliBundleBenchmark();
  await runEmulatorBenchmark();
  await runPacerBenchmark();
  await runCockpitBenchmark();
  await runSoakBenchmark();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
