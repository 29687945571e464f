import type { Command } from '../main.ts';

export const recordsCommand: Command = async () => {
  console.error('mamori records: not built yet');
  return 2;
};
