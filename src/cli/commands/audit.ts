import type { Command } from '../main.ts';

export const auditCommand: Command = async () => {
  console.error('mamori audit: not built yet');
  return 2;
};
