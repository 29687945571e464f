import type { Command } from '../main.ts';

export const initCommand: Command = async () => {
  console.error('mamori init: not built yet');
  return 2;
};
