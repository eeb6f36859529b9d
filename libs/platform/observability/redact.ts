/** Error text safe to export (logs, spans): values pg quotes are cut out. */
export function redactQueryText(message: string): string {
  // pg messages can quote values ("Key (email)=(a@b.c) already exists").
  return message.replace(/=\(.*?\)/g, '=(…)');
}
