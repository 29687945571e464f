import type { Command } from '../main.ts';

export const scanCommand: Command = async () => {
  console.error('mamori scan: not built yet');
  return 2;
};
