import type { Command } from '../main.ts';

export const dsrCommand: Command = async () => {
  console.error('mamori dsr: not built yet');
  return 2;
};
