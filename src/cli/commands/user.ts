import type { Command } from '../main.ts';

export const userCommand: Command = async () => {
  console.error('mamori user: not built yet');
  return 2;
};
