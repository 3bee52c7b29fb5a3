// `llmrec` dispatcher: routes argv to a subcommand, prints help, turns errors into one-line reasons.
import { CliError, helpText, parseCommandArgs } from './command.ts';
import { commands } from './registry.ts';

function topHelp(): string {
  const names = Object.keys(commands);
  const width = Math.max(8, ...names.map((n) => n.length)) + 2;
  return [
    'llmrec — LLM-based recommendation at the edge (DynMM-Explain-LLMRec)',
    '',
    'Usage: llmrec <command> [options]   (llmrec <command> --help for details)',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}${commands[n]!.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(topHelp());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`llmrec: unknown command '${name}' (known: ${Object.keys(commands).join(', ')})`);
    return 2;
  }
  try {
    const cmd = await entry.load();
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed.values.help) {
      console.log(helpText(cmd));
      return 0;
    }
    return await cmd.run(parsed as never);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`llmrec ${name}: ${err.message}`);
      return err.exitCode;
    }
    const e = err as Error;
    console.error(`llmrec ${name}: ${e?.message ?? String(err)}`);
    if (process.env.LLMREC_DEBUG) console.error(e?.stack);
    return 1;
  }
}
