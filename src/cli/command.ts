/** A CLI command: gets its own argv (after the command name) and returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;
