import type { Command } from '../main.ts';

export const lintCommand: Command = async () => {
  console.error('mamori lint: not built yet');
  return 2;
};
