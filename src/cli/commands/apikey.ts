import type { Command } from '../main.ts';

export const apikeyCommand: Command = async () => {
  console.error('mamori apikey: not built yet');
  return 2;
};
