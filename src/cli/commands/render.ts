import type { Command } from '../main.ts';

export const renderCommand: Command = async () => {
  console.error('mamori render: not built yet');
  return 2;
};
