import { COMMANDS, CONNECTION_OPTIONS, type Command } from "./commands";
import { OPTIONS, type OptionName } from "./options";

const ENVIRONMENT_NOTE =
  "The service is production unless --env says otherwise: --env test for Posten's test service (difitest),\n" +
  "--env qa for difiqa, or an https URL (with --ca) for another installation such as the emulator.\n";

const PROXY_NOTE =
  "Without --proxy or --proxy-env, HTTPS_PROXY (and NO_PROXY) from the environment are used; proxy credentials are never printed.\n";

/** The overview: every command in one line each. */
export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return (
    "Usage: posten-signering <command> [options]\n\nCommands:\n" +
    `${lines.join("\n")}\n\n${ENVIRONMENT_NOTE}` +
    'Run "posten-signering <command> --help" for a command\'s options and an example; --version prints the version.\n'
  );
}

/** One command's help: its usage line, what it does, each option and an example. */
export function commandHelp(name: string, command: Command): string {
  const usage = [`posten-signering ${name}`, ...command.required.map(synopsis)];
  if (command.optional.length > 0 || command.connects) usage.push("[options]");
  const own = [...command.required, ...command.optional].filter((option) => !command.connects || !CONNECTION_OPTIONS.includes(option));
  let text = `Usage: ${usage.join(" ")}\n\n${capitalized(command.summary)}.\n`;
  if (own.length > 0) text += `\nOptions:\n${optionLines(own)}`;
  if (command.connects) text += `\nConnection options:\n${optionLines(CONNECTION_OPTIONS)}\n${ENVIRONMENT_NOTE}`;
  if (command.connects) text += PROXY_NOTE;
  if (command.connects || command.required.includes("keystore-password-env"))
    text +=
      (command.connects ? "" : "\n") +
      "The keystore password is read only from the environment variable --keystore-password-env names, never from argv.\n";
  return `${text}\nExample:\n  ${command.example}\n`;
}

function synopsis(option: OptionName): string {
  const spec = OPTIONS[option];
  return "value" in spec ? `--${option} ${spec.value}` : `--${option}`;
}

function optionLines(options: readonly OptionName[]): string {
  const width = Math.max(...options.map((option) => synopsis(option).length));
  return `${options.map((option) => `  ${synopsis(option).padEnd(width)}  ${OPTIONS[option].help}`).join("\n")}\n`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
