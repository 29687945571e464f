import type { Command } from '../main.ts';

export const diffCommand: Command = async () => {
  console.error('mamori diff: not built yet');
  return 2;
};
