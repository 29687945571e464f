import type { Command } from '../main.ts';

export const publishCommand: Command = async () => {
  console.error('mamori publish: not built yet');
  return 2;
};
